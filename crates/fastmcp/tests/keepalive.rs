//! Keep-alive: idle SSE streams get keep-alive comments (`HttpOptions::keep_alive`), and the
//! ping keep-alive (`Server::keep_alive`) closes the sessions of clients that stop
//! answering while live clients keep theirs. Over in-memory channels and Streamable HTTP
//! (raw peers on 127.0.0.1 read with reqwest).

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fastmcp::client::Client;
use fastmcp::core::{Context, FnTool};
use fastmcp::server::{HttpOptions, KeepAlive};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::{memory, Channel};
use fastmcp::Server;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};
use tokio::time::{sleep, timeout};

const VERSION: &str = "2025-06-18";

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// Sets its flag when dropped (a handler's future dropped after cancellation).
struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn server(ended: Arc<AtomicBool>) -> Server {
    Server::new("keepalive", "0")
        .cancel_grace(Duration::from_millis(100))
        .tool(FnTool::typed(
            "sid",
            "",
            |ctx: Context, _: Empty| async move { ctx.session_id().unwrap_or("none").to_owned() },
        ))
        .tool(FnTool::typed("slow", "", |_: Context, _: Empty| async {
            sleep(Duration::from_millis(1500)).await;
            "done"
        }))
        .tool(FnTool::typed("forever", "", move |_: Context, _: Empty| {
            let guard = SetOnDrop(ended.clone());
            async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                "never"
            }
        }))
}

fn quick_pings() -> KeepAlive {
    KeepAlive {
        interval: Duration::from_millis(100),
        timeout: Duration::from_millis(200),
        max_missed: 3,
    }
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    h.insert(
        "accept",
        HeaderValue::from_static("application/json, text/event-stream"),
    );
    for (k, v) in pairs {
        h.insert(
            reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

async fn post(addr: SocketAddr, h: HeaderMap, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .headers(h)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

/// A handshake-era session of `VERSION` made by hand; its id.
async fn initialize(addr: SocketAddr) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}});
    let r = post(addr, headers(&[]), init).await;
    assert_eq!(r.status(), 200);
    let sid = r.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let h = headers(&[("mcp-session-id", &sid), ("mcp-protocol-version", VERSION)]);
    assert_eq!(post(addr, h, note).await.status(), 202);
    sid
}

/// Opens the session's GET stream.
async fn get_stream(addr: SocketAddr, sid: &str) -> reqwest::Response {
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/mcp"))
        .header("accept", "text/event-stream")
        .header("mcp-session-id", sid)
        .header("mcp-protocol-version", VERSION)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r
}

/// The next chunk of a streamed body within `within` (`None`: the body ended).
async fn next_chunk(r: &mut reqwest::Response, within: Duration) -> Option<Bytes> {
    timeout(within, r.chunk())
        .await
        .expect("bytes within the bound")
        .unwrap()
}

#[tokio::test]
async fn an_idle_get_stream_gets_keep_alive_comments() {
    let running = server(Arc::default()).start().await.unwrap();
    let opts = HttpOptions::default().keep_alive(Duration::from_millis(300));
    let addr = support::serve_http(&running, opts).await;
    let sid = initialize(addr).await;
    let mut get = get_stream(addr, &sid).await;
    // Nothing is sent on this stream but keep-alives: SSE comment lines.
    for _ in 0..3 {
        let chunk = next_chunk(&mut get, Duration::from_secs(10)).await.unwrap();
        assert!(chunk.starts_with(b":"), "{chunk:?}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_zero_interval_turns_the_comments_off() {
    let running = server(Arc::default()).start().await.unwrap();
    let opts = HttpOptions::default().keep_alive(Duration::ZERO);
    let addr = support::serve_http(&running, opts).await;
    let sid = initialize(addr).await;
    let mut get = get_stream(addr, &sid).await;
    let quiet = timeout(Duration::from_millis(800), get.chunk()).await;
    assert!(quiet.is_err(), "no bytes on an idle stream: {quiet:?}");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_silent_handlers_answer_stream_gets_keep_alive_comments() {
    let running = server(Arc::default()).start().await.unwrap();
    let opts = HttpOptions::default().keep_alive(Duration::from_millis(200));
    let addr = support::serve_http(&running, opts).await;
    let sid = initialize(addr).await;
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "slow", "arguments": {}}});
    let h = headers(&[("mcp-session-id", &sid), ("mcp-protocol-version", VERSION)]);
    let r = post(addr, h, call).await;
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let body = timeout(Duration::from_secs(20), r.text())
        .await
        .unwrap()
        .unwrap();
    let result = body.find("\"result\"").expect("the result");
    let comments = body[..result]
        .lines()
        .filter(|l| l.starts_with(':'))
        .count();
    assert!(comments >= 1, "keep-alives before the result: {body}");
}

#[tokio::test]
async fn the_legacy_sse_stream_gets_keep_alive_comments() {
    let running = server(Arc::default()).start().await.unwrap();
    let opts = HttpOptions::default().keep_alive(Duration::from_millis(300));
    let addr = support::serve_http(&running, opts).await;
    let mut r = reqwest::Client::new()
        .get(format!("http://{addr}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    while !seen.contains("event: endpoint") {
        let c = next_chunk(&mut r, Duration::from_secs(10)).await.unwrap();
        seen.push_str(&String::from_utf8_lossy(&c));
    }
    let chunk = next_chunk(&mut r, Duration::from_secs(10)).await.unwrap();
    assert!(chunk.starts_with(b":"), "{chunk:?}");
    running.shutdown().await.unwrap();
}

/// Reads a raw in-memory peer's inbound messages, answering nothing; counts the pings.
/// Returns when the server closes the channel.
async fn never_answer(ch: &mut Channel, pings: &AtomicUsize) {
    while let Some(m) = ch.inbound.recv().await {
        let v: Value = serde_json::from_slice(&m.unwrap()).unwrap();
        if v["method"] == "ping" {
            assert!(v["id"].is_number(), "a request: {v}");
            pings.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn send(ch: &Channel, v: Value) {
    ch.outbound.send(v.to_string()).await.unwrap();
}

#[tokio::test]
async fn a_peer_that_never_answers_pings_loses_its_session_and_its_requests() {
    let ended = Arc::new(AtomicBool::new(false));
    let running = server(ended.clone())
        .keep_alive(quick_pings())
        .start()
        .await
        .unwrap();
    let mut ch = running.connect_in_memory();
    send(&ch, json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}))
    .await;
    let init = ch.inbound.recv().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&init).contains("protocolVersion"));
    send(
        &ch,
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    send(
        &ch,
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "forever", "arguments": {}}}),
    )
    .await;
    assert_eq!(running.live_tasks(), 1, "the connection");
    let pings = AtomicUsize::new(0);
    timeout(Duration::from_secs(20), never_answer(&mut ch, &pings))
        .await
        .expect("the server closes the channel");
    assert!(
        pings.load(Ordering::SeqCst) >= 3,
        "three pings missed first"
    );
    // The session's request was cancelled and the connection is gone.
    for _ in 0..200 {
        if ended.load(Ordering::SeqCst) && running.live_tasks() == 0 {
            break;
        }
        sleep(Duration::from_millis(20)).await;
    }
    assert!(ended.load(Ordering::SeqCst), "the request in flight ended");
    assert_eq!(running.live_tasks(), 0);
    running.shutdown().await.unwrap();
}

/// Relays between two channels, counting the pings that go from `server` to `client`.
async fn relay(mut client: Channel, mut server: Channel, pings: Arc<AtomicUsize>) {
    loop {
        tokio::select! {
            m = server.inbound.recv() => {
                let Some(Ok(m)) = m else { return };
                if serde_json::from_slice::<Value>(&m).is_ok_and(|v| v["method"] == "ping") {
                    pings.fetch_add(1, Ordering::SeqCst);
                }
                if client.outbound.send(m).await.is_err() { return }
            }
            m = client.inbound.recv() => {
                let Some(Ok(m)) = m else { return };
                if server.outbound.send(m).await.is_err() { return }
            }
        }
    }
}

async fn sid(c: &Client) -> String {
    let r = c.call_tool("sid", json!({})).await.unwrap();
    r.content[0].as_text().unwrap().to_owned()
}

#[tokio::test]
async fn a_live_client_answers_pings_and_keeps_its_session() {
    let running = server(Arc::default())
        .keep_alive(quick_pings())
        .start()
        .await
        .unwrap();
    // In memory, through a relay that counts the pings.
    let (client_end, relay_client) = memory::pair(64);
    let (relay_server, server_end) = memory::pair(64);
    running.spawn(server_end);
    let pings = Arc::new(AtomicUsize::new(0));
    tokio::spawn(relay(relay_client, relay_server, pings.clone()));
    let c = Client::connect(client_end).await.unwrap();
    // Over Streamable HTTP, where the pings travel on the GET stream.
    let addr = support::serve_http(&running, HttpOptions::default()).await;
    let h = Client::connect(StreamableHttp::new(format!("http://{addr}/mcp")))
        .await
        .unwrap();
    let first = sid(&h).await;
    assert_ne!(first, "none");
    // Many times the interval the dead peer above needed to be dropped.
    for _ in 0..300 {
        if pings.load(Ordering::SeqCst) >= 10 {
            break;
        }
        sleep(Duration::from_millis(20)).await;
    }
    assert!(pings.load(Ordering::SeqCst) >= 10, "pinged again and again");
    assert_eq!(
        sid(&c).await,
        "none",
        "in memory: no session id, still served"
    );
    assert_eq!(sid(&h).await, first, "the same HTTP session, never re-made");
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_http_client_that_never_answers_pings_loses_its_session() {
    let running = server(Arc::default())
        .keep_alive(quick_pings())
        .start()
        .await
        .unwrap();
    let addr = support::serve_http(&running, HttpOptions::default()).await;
    let sid = initialize(addr).await;
    let mut get = get_stream(addr, &sid).await;
    let mut body = String::new();
    // The pings arrive on the GET stream, unanswered; then the session ends and so does
    // the stream.
    while let Some(c) = next_chunk(&mut get, Duration::from_secs(20)).await {
        body.push_str(&String::from_utf8_lossy(&c));
    }
    assert!(
        body.matches("\"method\":\"ping\"").count() >= 3,
        "pings first: {body}"
    );
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list"});
    let h = headers(&[("mcp-session-id", &sid), ("mcp-protocol-version", VERSION)]);
    assert_eq!(
        post(addr, h, call).await.status(),
        404,
        "the session is gone"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn no_pings_without_a_keep_alive() {
    let running = server(Arc::default()).start().await.unwrap();
    let (client_end, relay_client) = memory::pair(64);
    let (relay_server, server_end) = memory::pair(64);
    running.spawn(server_end);
    let pings = Arc::new(AtomicUsize::new(0));
    tokio::spawn(relay(relay_client, relay_server, pings.clone()));
    let c = Client::connect(client_end).await.unwrap();
    sleep(Duration::from_millis(500)).await;
    assert_eq!(sid(&c).await, "none");
    assert_eq!(pings.load(Ordering::SeqCst), 0);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_byte_stream_peer_that_never_answers_pings_is_disconnected() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    // The stdio session loop, over a socket on 127.0.0.1.
    let running = server(Arc::default())
        .keep_alive(quick_pings())
        .start()
        .await
        .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let serving = tokio::spawn({
        let running = running.clone();
        async move {
            let (socket, _) = l.accept().await.unwrap();
            let (r, w) = socket.into_split();
            running.serve_stream(r, w, 1 << 20).await;
        }
    });
    let socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (r, mut w) = socket.into_split();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": VERSION, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}});
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    w.write_all(format!("{init}\n{note}\n").as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(r).lines();
    let mut pings = 0;
    let read_all = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["method"] == "ping" {
                pings += 1;
            }
        }
    };
    timeout(Duration::from_secs(20), read_all)
        .await
        .expect("the server closes the connection");
    assert!(pings >= 3, "three pings missed first: {pings}");
    timeout(Duration::from_secs(20), serving)
        .await
        .unwrap()
        .unwrap();
    running.shutdown().await.unwrap();
}
