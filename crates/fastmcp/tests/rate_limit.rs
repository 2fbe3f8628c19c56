//! The `RateLimit` middleware with its in-memory limiter: a burst past the limit is refused
//! with a -32029 error that says when to retry, and admitted again once that time has
//! passed (in memory, over Streamable HTTP in both eras, over stdio to a child process);
//! keys per session and per network address keep clients apart or together as they
//! should; the default choice of counted methods; and the client's address as every
//! network transport records it (`McpRequest::remote_addr`).

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, Mode};
use fastmcp::core::{BoxFuture, Context, Error, ErrorKind};
use fastmcp::protocol::jsonrpc::to_raw;
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::middleware::{Rate, RateKey, RateLimit};
use fastmcp::server::{CallNext, HttpOptions, McpRequest, Middleware, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::{tool, Server};
use serde_json::json;
use serde_json::value::RawValue;
use support::{modes, Recorder};

const HANDSHAKE: Mode = Mode::Handshake(ProtocolVersion::V2025_11_25);
const STATELESS: Mode = Mode::Stateless(ProtocolVersion::V2026_07_28);

/// Says hello.
#[tool]
async fn hello() -> String {
    "hello".into()
}

/// Calls `hello` through its own server (a nested call, not counted).
#[tool]
async fn twice(ctx: &Context) -> Result<String, Error> {
    ctx.call_tool("hello", json!({})).await?;
    Ok("twice".into())
}

/// Answers the tool `addr` itself with the client's address as the pipeline sees it
/// (`none` when unknown). Added before the limit, so it is never counted.
struct AddrEcho;

impl Middleware for AddrEcho {
    fn on_call_tool(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        Box::pin(async move {
            if req.tool_name().as_deref() != Some("addr") {
                return next.run(req).await;
            }
            let text = req
                .remote_addr()
                .map_or_else(|| "none".to_owned(), |a| a.to_string());
            Ok(to_raw(
                &json!({"content": [{"type": "text", "text": text}]}),
            ))
        })
    }
}

fn server(limit: RateLimit) -> Server {
    Server::new("rate-limit", "0")
        .tool(hello)
        .tool(twice)
        .middleware(AddrEcho)
        .middleware(limit)
}

/// What the `addr` tool answers.
async fn addr_of(c: &Client) -> String {
    let r = c.call_tool("addr", json!({})).await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    v["content"][0]["text"].as_str().unwrap().to_owned()
}

/// Checks that `e` is the rate limit's refusal; its `retryAfterMs`.
fn refusal(e: &Error) -> u64 {
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    assert_eq!(e.code(), -32029);
    assert!(
        e.message().starts_with("Rate limit exceeded (") && e.message().contains("; retry in "),
        "{e}"
    );
    let data = e.data().expect("the refusal carries data");
    assert!(data["limit"].as_str().is_some(), "{data}");
    data["retryAfterMs"].as_u64().expect("retryAfterMs")
}

async fn hello_on(c: &Client) -> Result<(), Error> {
    c.call_tool("hello", json!({})).await.map(|_| ())
}

/// `limit` calls within `window` are admitted, the next is refused and names its wait;
/// after that wait one more is admitted. A burst that a loaded machine spread over more
/// than the window proves nothing and is tried again.
async fn burst_then_refill(name: &str, c: &Client, limit: u32, window: Duration) {
    for attempt in 0..5 {
        // A clean slate: whatever an earlier attempt counted has left the window.
        tokio::time::sleep(window).await;
        let start = Instant::now();
        for i in 0..limit {
            hello_on(c)
                .await
                .unwrap_or_else(|e| panic!("{name}: call {i} of the burst: {e}"));
        }
        let last = hello_on(c).await;
        let elapsed = start.elapsed();
        let e = match last {
            Err(e) => e,
            Ok(()) if elapsed >= window => {
                eprintln!("{name}: attempt {attempt} took {elapsed:?}, over the window");
                continue;
            }
            Ok(()) => panic!("{name}: call {limit} admitted within {elapsed:?}"),
        };
        let wait = refusal(&e);
        assert!(
            wait >= 1 && wait <= window.as_millis() as u64,
            "{name}: {wait} ms"
        );
        tokio::time::sleep(Duration::from_millis(wait)).await;
        hello_on(c)
            .await
            .unwrap_or_else(|e| panic!("{name}: refused after the wait it named: {e}"));
        return;
    }
    panic!("{name}: the machine never ran a burst within {window:?}");
}

const WINDOW: Duration = Duration::from_millis(300);

fn per_session_window() -> RateLimit {
    RateLimit::in_memory(Rate::sliding_window(3, WINDOW))
        .key(RateKey::session())
        .methods(["tools/call"])
}

async fn in_memory(s: &RunningServer, mode: Mode) -> Client {
    support::client(s, mode, Recorder::default()).await
}

async fn over_http(addr: SocketAddr, mode: Mode) -> Client {
    Client::builder()
        .mode(mode)
        .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_burst_is_refused_then_admitted_after_the_named_wait_in_memory_and_over_http() {
    for mode in modes() {
        // A server per case: stateless-era requests of one server share keys.
        let s = server(per_session_window()).start().await.unwrap();
        let c = in_memory(&s, mode).await;
        burst_then_refill(&format!("in-memory {mode:?}"), &c, 3, WINDOW).await;

        let s = server(per_session_window()).start().await.unwrap();
        let addr = support::serve_http(&s, HttpOptions::default()).await;
        let c = over_http(addr, mode).await;
        burst_then_refill(&format!("HTTP {mode:?}"), &c, 3, WINDOW).await;
    }
}

#[tokio::test]
async fn a_token_bucket_refuses_past_its_capacity_and_refills() {
    // Bursts of 3, one token back every 300 ms.
    let limit = RateLimit::in_memory(Rate::token_bucket(3, 1, WINDOW)).methods(["tools/call"]);
    let s = server(limit).start().await.unwrap();
    let c = in_memory(&s, HANDSHAKE).await;
    burst_then_refill("token bucket", &c, 3, WINDOW).await;
    let e = hello_on(&c).await.unwrap_err();
    refusal(&e);
    assert!(
        e.message()
            .contains("bursts of 3, 1 requests per 300 ms (token bucket)"),
        "{e}"
    );
}

/// The server of the stdio test, run when `RATE_LIMIT_CHILD` is set.
#[test]
fn child_stdio_server() {
    support::serve_stdio_when("RATE_LIMIT_CHILD", || server(per_session_window()));
}

#[tokio::test]
async fn a_burst_is_refused_then_admitted_over_stdio_to_a_child_process() {
    let c = Client::connect(support::child_server("RATE_LIMIT_CHILD"))
        .await
        .unwrap();
    assert_eq!(addr_of(&c).await, "none", "stdio has no network address");
    burst_then_refill("stdio child", &c, 3, WINDOW).await;
}

#[tokio::test]
async fn per_session_keys_keep_sessions_apart() {
    let limit = || {
        RateLimit::in_memory(Rate::sliding_window(2, Duration::from_secs(60)))
            .key(RateKey::session())
            .methods(["tools/call"])
    };
    let s = server(limit()).start().await.unwrap();
    let addr = support::serve_http(&s, HttpOptions::default()).await;
    let (a, b) = (
        over_http(addr, HANDSHAKE).await,
        over_http(addr, HANDSHAKE).await,
    );
    let (m1, m2) = (
        in_memory(&s, HANDSHAKE).await,
        in_memory(&s, HANDSHAKE).await,
    );
    for (name, first, second) in [("HTTP", &a, &b), ("in-memory", &m1, &m2)] {
        hello_on(first).await.unwrap();
        hello_on(first).await.unwrap();
        let e = hello_on(first).await.unwrap_err();
        refusal(&e);
        assert!(e.message().contains("per session "), "{e}");
        hello_on(second)
            .await
            .unwrap_or_else(|e| panic!("{name}: another session has its own count: {e}"));
        hello_on(second).await.unwrap();
        refusal(&hello_on(second).await.unwrap_err());
    }
    assert_ne!(a.session_id(), b.session_id());
}

/// A Streamable HTTP client whose connections come from `source` (any 127.0.0.0/8
/// address reaches the server on 127.0.0.1).
async fn http_from(addr: SocketAddr, mode: Mode, source: IpAddr) -> Client {
    let http = reqwest::Client::builder()
        .local_address(source)
        .build()
        .unwrap();
    Client::builder()
        .mode(mode)
        .connect(StreamableHttp::new(format!("http://{addr}/mcp")).client(http))
        .await
        .unwrap()
}

#[tokio::test]
async fn per_ip_keys_join_the_sessions_of_one_address_and_part_other_addresses() {
    let limit = RateLimit::in_memory(Rate::sliding_window(3, Duration::from_secs(60)))
        .key(RateKey::ip())
        .methods(["tools/call"]);
    let s = server(limit).start().await.unwrap();
    let addr = support::serve_http(&s, HttpOptions::default()).await;
    let a = over_http(addr, HANDSHAKE).await;
    let b = over_http(addr, HANDSHAKE).await;
    assert_ne!(a.session_id(), b.session_id(), "two sessions");
    let (seen_a, seen_b) = (addr_of(&a).await, addr_of(&b).await);
    assert!(seen_a.starts_with("127.0.0.1:"), "{seen_a}");
    assert!(seen_b.starts_with("127.0.0.1:"), "{seen_b}");
    // One bucket for both: two calls of A and one of B use it up.
    hello_on(&a).await.unwrap();
    hello_on(&a).await.unwrap();
    hello_on(&b).await.unwrap();
    for c in [&a, &b] {
        let e = hello_on(c).await.unwrap_err();
        refusal(&e);
        assert!(e.message().contains("per ip 127.0.0.1:"), "{e}");
        assert_eq!(e.data().unwrap()["key"], "ip");
    }
    // The stateless era and the other transports from the same address share it too.
    let stateless = over_http(addr, STATELESS).await;
    refusal(&hello_on(&stateless).await.unwrap_err());
    let ws = Client::connect(WebSocket::new(format!("ws://{addr}/ws")))
        .await
        .unwrap();
    refusal(&hello_on(&ws).await.unwrap_err());
    // Another address has a bucket of its own.
    let other: IpAddr = "127.0.0.2".parse().unwrap();
    for mode in modes() {
        let c = http_from(addr, mode, other).await;
        let seen = addr_of(&c).await;
        assert!(seen.starts_with("127.0.0.2:"), "{mode:?}: {seen}");
        if mode == HANDSHAKE {
            for _ in 0..3 {
                hello_on(&c).await.unwrap();
            }
        }
        let e = hello_on(&c).await.unwrap_err();
        assert!(e.message().contains("per ip 127.0.0.2:"), "{e}");
    }
}

#[tokio::test]
async fn by_default_every_request_counts_but_ping_initialize_and_nested_calls() {
    let limit = RateLimit::in_memory(Rate::sliding_window(2, Duration::from_secs(60)));
    let s = server(limit).start().await.unwrap();
    // The global key: all clients share it. `initialize` is not counted.
    // (Clients without a log level: `logging/setLevel` would count.)
    let connect = || {
        Client::builder()
            .mode(HANDSHAKE)
            .connect(s.connect_in_memory())
    };
    let c = connect().await.unwrap();
    let other = connect().await.unwrap();
    for _ in 0..5 {
        c.ping().await.unwrap();
    }
    // `twice` counts once: its nested call of `hello` does not.
    c.call_tool("twice", json!({})).await.unwrap();
    c.list_tools().await.unwrap();
    let e = other.list_tools().await.unwrap_err();
    assert!(
        e.message().starts_with("Rate limit exceeded (global: "),
        "{e}"
    );
    refusal(&e);
    c.ping().await.unwrap();
}

#[tokio::test]
async fn every_network_transport_records_the_clients_address() {
    let s = server(RateLimit::in_memory(Rate::sliding_window(
        1000,
        Duration::from_secs(1),
    )))
    .start()
    .await
    .unwrap();
    let addr = support::serve_http(&s, HttpOptions::default()).await;
    let sessionless = support::serve_http(&s, HttpOptions::default().stateless(true)).await;
    let mut clients = vec![];
    for mode in modes() {
        clients.push((
            format!("Streamable HTTP {mode:?}"),
            over_http(addr, mode).await,
        ));
        clients.push((
            format!("Streamable HTTP, stateless(true) server, {mode:?}"),
            over_http(sessionless, mode).await,
        ));
        let ws = Client::builder()
            .mode(mode)
            .connect(WebSocket::new(format!("ws://{addr}/ws")))
            .await
            .unwrap();
        clients.push((format!("WebSocket {mode:?}"), ws));
    }
    let sse = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2024_11_05))
        .connect(LegacySse::new(format!("http://{addr}/sse")))
        .await
        .unwrap();
    clients.push(("legacy HTTP+SSE".to_owned(), sse));
    for (name, c) in &clients {
        let seen: SocketAddr = addr_of(c)
            .await
            .parse()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(seen.ip(), IpAddr::from([127, 0, 0, 1]), "{name}");
        assert!(
            seen.port() != addr.port() && seen.port() != 0,
            "{name}: {seen}"
        );
    }
    for mode in modes() {
        let c = in_memory(&s, mode).await;
        assert_eq!(addr_of(&c).await, "none", "in memory: {mode:?}");
    }
}
