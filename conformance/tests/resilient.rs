//! The resilient client (`fastmcp::client::resilient::Resilient`): it reconnects to an HTTP
//! server that restarted and to a stdio server that was killed (started again), restores
//! the log level and the subscriptions on the new session, retries what is safe and only
//! that, and its circuit breaker opens, half-opens and closes as documented.

mod rebind;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fastmcp::client::resilient::{
    Backoff, BreakerOptions, BreakerState, Pool, PoolOptions, Resilient, ResilientOptions,
};
use fastmcp::client::Client;
use fastmcp::prelude::*;
use fastmcp::protocol::LoggingLevel;
use fastmcp::server::{HttpOptions, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::ChildTransport;
use serde_json::{json, Value};

/// What this session has set: its log level and whether it is subscribed.
#[tool(annotations(idempotent = true))]
async fn session_state(ctx: &Context) -> String {
    let level = ctx.session().log_level().map(|l| format!("{l:?}"));
    json!({
        "level": level,
        "subscribed": ctx.session().is_subscribed("test://watched"),
    })
    .to_string()
}

/// This session's id.
#[tool(annotations(idempotent = true))]
async fn session_id(ctx: &Context) -> String {
    ctx.session().id().unwrap_or_default().to_owned()
}

/// Not idempotent: it counts.
#[tool]
async fn bump() -> String {
    "bumped".into()
}

/// A resource to subscribe to.
#[resource(uri = "test://watched")]
async fn watched() -> String {
    "watched".into()
}

fn fast_backoff() -> ResilientOptions {
    ResilientOptions {
        backoff: Backoff {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(200),
            attempts: 20,
        },
        breaker: None,
    }
}

/// A free address on the loopback.
fn free_addr() -> std::net::SocketAddr {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap()
}

/// Serve the test server on `addr` until the returned server is shut down.
async fn serve(addr: std::net::SocketAddr) -> RunningServer {
    let running = Server::new("resilient", "1")
        .components((session_state, session_id, bump, watched))
        .start()
        .await
        .unwrap();
    // The last server's listener may still be closing.
    let listener = rebind::bind_again(addr).await;
    let r = running.clone();
    tokio::spawn(async move { r.serve_http(listener, HttpOptions::default()).await });
    running
}

fn text(r: &fastmcp::protocol::CallToolResult) -> Value {
    let v = serde_json::to_value(&r.content).unwrap();
    serde_json::from_str(v[0]["text"].as_str().unwrap()).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_http_server_restarts_and_the_session_comes_back_as_it_was() {
    let addr = free_addr();
    let first = serve(addr).await;
    let url = format!("http://{addr}/mcp");
    let client = Resilient::with_options(
        move || Client::connect(StreamableHttp::new(url.clone())),
        fast_backoff(),
    );
    client.set_log_level(LoggingLevel::Debug).await.unwrap();
    client.subscribe("test://watched").await.unwrap();
    let state = || async {
        let r = client.call_tool("session_state", json!({})).await.unwrap();
        text(&r)
    };
    let restored = json!({"level": "Debug", "subscribed": true});
    assert_eq!(state().await, restored);
    assert_eq!(client.connections(), 1);

    // Restarted before the next request: the server answers the old session 404, and the
    // connection itself starts a new session, with the level and subscription set again.
    first.shutdown().await.unwrap();
    let second = serve(addr).await;
    // Its GET stream reconnects to the new server and learns (404) that the session ended.
    // Waiting for that keeps the next request off a keep-alive connection the old server
    // may still be closing (a transport error there costs the connection, not only the
    // session: correct, but not the path this step checks).
    let current = client.client().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while current.session_id().is_some() {
        assert!(
            std::time::Instant::now() < deadline,
            "the GET stream saw no 404"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(state().await, restored);
    assert_eq!(
        client.connections(),
        1,
        "the same connection, a new session"
    );

    // Down when the next request goes out: the connection is lost, and a new one is made
    // (with backoff) once the server is back, set up as the old one was.
    second.shutdown().await.unwrap();
    let back = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        serve(addr).await
    });
    assert_eq!(client.list_tools().await.unwrap().len(), 3);
    assert_eq!(client.connections(), 2);
    assert_eq!(state().await, restored);

    // Not idempotent: a call that meets a dead connection is not made again.
    back.await.unwrap().shutdown().await.unwrap();
    let calls = Arc::new(AtomicU32::new(0));
    let e = client.call_tool("bump", json!({})).await;
    assert!(e.is_err(), "the server is down");
    let _fourth = serve(addr).await;
    assert!(!client
        .call_tool("bump", json!({}))
        .await
        .unwrap()
        .is_error());
    drop(calls);
}

fn kill(pid: u32) {
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
}

/// The pids of this process's children named `conformance-ser…`.
fn conformance_children() -> Vec<u32> {
    let me = std::process::id();
    let mut out = vec![];
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((left, right)) = stat.rsplit_once(')') else {
            continue;
        };
        let comm = left.split_once('(').map(|x| x.1).unwrap_or("");
        let ppid: u32 = right
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        if ppid == me && comm.starts_with("conformance-ser") {
            out.push(entry.file_name().to_string_lossy().parse().unwrap());
        }
    }
    out
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_stdio_server_is_started_again() {
    let client = Resilient::with_options(
        || {
            Client::connect(
                ChildTransport::new(env!("CARGO_BIN_EXE_conformance-server"))
                    .arg("--stdio")
                    .env("FASTMCP_NO_BANNER", "1"),
            )
        },
        fast_backoff(),
    );
    client.set_log_level(LoggingLevel::Warning).await.unwrap();
    client.subscribe("test://watched-resource").await.unwrap();
    assert!(!client.list_tools().await.unwrap().is_empty());
    let before = conformance_children();
    assert_eq!(before.len(), 1, "{before:?}");
    // A call in flight when the server dies ends with an error and is not made again (the
    // tool does not say it is idempotent: it may have run).
    let slow = {
        let c = client.clone();
        tokio::spawn(async move { c.call_tool("slow_compute", json!({"seconds": 5})).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    kill(before[0]);
    let e = tokio::time::timeout(Duration::from_secs(3), slow)
        .await
        .expect("no hang")
        .unwrap()
        .expect_err("the server died");
    assert!(!e.message().is_empty());
    assert_eq!(client.connections(), 1, "not retried");
    // The next request finds no server, starts a new one and is answered there.
    let tools = client.list_tools().await.unwrap();
    assert!(!tools.is_empty());
    assert_eq!(client.connections(), 2);
    let after = conformance_children();
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after, before, "a new process");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_breaker_opens_half_opens_and_closes() {
    let addr = free_addr();
    let attempts = Arc::new(AtomicU32::new(0));
    let counted = attempts.clone();
    let url = format!("http://{addr}/mcp");
    let client = Resilient::with_options(
        move || {
            counted.fetch_add(1, Ordering::SeqCst);
            Client::connect(StreamableHttp::new(url.clone()))
        },
        ResilientOptions {
            backoff: Backoff {
                initial: Duration::from_millis(10),
                max: Duration::from_millis(20),
                attempts: 2,
            },
            breaker: Some(BreakerOptions {
                failures: 3,
                open_for: Duration::from_millis(400),
            }),
        },
    );
    // Nothing listens: two attempts, then two more: the breaker opens at the third failure.
    assert!(client.list_tools().await.is_err());
    assert_eq!(client.breaker_state(), BreakerState::Closed);
    assert!(client.list_tools().await.is_err());
    assert_eq!(client.breaker_state(), BreakerState::Open);
    let tried = attempts.load(Ordering::SeqCst);
    assert_eq!(
        tried, 3,
        "the fourth attempt is refused by the open breaker"
    );
    // Open: fails at once, without trying the server.
    let started = Instant::now();
    let e = client.list_tools().await.unwrap_err();
    assert!(e.message().contains("circuit open"), "{}", e.message());
    assert!(started.elapsed() < Duration::from_millis(100));
    assert_eq!(attempts.load(Ordering::SeqCst), tried);
    // After the open time: half-open; the server is back, the trial closes it.
    let _server = serve(addr).await;
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert_eq!(client.breaker_state(), BreakerState::HalfOpen);
    assert_eq!(client.list_tools().await.unwrap().len(), 3);
    assert_eq!(client.breaker_state(), BreakerState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_spreads_requests_and_its_health_checks_follow_the_server() {
    let addr = free_addr();
    let server = serve(addr).await;
    let url = format!("http://{addr}/mcp");
    let pool = Pool::new(
        move || Client::connect(StreamableHttp::new(url.clone())),
        PoolOptions {
            size: 3,
            health_interval: Duration::from_millis(150),
            resilient: ResilientOptions {
                backoff: Backoff {
                    initial: Duration::from_millis(10),
                    max: Duration::from_millis(50),
                    attempts: 2,
                },
                breaker: None,
            },
        },
    );
    // Six calls in turn: three sessions, two calls each.
    let mut ids = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..6 {
        let r = pool.get().call_tool("session_id", json!({})).await.unwrap();
        let v = serde_json::to_value(&r.content).unwrap();
        *ids.entry(v[0]["text"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    assert_eq!(
        ids.values().copied().collect::<Vec<_>>(),
        [2, 2, 2],
        "{ids:?}"
    );
    assert_eq!(pool.healthy(), 3);

    // The server goes away: the checks mark every member unhealthy.
    server.shutdown().await.unwrap();
    healthy_becomes(&pool, 0).await;
    // Back: every member reconnects through its check, and requests flow again.
    let _again = serve(addr).await;
    healthy_becomes(&pool, 3).await;
    assert!(!pool
        .get()
        .call_tool("bump", json!({}))
        .await
        .unwrap()
        .is_error());
}

async fn healthy_becomes(pool: &Pool, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while pool.healthy() != want {
        assert!(
            Instant::now() < deadline,
            "healthy stays {} (want {want})",
            pool.healthy()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_sse_and_websocket_reconnect_after_a_restart_too() {
    use fastmcp::transport::sse_client::LegacySse;
    use fastmcp::transport::ws_client::WebSocket;
    for kind in ["sse", "ws"] {
        let addr = free_addr();
        let first = serve(addr).await;
        let client = Resilient::with_options(
            move || async move {
                match kind {
                    "sse" => Client::connect(LegacySse::new(format!("http://{addr}/sse"))).await,
                    _ => Client::connect(WebSocket::new(format!("ws://{addr}/ws"))).await,
                }
            },
            fast_backoff(),
        );
        client.set_log_level(LoggingLevel::Debug).await.unwrap();
        client.subscribe("test://watched").await.unwrap();
        let restored = json!({"level": "Debug", "subscribed": true});
        let r = client.call_tool("session_state", json!({})).await.unwrap();
        assert_eq!(text(&r), restored, "{kind}");
        first.shutdown().await.unwrap();
        let _second = serve(addr).await;
        let r = client.call_tool("session_state", json!({})).await.unwrap();
        assert_eq!(
            text(&r),
            restored,
            "{kind}: a new connection, set up as before"
        );
        assert_eq!(client.connections(), 2, "{kind}");
    }
}
