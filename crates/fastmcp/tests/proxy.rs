//! The proxy (`fastmcp::proxy`): our server in front of another of ours over every client
//! transport (in memory, Streamable HTTP in both eras, legacy HTTP+SSE, WebSocket, a stdio
//! child), driven by our client in both eras: lists, calls with progress and logs,
//! sampling and elicitation round trips, resources, templates, prompts and completions
//! pass through; cancelling a call cancels the upstream one; the upstream server's list
//! changes reach the proxy's clients; the upstream connection carries the proxy's own
//! credentials, never the caller's; an MCPConfig of two servers is namespaced.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use fastmcp::client::{Client, ClientBuilder, McpConfig, Mode};
use fastmcp::core::Error;
use fastmcp::prelude::*;
use fastmcp::protocol::ProtocolVersion;
use fastmcp::proxy::{proxy_config, Proxy, Sessions};
use fastmcp::server::{McpNotification, Middleware, RunningServer, ServerHandle};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use serde_json::json;
use support::{child_server, serve_http, serve_stdio_when, tool_names, Recorder, CHILD_ARGS};

/// Tomorrow's weather in a city.
#[tool]
async fn forecast(ctx: Context, city: String) -> Result<String, Error> {
    ctx.report_progress(0.5, Some(1.0), Some("looking")).await?;
    ctx.info(format!("forecast for {city}")).await?;
    Ok(format!("Sunny in {city}"))
}

/// Asks the client's model, then the user.
#[tool]
async fn ask(ctx: Context) -> Result<String, Error> {
    let said = ctx.sample_text("Which city?", 10).await?;
    let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}}});
    let answer = ctx.elicit_raw("Confirm?", schema).await?;
    Ok(format!("{said}; {:?} {:?}", answer.action, answer.content))
}

/// The `x-api-key` header this server received.
#[tool]
async fn whoami(ctx: Context) -> String {
    let key = ctx.http().and_then(|h| h.headers.get("x-api-key"));
    key.and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_owned()
}

static STEPS: AtomicUsize = AtomicUsize::new(0);
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Counts steps until cancelled.
#[tool]
async fn steps(ctx: Context) -> Result<String, Error> {
    loop {
        if ctx.sleep(Duration::from_millis(20)).await.is_err() {
            STOPPED.store(true, Ordering::SeqCst);
            return Err(Error::internal("cancelled"));
        }
        STEPS.fetch_add(1, Ordering::SeqCst);
    }
}

/// The cities with a forecast.
#[resource("weather://cities", mime_type = "text/plain")]
fn cities() -> String {
    "Paris, Oslo".into()
}

fn city_names(prefix: &str) -> Vec<String> {
    ["oslo", "paris"]
        .iter()
        .filter(|c| c.starts_with(prefix))
        .map(|c| c.to_string())
        .collect()
}

/// One city's page.
#[resource("weather://city/{name}", complete(name = city_names))]
fn city_page(name: String) -> String {
    format!("page of {name}")
}

/// Review some code.
#[prompt]
fn review(code: String) -> String {
    format!("Please review: {code}")
}

/// Adds two numbers (added while running).
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

static ROOTS_CHANGED: AtomicUsize = AtomicUsize::new(0);

/// Counts the `notifications/roots/list_changed` the backend receives.
struct CountRoots;

impl Middleware for CountRoots {
    fn on_notification(&self, note: McpNotification) -> Option<McpNotification> {
        if note.method() == "notifications/roots/list_changed" {
            ROOTS_CHANGED.fetch_add(1, Ordering::SeqCst);
        }
        Some(note)
    }
}

fn backend() -> Server {
    Server::new("backend", "1.0.0")
        .middleware(CountRoots)
        .tool(forecast)
        .tool(ask)
        .tool(whoami)
        .tool(steps)
        .resource(cities)
        .resource(city_page)
        .prompt(review)
}

#[test]
fn child_stdio_server() {
    serve_stdio_when("FASTMCP_PROXY_BACKEND", backend);
}

/// The ways to reach the upstream server.
#[derive(Debug, Clone, Copy)]
enum Up {
    Memory,
    Http(Mode),
    Sse,
    Ws,
    Stdio,
}

const UPS: [Up; 6] = [
    Up::Memory,
    Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25)),
    Up::Http(Mode::Stateless(ProtocolVersion::V2026_07_28)),
    Up::Sse,
    Up::Ws,
    Up::Stdio,
];

/// A proxy of `running` (served over HTTP at `addr`) reached by `up`; HTTP connections send
/// `x-api-key: proxy-key`.
fn proxy_of(up: Up, running: &RunningServer, addr: std::net::SocketAddr) -> Proxy {
    let running = running.clone();
    Proxy::new(move |b: ClientBuilder| {
        let running = running.clone();
        async move {
            match up {
                Up::Memory => b.connect(running.connect_in_memory()).await,
                Up::Http(mode) => {
                    let t = StreamableHttp::new(format!("http://{addr}/mcp"));
                    b.mode(mode)
                        .connect(t.header("x-api-key", "proxy-key"))
                        .await
                }
                Up::Sse => {
                    let t = LegacySse::new(format!("http://{addr}/sse"));
                    b.connect(t.header("x-api-key", "proxy-key")).await
                }
                Up::Ws => {
                    let t = WebSocket::new(format!("ws://{addr}/ws"));
                    b.connect(t.header("x-api-key", "proxy-key")).await
                }
                Up::Stdio => b.connect(child_server("FASTMCP_PROXY_BACKEND")).await,
            }
        }
    })
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    serde_json::to_value(&r.content[0]).unwrap()["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Everything a client uses, through `proxy` (a started server), in `mode`.
async fn exercise(label: &str, proxy: &RunningServer, mode: Mode) {
    let rec = Recorder {
        answer: serde_json::Map::from_iter([("ok".to_owned(), json!(true))]),
        ..Default::default()
    };
    let c = support::client(proxy, mode, rec.clone()).await;
    let names = tool_names(&c).await;
    assert_eq!(names, ["ask", "forecast", "steps", "whoami"], "{label}");

    let progress = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let seen = progress.clone();
    let r = c
        .call_tool_with_progress("forecast", json!({"city": "Oslo"}), move |p| {
            seen.lock().unwrap().push(p.message.unwrap_or_default())
        })
        .await
        .unwrap();
    assert_eq!(text(&r), "Sunny in Oslo", "{label}");
    assert_eq!(*progress.lock().unwrap(), ["looking"], "{label}: progress");
    let logs: Vec<_> = rec
        .logs
        .lock()
        .unwrap()
        .iter()
        .map(|l| l.data.clone())
        .collect();
    assert_eq!(
        logs,
        [json!("forecast for Oslo")],
        "{label}: the upstream log, before the answer"
    );

    let r = c.call_tool("ask", json!({})).await.unwrap();
    assert_eq!(
        text(&r),
        r#"sampled 1 message(s); Accept Some({"ok": Bool(true)})"#,
        "{label}: sampling and elicitation"
    );
    assert_eq!(*rec.elicitations.lock().unwrap(), ["Confirm?"], "{label}");

    let r = c.read_resource("weather://cities").await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["contents"][0]["text"], "Paris, Oslo", "{label}");
    let r = c.read_resource("weather://city/oslo").await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(
        v["contents"][0]["text"], "page of oslo",
        "{label}: a template"
    );
    let e = c.read_resource("nowhere://x").await.unwrap_err();
    // Resource not found: -32002 in the handshake era, -32602 in 2026-07-28.
    assert!([-32002, -32602].contains(&e.code()), "{label}: {e}");
    assert!(e.message().contains("nowhere://x"), "{label}: {e}");

    let done = c
        .complete_resource("weather://city/{name}", "name", "os")
        .await
        .unwrap();
    assert_eq!(done.completion.values, ["oslo"], "{label}: completion");

    let p = c
        .get_prompt("review", json!({"code": "fn main() {}"}))
        .await
        .unwrap();
    let v = serde_json::to_value(&p).unwrap();
    let said = v["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(said, "Please review: fn main() {}", "{label}: a prompt");

    let e = c.call_tool("nope", json!({})).await.unwrap_err();
    assert!(e.message().contains("nope"), "{label}: {e}");
}

#[tokio::test]
async fn a_proxy_passes_everything_through_over_every_upstream_transport() {
    let running = backend().start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    for up in UPS {
        for sessions in [Sessions::PerSession, Sessions::Shared] {
            let proxy = proxy_of(up, &running, addr).sessions(sessions);
            let front = proxy.into_server("front").start().await.unwrap();
            for mode in support::modes() {
                exercise(&format!("{up:?} {sessions:?} {mode:?}"), &front, mode).await;
            }
            front.shutdown().await.unwrap();
        }
    }
}

#[tokio::test]
async fn the_upstream_connection_carries_the_proxys_credentials_not_the_callers() {
    let running = backend().start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    for up in [UPS[1], UPS[2], Up::Sse, Up::Ws] {
        let front = proxy_of(up, &running, addr)
            .into_server("front")
            .start()
            .await
            .unwrap();
        let front_addr = serve_http(&front, Default::default()).await;
        let t = StreamableHttp::new(format!("http://{front_addr}/mcp"))
            .header("x-api-key", "caller-key")
            .header("authorization", "Bearer caller-token");
        let c = Client::connect(t).await.unwrap();
        let r = c.call_tool("whoami", json!({})).await.unwrap();
        assert_eq!(
            text(&r),
            "proxy-key",
            "{up:?}: upstream sees the proxy's own key"
        );
        c.close().await.unwrap();
        front.shutdown().await.unwrap();
    }
}

#[tokio::test]
async fn cancelling_a_call_through_the_proxy_cancels_the_upstream_one() {
    let running = backend().start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let up = Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25));
    let front = proxy_of(up, &running, addr)
        .into_server("front")
        .start()
        .await
        .unwrap();
    let c = support::client(&front, support::modes()[0], Recorder::default()).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("steps", json!({})).await }
    });
    while STEPS.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    call.abort(); // the client sends notifications/cancelled to the proxy
    for _ in 0..500 {
        if STOPPED.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        STOPPED.load(Ordering::SeqCst),
        "the upstream handler saw the cancellation"
    );
    c.ping().await.unwrap();
}

#[tokio::test]
async fn the_upstream_servers_list_changes_reach_the_proxys_clients() {
    let back = backend();
    let handle: ServerHandle = back.handle();
    let running = back.start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let up = Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25));
    let front = proxy_of(up, &running, addr)
        .into_server("front")
        .start()
        .await
        .unwrap();
    let rec = Recorder::default();
    let c = support::client(&front, support::modes()[0], rec.clone()).await;
    assert_eq!(tool_names(&c).await.len(), 4);
    handle.add_tool(add).unwrap();
    let mut told = false;
    for _ in 0..500 {
        let other = rec.other.lock().unwrap().clone();
        if other
            .iter()
            .any(|m| m == "notifications/tools/list_changed")
        {
            told = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(told, "the proxy's client was told");
    let names = tool_names(&c).await;
    assert_eq!(names, ["add", "ask", "forecast", "steps", "whoami"]);
    let r = c.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
    assert_eq!(text(&r), "5");
}

#[tokio::test]
async fn an_mcp_config_of_two_servers_is_namespaced_by_server_name() {
    let exe = std::env::current_exe().unwrap();
    let entry = json!({
        "command": exe,
        "args": CHILD_ARGS,
        "env": {"FASTMCP_PROXY_BACKEND": "1"}
    });
    let config = json!({"mcpServers": {"north": entry, "south": entry}});
    let config = McpConfig::from_json(&config.to_string()).unwrap();
    let server = proxy_config(Server::new("hub", "1.0.0"), &config).unwrap();
    let hub = server.start().await.unwrap();
    let c = support::client(&hub, support::modes()[0], Recorder::default()).await;
    let names = tool_names(&c).await;
    assert_eq!(names.len(), 8);
    assert!(names.contains(&"north_forecast".to_owned()), "{names:?}");
    let r = c
        .call_tool("south_forecast", json!({"city": "Rome"}))
        .await
        .unwrap();
    assert_eq!(text(&r), "Sunny in Rome");
    let r = c.read_resource("weather://north/cities").await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["contents"][0]["text"], "Paris, Oslo");

    let bad = json!({"mcpServers": {"a b": entry, "c": entry}});
    let bad = McpConfig::from_json(&bad.to_string()).unwrap();
    let e = proxy_config(Server::new("hub", "1.0.0"), &bad)
        .err()
        .unwrap();
    assert!(e.message().contains("\"a b\""), "{e}");
    hub.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_subscription_through_the_proxy_receives_the_upstream_servers_updates() {
    let back = backend();
    let handle: ServerHandle = back.handle();
    let running = back.start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let up = Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25));
    let front = proxy_of(up, &running, addr)
        .into_server("front")
        .start()
        .await
        .unwrap();
    let rec = Recorder::default();
    let c = support::client(&front, support::modes()[0], rec.clone()).await;
    let updated = |rec: &Recorder| {
        let other = rec.other.lock().unwrap().clone();
        other
            .iter()
            .filter(|m| *m == "notifications/resources/updated")
            .count()
    };
    c.subscribe("weather://cities").await.unwrap();
    handle.notify_resource_updated("weather://cities");
    for _ in 0..500 {
        if updated(&rec) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(updated(&rec), 1, "the update passed through");
    // Unsubscribed: the proxy unsubscribes upstream, and nothing more arrives.
    c.unsubscribe("weather://cities").await.unwrap();
    handle.notify_resource_updated("weather://cities");
    c.ping().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(updated(&rec), 1);
}

#[tokio::test]
async fn a_clients_roots_change_reaches_its_upstream_connection() {
    let running = backend().start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let up = Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25));
    let front = proxy_of(up, &running, addr)
        .into_server("front")
        .start()
        .await
        .unwrap();
    let c = support::client(&front, support::modes()[0], Recorder::default()).await;
    // The session's own upstream connection is made by its first use.
    c.call_tool("forecast", json!({"city": "Oslo"}))
        .await
        .unwrap();
    let before = ROOTS_CHANGED.load(Ordering::SeqCst);
    c.notify("notifications/roots/list_changed", json!({}))
        .await
        .unwrap();
    for _ in 0..500 {
        if ROOTS_CHANGED.load(Ordering::SeqCst) > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        ROOTS_CHANGED.load(Ordering::SeqCst) > before,
        "the backend was told"
    );
}

#[tokio::test]
async fn a_stateless_listen_through_the_proxy_receives_the_upstream_servers_updates() {
    let back = backend();
    let handle: ServerHandle = back.handle();
    let running = back.start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let up = Up::Http(Mode::Handshake(ProtocolVersion::V2025_11_25));
    let front = proxy_of(up, &running, addr)
        .into_server("front")
        .start()
        .await
        .unwrap();
    let rec = Recorder::default();
    let c = support::client(&front, support::modes()[1], rec.clone()).await;
    let listen = tokio::spawn({
        let c = c.clone();
        async move {
            let filter = json!({"notifications": {"resourceSubscriptions": ["weather://cities"]}});
            c.request_value("subscriptions/listen", filter, None).await
        }
    });
    let seen =
        |rec: &Recorder, m: &str| rec.other.lock().unwrap().iter().filter(|x| *x == m).count();
    for _ in 0..500 {
        if seen(&rec, "notifications/subscriptions/acknowledged") > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The proxy subscribes upstream as the listen starts; updates come back on it.
    let mut told = false;
    for _ in 0..100 {
        handle.notify_resource_updated("weather://cities");
        tokio::time::sleep(Duration::from_millis(20)).await;
        if seen(&rec, "notifications/resources/updated") > 0 {
            told = true;
            break;
        }
    }
    assert!(told, "the update reached the stateless listener");
    listen.abort();
}
