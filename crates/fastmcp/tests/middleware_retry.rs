//! `Retry`: a read that fails transiently twice is answered once, after three runs; errors
//! that are not transient are not retried; the attempts are bounded; a cancelled request
//! stops retrying at once. In memory and over Streamable HTTP, in both eras.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{BoxFuture, Error, ErrorKind, FnResource};
use fastmcp::protocol::{Resource, ResourceContents};
use fastmcp::server::middleware::{Retry, Transient};
use fastmcp::server::{CallNext, McpRequest, Middleware, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::Server;
use serde_json::value::RawValue;
use support::{modes, Recorder};

/// A resource whose first `fails` reads fail with `error`; counts its runs.
fn flaky(uri: &str, fails: usize, error: fn() -> Error, runs: &Arc<AtomicUsize>) -> FnResource {
    let runs = runs.clone();
    FnResource::new(Resource::new(uri, "flaky"), move |_, _| {
        let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            if run <= fails {
                Err(error())
            } else {
                Ok(format!("ok after {run} runs"))
            }
        }
    })
}

fn busy() -> Error {
    Error::internal("the backend is busy").with_source(Transient)
}

async fn clients(s: &RunningServer) -> Vec<(String, Client)> {
    let addr = support::serve_http(s, Default::default()).await;
    let mut out = vec![];
    for mode in modes() {
        let memory = Client::builder()
            .mode(mode)
            .handler(Recorder::default())
            .connect(s.connect_in_memory())
            .await
            .unwrap();
        out.push((format!("in-memory {mode:?}"), memory));
        let http = Client::builder()
            .mode(mode)
            .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
            .await
            .unwrap();
        out.push((format!("HTTP {mode:?}"), http));
    }
    out
}

fn retry() -> Retry {
    Retry::new()
        .max_attempts(3)
        .backoff(Duration::from_millis(1), Duration::from_millis(20))
}

#[tokio::test]
async fn a_transient_failure_is_retried_until_it_succeeds() {
    let runs = Arc::new(AtomicUsize::new(0));
    let s = Server::new("retry", "0")
        .resource(flaky("flaky://r", usize::MAX, busy, &runs))
        .middleware(retry())
        .start()
        .await
        .unwrap();
    let clients = clients(&s).await;
    for (i, (name, c)) in clients.into_iter().enumerate() {
        // A fresh resource each round: two transient failures, then success.
        let counter = Arc::new(AtomicUsize::new(0));
        let uri = &format!("twice://{i}");
        s.handle()
            .add_resource(flaky(uri, 2, busy, &counter))
            .unwrap();
        let r = c
            .read_resource(uri)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        match &r.contents[0] {
            ResourceContents::Text(t) => assert_eq!(t.text, "ok after 3 runs", "{name}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(counter.load(Ordering::SeqCst), 3, "{name}");
        s.handle().remove_resource(uri);
        // Always failing: three runs in all, then the last error.
        let before = runs.load(Ordering::SeqCst);
        let e = c.read_resource("flaky://r").await.unwrap_err();
        assert_eq!(e.code(), -32603, "{name}: {e}");
        assert!(e.message().contains("busy"), "{name}: {e}");
        assert_eq!(runs.load(Ordering::SeqCst) - before, 3, "{name}");
    }
}

#[tokio::test]
async fn errors_that_are_not_transient_are_not_retried() {
    let plain = Arc::new(AtomicUsize::new(0));
    let invalid = Arc::new(AtomicUsize::new(0));
    let s = Server::new("retry", "0")
        .resource(flaky("plain://r", 1, || Error::internal("bad row"), &plain))
        .resource(flaky(
            "invalid://r",
            1,
            || Error::invalid_params("no such row").with_source(Transient),
            &invalid,
        ))
        .middleware(retry())
        .start()
        .await
        .unwrap();
    for (name, c) in clients(&s).await {
        plain.store(0, Ordering::SeqCst);
        invalid.store(0, Ordering::SeqCst);
        let e = c.read_resource("plain://r").await.unwrap_err();
        assert_eq!(e.code(), -32603, "{name}: {e}");
        assert_eq!(
            plain.load(Ordering::SeqCst),
            1,
            "{name}: an internal error without the mark"
        );
        let e = c.read_resource("invalid://r").await.unwrap_err();
        assert_eq!(e.code(), -32602, "{name}: {e}");
        assert_eq!(
            invalid.load(Ordering::SeqCst),
            1,
            "{name}: invalid params, even marked"
        );
    }
}

/// Reports how each request through it ended.
struct Ended(Mutex<Option<Report>>);

type Report = tokio::sync::oneshot::Sender<Result<(), Error>>;

impl Middleware for Ended {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        if req.method() != "resources/read" {
            return next.run(req);
        }
        Box::pin(async move {
            let r = next.run(req).await;
            let outcome = r
                .as_ref()
                .map(|_| ())
                .map_err(|e| Error::new(e.kind(), e.message()));
            if let Some(tx) = self.0.lock().unwrap().take() {
                let _ = tx.send(outcome);
            }
            r
        })
    }
}

#[tokio::test]
async fn a_cancelled_request_stops_retrying() {
    let runs = Arc::new(AtomicUsize::new(0));
    let (tx, ended) = tokio::sync::oneshot::channel();
    let s = Server::new("retry", "0")
        .resource(flaky("flaky://r", usize::MAX, busy, &runs))
        .middleware(Ended(Mutex::new(Some(tx))))
        .middleware(
            Retry::new()
                .max_attempts(10)
                .backoff(Duration::from_secs(600), Duration::from_secs(600))
                .deadline(Duration::from_secs(3600)),
        )
        .start()
        .await
        .unwrap();
    let c = Client::builder()
        .mode(Mode::Handshake(
            fastmcp::protocol::ProtocolVersion::V2025_11_25,
        ))
        .connect(s.connect_in_memory())
        .await
        .unwrap();
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.read_resource("flaky://r").await }
    });
    // Wait for the first run; the retry then pauses for minutes.
    let wait = async {
        while runs.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), wait)
        .await
        .unwrap();
    call.abort(); // the client sends notifications/cancelled
    let outcome = tokio::time::timeout(Duration::from_secs(30), ended)
        .await
        .expect("the request ended long before its pause would have")
        .unwrap();
    let e = outcome.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e:?}");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    c.ping().await.unwrap();
}

/// A tool whose runs fail with `error` while `fails` says so (decremented by each failure);
/// counts its runs.
fn flaky_tool(
    name: &str,
    fails: &Arc<AtomicUsize>,
    error: fn() -> Error,
    runs: &Arc<AtomicUsize>,
) -> fastmcp::core::FnTool {
    let (fails, runs) = (fails.clone(), runs.clone());
    let def = fastmcp::protocol::Tool::new(name, serde_json::json!({"type": "object"}));
    fastmcp::core::FnTool::new(def, move |_, _| {
        let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
        let fail = fails
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        async move {
            if fail {
                Err(error())
            } else {
                Ok(fastmcp::protocol::CallToolResult::text(format!(
                    "ok on run {run}"
                )))
            }
        }
    })
}

fn text_of(r: &fastmcp::protocol::CallToolResult) -> String {
    let v = serde_json::to_value(r).unwrap();
    v["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_tool_opted_in_is_run_again_when_it_fails_transiently() {
    let fails = Arc::new(AtomicUsize::new(0));
    let (lookup, other, refusing) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let s = Server::new("retry", "0")
        .tool(flaky_tool("lookup", &fails, busy, &lookup))
        .tool(flaky_tool("other", &fails, busy, &other))
        .tool(flaky_tool(
            "refusing",
            &fails,
            || Error::tool("no such city"),
            &refusing,
        ))
        .middleware(retry().retry_tool("lookup").retry_tool("refusing"))
        .start()
        .await
        .unwrap();
    let json = serde_json::json!({});
    for (name, c) in clients(&s).await {
        // Two transient failures of the handler, then success: one answer, three runs.
        fails.store(2, Ordering::SeqCst);
        let before = lookup.load(Ordering::SeqCst);
        let r = c.call_tool("lookup", json.clone()).await.unwrap();
        assert_eq!(r.is_error, None, "{name}: {r:?}");
        assert!(text_of(&r).starts_with("ok on run"), "{name}: {r:?}");
        assert_eq!(lookup.load(Ordering::SeqCst) - before, 3, "{name}");
        // Failing every time: three runs, then the last run's isError result.
        fails.store(usize::MAX, Ordering::SeqCst);
        let before = lookup.load(Ordering::SeqCst);
        let r = c.call_tool("lookup", json.clone()).await.unwrap();
        assert_eq!(r.is_error, Some(true), "{name}: {r:?}");
        assert!(text_of(&r).contains("busy"), "{name}: {r:?}");
        assert_eq!(lookup.load(Ordering::SeqCst) - before, 3, "{name}");
        // A tool not opted in runs once.
        fails.store(1, Ordering::SeqCst);
        let before = other.load(Ordering::SeqCst);
        let r = c.call_tool("other", json.clone()).await.unwrap();
        assert_eq!(r.is_error, Some(true), "{name}: {r:?}");
        assert_eq!(other.load(Ordering::SeqCst) - before, 1, "{name}");
        // A failure that is not transient runs once, even opted in.
        fails.store(1, Ordering::SeqCst);
        let before = refusing.load(Ordering::SeqCst);
        let r = c.call_tool("refusing", json.clone()).await.unwrap();
        assert_eq!(r.is_error, Some(true), "{name}: {r:?}");
        assert_eq!(text_of(&r), "no such city", "{name}");
        assert_eq!(refusing.load(Ordering::SeqCst) - before, 1, "{name}");
    }
}
