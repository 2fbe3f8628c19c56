//! Dropping the last handle of a client ends its connection: its tasks end, and a
//! Streamable HTTP session is ended on the server (DELETE). Before, the client's reader
//! and the transport held each other alive, so every dropped HTTP client leaked its
//! tasks and left its session to the idle timeout (found by the chaos run of
//! `benches/soak.sh`: the driver's tasks grew by about a hundred per server restart, as
//! the resilient clients replaced their connections).

use std::time::{Duration, Instant};

use fastmcp::client::Client;
use fastmcp::prelude::*;
use fastmcp::server::{HttpOptions, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::json;
use tokio::runtime::Runtime;

/// Answers at once.
#[tool]
async fn hello() -> String {
    "hello".into()
}

/// The server, in a runtime of its own so that the client's runtime counts only the
/// client's tasks.
fn serve() -> (Runtime, RunningServer, String) {
    let rt = Runtime::new().unwrap();
    let (running, url) = rt.block_on(async {
        let running = Server::new("drop", "1").tool(hello).start().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let r = running.clone();
        tokio::spawn(async move { r.serve_http(listener, HttpOptions::default()).await });
        (running, url)
    });
    (rt, running, url)
}

/// Poll `f` until it holds, for up to 10 s; whether it did.
fn eventually(mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_dropped_http_client_ends_its_tasks_and_its_session() {
    let (_server_rt, running, url) = serve();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let alive = || rt.metrics().num_alive_tasks();
    let before = alive();
    // The server at rest, its accept loop running.
    std::thread::sleep(Duration::from_millis(300));
    let server_before = running.live_tasks();
    for _ in 0..5 {
        let client = rt
            .block_on(Client::connect(StreamableHttp::new(url.clone())))
            .unwrap();
        let r = rt.block_on(client.call_tool("hello", json!({}))).unwrap();
        assert!(!r.is_error.unwrap_or(false));
        assert!(alive() > before, "a connected client runs tasks");
        drop(client);
        // Let the client's tasks run to their end (the DELETE goes out on one of them).
        rt.block_on(async {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
                > before
                && tokio::time::Instant::now() < deadline
            {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        });
        assert_eq!(alive(), before, "the dropped client's tasks ended");
    }
    assert!(
        eventually(|| running.live_tasks() <= server_before),
        "the server ended the sessions: {} live tasks, {server_before} before",
        running.live_tasks()
    );
}
