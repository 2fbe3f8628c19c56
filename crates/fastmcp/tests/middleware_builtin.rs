//! The built-in middleware: `Logging` (tracing events, human or JSON), `ResponseSizeLimit`,
//! `ErrorHandling` (mapping and masking).

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use fastmcp::core::{Context, Error, ErrorKind, FnTool};
use fastmcp::server::middleware::{ErrorHandling, Logging, ResponseSizeLimit};
use fastmcp::server::RunningServer;
use fastmcp::Server;
use serde_json::json;
use support::{client, modes, Recorder};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Size {
    n: usize,
}

fn server() -> Server {
    Server::new("builtin", "0")
        .tool(FnTool::typed(
            "text",
            "",
            |_: Context, s: Size| async move { "x".repeat(s.n) },
        ))
        .tool(FnTool::typed(
            "broken",
            "",
            |_: Context, s: Size| async move {
                // A handler that panics is a protocol error (-32603), not a tool result.
                assert!(s.n > 0, "database password is hunter2");
                "fine".to_owned()
            },
        ))
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

async fn call(s: &RunningServer, name: &str, n: usize) -> Result<String, Error> {
    let c = client(s, modes()[0], Recorder::default()).await;
    let r = c
        .request_value(
            "tools/call",
            json!({"name": name, "arguments": {"n": n}}),
            None,
        )
        .await?;
    Ok(r.to_string())
}

#[tokio::test]
async fn logging_emits_structured_events_with_duration_and_outcome() {
    let out = Captured::default();
    let w = out.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || w.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let s = server()
        .middleware(Logging::new().with_payloads())
        .start()
        .await
        .unwrap();
    call(&s, "text", 3).await.unwrap();
    let _ = call(&s, "unknown", 1).await;
    let events: Vec<serde_json::Value> = out
        .text()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|v: &serde_json::Value| v["target"] == "fastmcp::request")
        .collect();
    let answered = events
        .iter()
        .find(|v| v["fields"]["message"] == "answered" && v["fields"]["name"] == "text")
        .unwrap_or_else(|| panic!("no answered event: {events:#?}"));
    assert_eq!(answered["fields"]["method"], "tools/call");
    assert!(answered["fields"]["duration_us"].is_u64());
    let started = events
        .iter()
        .find(|v| v["fields"]["message"] == "request" && v["fields"]["name"] == "text")
        .expect("a start event");
    assert!(started["fields"]["params"]
        .as_str()
        .unwrap()
        .contains("\"n\":3"));
    let failed = events
        .iter()
        .find(|v| v["fields"]["message"] == "failed")
        .expect("a failure event");
    assert_eq!(failed["fields"]["error_code"], -32602);
}

#[tokio::test]
async fn a_response_over_the_size_limit_is_refused_and_smaller_ones_pass() {
    let s = server()
        .middleware(ResponseSizeLimit::new(10_000))
        .start()
        .await
        .unwrap();
    assert!(call(&s, "text", 100).await.is_ok());
    let e = call(&s, "text", 20_000).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(e.message().contains("10000 bytes"), "{e}");
    assert!(call(&s, "text", 100).await.is_ok(), "the server goes on");
}

#[tokio::test]
async fn errors_are_mapped_and_internal_details_masked() {
    let plain = server().start().await.unwrap();
    let e = call(&plain, "broken", 0).await.unwrap_err();
    assert_eq!(e.code(), -32603, "{e}");
    assert!(
        e.message().contains("hunter2"),
        "without the middleware: {e}"
    );
    let masked = server()
        .middleware(ErrorHandling::new().mask_internal(true))
        .start()
        .await
        .unwrap();
    let e = call(&masked, "broken", 0).await.unwrap_err();
    assert_eq!((e.code(), e.message()), (-32603, "Internal error"));
    let mapped = server()
        .middleware(ErrorHandling::new().map(|method, e| match e.kind() {
            ErrorKind::InvalidParams => Error::invalid_params(format!("{method}: try again")),
            _ => e,
        }))
        .start()
        .await
        .unwrap();
    let e = call(&mapped, "unknown", 0).await.unwrap_err();
    assert_eq!(e.message(), "tools/call: try again");
}
