//! A response stream cut by a server crash: the client resumes it with `Last-Event-ID`, the
//! restarted server no longer knows the session (404), and the request, which may have
//! run, ends with an error. It is not sent again to the new session (found by the chaos
//! run of `benches/soak.sh`: a tool with progress ran twice and reported twice).

mod rebind;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::prelude::*;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::json;
use tokio::runtime::Runtime;

static RUNS: AtomicU32 = AtomicU32::new(0);

/// Counts its runs, reports progress, then works for a long time.
#[tool]
async fn step(ctx: &Context) -> Result<String, Error> {
    RUNS.fetch_add(1, Ordering::SeqCst);
    ctx.report_progress(1.0, Some(2.0), Some("started")).await?;
    ctx.sleep(Duration::from_secs(30)).await?;
    Ok("done".into())
}

/// Answers at once.
#[tool]
async fn quick() -> String {
    "quick".into()
}

/// A server on `addr` in a runtime of its own, so that dropping the runtime ends it as a
/// crash would: no answer, no goodbye, connections cut.
fn crashable(addr: std::net::SocketAddr) -> Runtime {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let running = Server::new("crashable", "1")
            .components((step, quick))
            .start()
            .await
            .unwrap();
        // The last server's listener may still be closing.
        let listener = rebind::bind_again(addr).await;
        tokio::spawn(async move { running.serve_http(listener, HttpOptions::default()).await });
    });
    rt
}

#[test]
fn a_request_whose_stream_a_crash_cut_is_not_sent_again_to_the_new_session() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let first = crashable(addr);
    let rt = Runtime::new().unwrap();
    let client = rt
        .block_on(Client::connect(StreamableHttp::new(format!(
            "http://{addr}/mcp"
        ))))
        .unwrap();
    let (started, on_start) = tokio::sync::oneshot::channel();
    let started = Arc::new(Mutex::new(Some(started)));
    let c = client.clone();
    let call = rt.spawn(async move {
        c.call_tool_with_progress("step", json!({}), move |_| {
            if let Some(s) = started.lock().unwrap().take() {
                let _ = s.send(());
            }
        })
        .await
    });
    rt.block_on(on_start).unwrap();
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);

    first.shutdown_background();
    let _second = crashable(addr);
    let ended = rt
        .block_on(async { tokio::time::timeout(Duration::from_secs(20), call).await })
        .expect("the call ends")
        .unwrap();
    let e = ended.expect_err("the request's stream was cut before its response");
    assert!(e.to_string().contains("may have run"), "{e}");
    assert_eq!(RUNS.load(Ordering::SeqCst), 1, "the request was sent again");

    // The next request starts a new session.
    let r = rt.block_on(client.call_tool("quick", json!({}))).unwrap();
    assert!(!r.is_error.unwrap_or(false));
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);
}
