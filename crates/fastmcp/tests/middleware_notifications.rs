//! `Middleware::on_notification`: a client's notifications pass the middleware's hooks,
//! in order, before the server acts on them; a hook may drop one (a dropped
//! `notifications/cancelled` cancels nothing). In memory, over Streamable HTTP and over
//! WebSocket (handshake era: the era with client notifications to a session), and a
//! notification POSTed to a stateless-era endpoint.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, Error};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::{McpNotification, Middleware};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::{tool, Server};
use serde_json::json;
use support::Recorder;

type Log = Arc<Mutex<Vec<String>>>;

/// Finished `hold` calls, one counter per test (tests of one binary run at once).
static FINISHED: [AtomicUsize; 2] = [AtomicUsize::new(0), AtomicUsize::new(0)];
const ORDER: usize = 0;
const DROP: usize = 1;

/// Holds for `ms` milliseconds (cancellably), then counts itself finished in `counter`.
#[tool]
async fn hold(ctx: &Context, ms: u64, counter: usize) -> Result<String, Error> {
    ctx.sleep(Duration::from_millis(ms)).await?;
    FINISHED[counter % 2].fetch_add(1, Ordering::SeqCst);
    Ok("held".into())
}

/// Records the notifications it sees under its name; drops `notifications/cancelled` when
/// `deaf`.
struct Notes {
    name: &'static str,
    log: Log,
    deaf: bool,
}

impl Middleware for Notes {
    fn on_notification(&self, note: McpNotification) -> Option<McpNotification> {
        let entry = format!("{}:{}", self.name, note.method());
        self.log.lock().unwrap().push(entry);
        if self.deaf && note.method() == "notifications/cancelled" {
            return None;
        }
        Some(note)
    }
}

fn server(log: &Log, deaf: bool) -> Server {
    Server::new("notes", "0")
        .tool(hold)
        .middleware(Notes {
            name: "outer",
            log: log.clone(),
            deaf,
        })
        .middleware(Notes {
            name: "inner",
            log: log.clone(),
            deaf: false,
        })
}

/// Waits (up to 10 s) until `log` has `entry`.
async fn wait_for(log: &Log, entry: &str) {
    for _ in 0..1000 {
        if log.lock().unwrap().iter().any(|e| e == entry) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never saw {entry}: {:?}", log.lock().unwrap());
}

async fn handshake_clients(s: &fastmcp::server::RunningServer) -> Vec<(&'static str, Client)> {
    let addr = support::serve_http(s, Default::default()).await;
    let mode = Mode::Handshake(ProtocolVersion::V2025_11_25);
    let memory = support::client(s, mode, Recorder::default()).await;
    let http = Client::builder()
        .mode(mode)
        .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
        .await
        .unwrap();
    let ws = Client::builder()
        .mode(mode)
        .connect(WebSocket::new(format!("ws://{addr}/ws")))
        .await
        .unwrap();
    vec![("in-memory", memory), ("HTTP", http), ("WebSocket", ws)]
}

#[tokio::test]
async fn notifications_pass_the_hooks_in_order_on_every_transport() {
    let log = Log::default();
    let s = server(&log, false).start().await.unwrap();
    let clients = handshake_clients(&s).await;
    // Each client's `initialized`, outer hook first.
    for _ in 0..1000 {
        let n = log.lock().unwrap().len();
        if n >= 2 * clients.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let seen = std::mem::take(&mut *log.lock().unwrap());
    assert_eq!(seen.len(), 2 * clients.len(), "{seen:?}");
    let count = |e: &str| seen.iter().filter(|s| *s == e).count();
    assert_eq!(count("outer:notifications/initialized"), clients.len());
    assert_eq!(count("inner:notifications/initialized"), clients.len());
    assert_eq!(seen[0], "outer:notifications/initialized", "{seen:?}");
    for (name, c) in clients {
        c.notify("notifications/roots/list_changed", json!({}))
            .await
            .unwrap();
        wait_for(&log, "inner:notifications/roots/list_changed").await;
        log.lock().unwrap().clear();
        // A cancelled call: the cancellation passes the hooks and stops the handler.
        let before = FINISHED[ORDER].load(Ordering::SeqCst);
        let call = c.call_tool("hold", json!({"ms": 800, "counter": ORDER}));
        let _ = tokio::time::timeout(Duration::from_millis(200), call).await;
        wait_for(&log, "inner:notifications/cancelled").await;
        tokio::time::sleep(Duration::from_millis(1000)).await;
        assert_eq!(
            FINISHED[ORDER].load(Ordering::SeqCst),
            before,
            "{name}: the cancelled call did not finish"
        );
        log.lock().unwrap().clear();
    }
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_hook_can_drop_a_notification() {
    let log = Log::default();
    let s = server(&log, true).start().await.unwrap();
    let c = support::client(
        &s,
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Recorder::default(),
    )
    .await;
    let before = FINISHED[DROP].load(Ordering::SeqCst);
    let call = c.call_tool("hold", json!({"ms": 300, "counter": DROP}));
    let _ = tokio::time::timeout(Duration::from_millis(100), call).await;
    wait_for(&log, "outer:notifications/cancelled").await;
    // The outer hook dropped it: the inner one never saw it, and the call ran to its end.
    for _ in 0..500 {
        if FINISHED[DROP].load(Ordering::SeqCst) > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        FINISHED[DROP].load(Ordering::SeqCst) > before,
        "the call finished"
    );
    assert!(
        !log.lock()
            .unwrap()
            .iter()
            .any(|e| e == "inner:notifications/cancelled"),
        "{:?}",
        log.lock().unwrap()
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_stateless_era_notification_passes_the_hooks_too() {
    let log = Log::default();
    let s = server(&log, false).start().await.unwrap();
    let addr = support::serve_http(&s, Default::default()).await;
    let method = "notifications/roots/list_changed";
    let body = json!({"jsonrpc": "2.0", "method": method, "params": {"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .header("mcp-method", method)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202, "{:?}", r.text().await);
    wait_for(&log, "inner:notifications/roots/list_changed").await;
    assert_eq!(
        log.lock().unwrap().first().map(String::as_str),
        Some("outer:notifications/roots/list_changed")
    );
    s.shutdown().await.unwrap();
}
