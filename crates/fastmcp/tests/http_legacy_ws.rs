//! The legacy HTTP+SSE transport (2024-11-05) and the WebSocket transport on a real socket,
//! spoken raw: the session lifecycle, server-to-client requests, bad input with the right
//! status while the server keeps serving, and the transport's end cancelling requests.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp::core::{Context, Error, FnTool};
use fastmcp::server::{HttpOptions, RunningServer};
use fastmcp::Server;
use futures::{SinkExt, Stream, StreamExt};
use serde_json::{json, Value};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message as WsMessage;

const MAX_BODY: usize = 64 * 1024;
const WAIT: Duration = Duration::from_secs(10);

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Person {
    name: String,
    age: u32,
}

/// What the `wait` tool saw.
#[derive(Default)]
struct Probe {
    started: AtomicBool,
    cancelled: AtomicBool,
}

async fn until(flag: &AtomicBool, what: &str) {
    timeout(WAIT, async {
        while !flag.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

async fn start_with(opts: HttpOptions) -> (SocketAddr, Arc<Probe>, RunningServer) {
    let probe = Arc::new(Probe::default());
    let p = probe.clone();
    let running = Server::new("legacy-ws", "0")
        .shutdown_grace(Duration::from_millis(200))
        .tool(FnTool::typed("hello", "", |_: Context, _: Empty| async {
            "hello"
        }))
        .tool(FnTool::typed("wait", "", move |ctx: Context, _: Empty| {
            let p = p.clone();
            async move {
                p.started.store(true, Ordering::SeqCst);
                if ctx.sleep(Duration::from_secs(60)).await.is_err() {
                    p.cancelled.store(true, Ordering::SeqCst);
                }
                Ok::<_, Error>("waited")
            }
        }))
        .tool(FnTool::typed(
            "ask",
            "",
            |ctx: Context, _: Empty| async move {
                match ctx.elicit::<Person>("Who are you?").await? {
                    fastmcp::Elicited::Accept(p) => {
                        Ok::<_, Error>(format!("{} is {}", p.name, p.age))
                    }
                    _ => Ok("declined".to_string()),
                }
            },
        ))
        .start()
        .await
        .unwrap();
    let addr = support::serve_http(&running, opts).await;
    (addr, probe, running)
}

async fn start() -> (SocketAddr, Arc<Probe>) {
    let (addr, probe, _) = start_with(HttpOptions::default().max_body_bytes(MAX_BODY)).await;
    (addr, probe)
}

fn request(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn initialize(id: u64, version: &str, capabilities: Value) -> Value {
    request(
        id,
        "initialize",
        json!({
            "protocolVersion": version,
            "capabilities": capabilities,
            "clientInfo": {"name": "raw", "version": "0"}
        }),
    )
}

fn initialized() -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
}

fn call(id: u64, tool: &str) -> Value {
    request(id, "tools/call", json!({"name": tool, "arguments": {}}))
}

fn text_of(response: &Value) -> &str {
    response["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("no text content in {response}"))
}

// ---------------------------------------------------------------------------------------
// Legacy HTTP+SSE

type ByteStream = std::pin::Pin<Box<dyn Stream<Item = reqwest::Result<Vec<u8>>> + Send>>;

/// A client's view of one legacy session: its event stream and where to POST.
struct Legacy {
    addr: SocketAddr,
    http: reqwest::Client,
    stream: ByteStream,
    buf: Vec<u8>,
    endpoint: String,
}

impl Legacy {
    async fn open(addr: SocketAddr) -> Legacy {
        let http = reqwest::Client::new();
        let r = http
            .get(format!("http://{addr}/sse"))
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        let mut s = Legacy {
            addr,
            http,
            stream: Box::pin(r.bytes_stream().map(|c| c.map(|b| b.to_vec()))),
            buf: vec![],
            endpoint: String::new(),
        };
        let (event, data) = s.next_event().await.expect("an endpoint event");
        assert_eq!(event, "endpoint");
        s.endpoint = data;
        s
    }

    /// The next SSE event (comments skipped); `None` when the stream ends.
    async fn next_event(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(pos) = self.buf.windows(2).position(|w| w == b"\n\n") {
                let block = String::from_utf8(self.buf.drain(..pos + 2).collect()).unwrap();
                let (mut event, mut data) = (String::from("message"), vec![]);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim_start().to_owned();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push(v.strip_prefix(' ').unwrap_or(v).to_owned());
                    }
                }
                if !data.is_empty() {
                    return Some((event, data.join("\n")));
                }
                continue;
            }
            let chunk = timeout(WAIT, self.stream.next())
                .await
                .expect("timed out reading the event stream")?;
            self.buf.extend_from_slice(&chunk.ok()?);
        }
    }

    /// The next `message` event's JSON.
    async fn message(&mut self) -> Value {
        let (event, data) = self.next_event().await.expect("a message event");
        assert_eq!(event, "message");
        serde_json::from_str(&data).unwrap()
    }

    async fn post_raw(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> (u16, String) {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("content-type", "application/json".parse().unwrap());
        for (k, v) in headers {
            let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).unwrap();
            h.insert(name, v.parse().unwrap());
        }
        let r = self
            .http
            .post(format!("http://{}{url}", self.addr))
            .headers(h)
            .body(body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    async fn post(&self, msg: &Value) -> u16 {
        self.post_raw(&self.endpoint, &[], msg.to_string()).await.0
    }

    /// POST a request and read its response from the stream.
    async fn ask(&mut self, msg: &Value) -> Value {
        assert_eq!(self.post(msg).await, 202);
        let r = self.message().await;
        assert_eq!(r["id"], msg["id"], "{r}");
        r
    }

    async fn handshake(&mut self, version: &str) {
        let r = self.ask(&initialize(1, version, json!({}))).await;
        assert_eq!(r["result"]["protocolVersion"], version);
        assert_eq!(self.post(&initialized()).await, 202);
    }
}

#[tokio::test]
async fn legacy_session_lifecycle() {
    let (addr, _) = start().await;
    let mut s = Legacy::open(addr).await;
    let id = s
        .endpoint
        .strip_prefix("/messages?sessionId=")
        .unwrap_or_else(|| panic!("endpoint {}", s.endpoint));
    assert_eq!(id.len(), 32);
    assert!(id.chars().all(|c| c.is_ascii_hexdigit()));

    s.handshake("2024-11-05").await;
    let list = s.ask(&request(2, "tools/list", json!({}))).await;
    let names: Vec<_> = list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"hello"), "{names:?}");
    let r = s.ask(&call(3, "hello")).await;
    assert_eq!(text_of(&r), "hello");

    // Batches are not part of 2024-11-05: refused, on the stream.
    let batch = json!([request(4, "ping", json!({}))]);
    assert_eq!(s.post(&batch).await, 202);
    let r = s.message().await;
    assert_eq!(r["error"]["code"], -32600, "{r}");

    // A second session is independent.
    let mut other = Legacy::open(addr).await;
    assert_ne!(other.endpoint, s.endpoint);
    other.handshake("2024-11-05").await;
    let r = other.ask(&call(7, "hello")).await;
    assert_eq!(text_of(&r), "hello");
}

#[tokio::test]
async fn legacy_batches_in_2025_03_26() {
    let (addr, _) = start().await;
    let mut s = Legacy::open(addr).await;
    s.handshake("2025-03-26").await;
    let batch = json!([call(2, "hello"), request(3, "ping", json!({}))]);
    assert_eq!(s.post(&batch).await, 202);
    let replies = s.message().await;
    let mut ids: Vec<_> = replies
        .as_array()
        .unwrap_or_else(|| panic!("an array: {replies}"))
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [2, 3]);
}

#[tokio::test]
async fn legacy_bad_input_gets_the_right_status_and_the_session_goes_on() {
    let (addr, _) = start().await;
    let mut s = Legacy::open(addr).await;
    s.handshake("2024-11-05").await;
    let ok = call(2, "hello").to_string();

    let (status, _) = s
        .post_raw(
            "/messages?sessionId=00112233445566778899aabbccddeeff",
            &[],
            ok.clone(),
        )
        .await;
    assert_eq!(status, 404, "unknown session");
    let (status, body) = s.post_raw("/messages", &[], ok.clone()).await;
    assert_eq!(status, 400, "missing sessionId");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["code"],
        -32600
    );

    let endpoint = s.endpoint.clone();
    let (status, body) = s.post_raw(&endpoint, &[], "{not json").await;
    assert_eq!(status, 400, "bad JSON");
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["error"]["code"], -32700, "{body}");

    let (status, _) = s
        .post_raw(&endpoint, &[("origin", "https://evil.example")], ok.clone())
        .await;
    assert_eq!(status, 403, "evil Origin on POST");
    let (status, _) = s
        .post_raw(&endpoint, &[("host", "evil.example")], ok.clone())
        .await;
    assert_eq!(status, 403, "evil Host on POST");
    let r = s
        .http
        .get(format!("http://{addr}/sse"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "evil Origin on GET /sse");

    let big = json!({
        "jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "hello", "arguments": {"pad": "x".repeat(MAX_BODY)}}
    });
    let (status, _) = s.post_raw(&endpoint, &[], big.to_string()).await;
    assert_eq!(status, 413, "oversized body");

    let (status, _) = s
        .post_raw(&endpoint, &[("content-type", "text/plain")], ok.clone())
        .await;
    assert_eq!(status, 415, "not JSON");

    // None of that reached the session, which still serves.
    let r = s.ask(&call(2, "hello")).await;
    assert_eq!(text_of(&r), "hello");
}

#[tokio::test]
async fn closing_the_legacy_stream_cancels_the_session() {
    let (addr, probe) = start().await;
    let mut s = Legacy::open(addr).await;
    s.handshake("2024-11-05").await;
    assert_eq!(s.post(&call(2, "wait")).await, 202);
    until(&probe.started, "the tool runs").await;

    let Legacy {
        http,
        stream,
        endpoint,
        ..
    } = s;
    drop(stream);
    until(&probe.cancelled, "the tool is cancelled").await;

    // The session is gone.
    let r = http
        .post(format!("http://{addr}{endpoint}"))
        .header("content-type", "application/json")
        .body(call(3, "hello").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn legacy_session_limit_and_shutdown() {
    let opts = HttpOptions::default().max_sessions(1);
    let (addr, _, running) = start_with(opts).await;
    let mut s = Legacy::open(addr).await;
    s.handshake("2024-11-05").await;
    let r = reqwest::get(format!("http://{addr}/sse")).await.unwrap();
    assert_eq!(r.status(), 503, "over max_sessions");

    timeout(WAIT, running.shutdown()).await.unwrap().unwrap();
    assert!(s.next_event().await.is_none(), "shutdown ends the stream");
}

// ---------------------------------------------------------------------------------------
// WebSocket

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn ws_connect(addr: SocketAddr, headers: &[(&'static str, &str)]) -> Ws {
    let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
    for (k, v) in headers {
        req.headers_mut().insert(*k, v.parse().unwrap());
    }
    let (ws, resp) = tokio_tungstenite::connect_async(req).await.unwrap();
    let offered = headers.iter().any(|(k, _)| *k == "sec-websocket-protocol");
    assert_eq!(
        resp.headers()
            .get("sec-websocket-protocol")
            .map(|v| v.to_str().unwrap()),
        offered.then_some("mcp")
    );
    ws
}

async fn ws_send(ws: &mut Ws, msg: &Value) {
    ws.send(WsMessage::text(msg.to_string())).await.unwrap();
}

/// The next JSON message (pings skipped).
async fn ws_recv(ws: &mut Ws) -> Value {
    loop {
        let m = timeout(WAIT, ws.next())
            .await
            .expect("timed out reading the socket")
            .expect("socket open")
            .unwrap();
        match m {
            WsMessage::Text(t) => return serde_json::from_str(&t).unwrap(),
            WsMessage::Ping(_) | WsMessage::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// The close frame that ends the socket.
async fn ws_close_code(ws: &mut Ws) -> CloseCode {
    loop {
        match timeout(WAIT, ws.next()).await.expect("timed out") {
            Some(Ok(WsMessage::Close(Some(f)))) => return f.code,
            Some(Ok(WsMessage::Text(_) | WsMessage::Ping(_) | WsMessage::Pong(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

async fn ws_ask(ws: &mut Ws, msg: &Value) -> Value {
    ws_send(ws, msg).await;
    let r = ws_recv(ws).await;
    assert_eq!(r["id"], msg["id"], "{r}");
    r
}

async fn ws_handshake(ws: &mut Ws) {
    let init = initialize(1, "2025-06-18", json!({"elicitation": {}}));
    let r = ws_ask(ws, &init).await;
    assert_eq!(r["result"]["protocolVersion"], "2025-06-18");
    ws_send(ws, &initialized()).await;
}

#[tokio::test]
async fn websocket_session_with_elicitation() {
    let (addr, _) = start().await;
    let mut ws = ws_connect(addr, &[("sec-websocket-protocol", "mcp")]).await;
    ws_handshake(&mut ws).await;
    let list = ws_ask(&mut ws, &request(2, "tools/list", json!({}))).await;
    assert!(list["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "ask"));
    let r = ws_ask(&mut ws, &call(3, "hello")).await;
    assert_eq!(text_of(&r), "hello");

    // A server-to-client request, answered over the socket.
    ws_send(&mut ws, &call(4, "ask")).await;
    let q = ws_recv(&mut ws).await;
    assert_eq!(q["method"], "elicitation/create", "{q}");
    assert_eq!(q["params"]["message"], "Who are you?");
    ws_send(
        &mut ws,
        &json!({"jsonrpc": "2.0", "id": q["id"], "result": {
            "action": "accept", "content": {"name": "Ada", "age": 36}
        }}),
    )
    .await;
    let r = ws_recv(&mut ws).await;
    assert_eq!(r["id"], 4);
    assert_eq!(text_of(&r), "Ada is 36");

    // Without the subprotocol offered, the upgrade still works (and names none).
    let mut plain = ws_connect(addr, &[]).await;
    ws_handshake(&mut plain).await;
    let r = ws_ask(&mut plain, &call(2, "hello")).await;
    assert_eq!(text_of(&r), "hello");
}

#[tokio::test]
async fn websocket_refuses_oversized_frames_and_goes_on() {
    let (addr, _) = start().await;
    let mut ws = ws_connect(addr, &[("sec-websocket-protocol", "mcp")]).await;
    ws_handshake(&mut ws).await;
    let big = json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "hello", "arguments": {"pad": "x".repeat(MAX_BODY)}}
    });
    ws_send(&mut ws, &big).await;
    let e = ws_recv(&mut ws).await;
    assert_eq!(e["error"]["code"], -32600, "{e}");
    assert_eq!(e["id"], Value::Null);
    let r = ws_ask(&mut ws, &call(3, "hello")).await;
    assert_eq!(text_of(&r), "hello");

    // Bad JSON: a parse error, and the connection goes on.
    ws.send(WsMessage::text("{not json")).await.unwrap();
    let e = ws_recv(&mut ws).await;
    assert_eq!(e["error"]["code"], -32700, "{e}");
    let r = ws_ask(&mut ws, &call(4, "hello")).await;
    assert_eq!(text_of(&r), "hello");

    // A binary frame closes the socket with 1003 (unsupported data).
    ws.send(WsMessage::binary(b"{}".to_vec())).await.unwrap();
    assert_eq!(ws_close_code(&mut ws).await, CloseCode::Unsupported);
}

#[tokio::test]
async fn websocket_refuses_an_evil_origin_before_the_upgrade() {
    let (addr, _) = start().await;
    for (k, v) in [("origin", "https://evil.example"), ("host", "evil.example")] {
        let mut req = format!("ws://{addr}/ws").into_client_request().unwrap();
        req.headers_mut().insert(k, v.parse().unwrap());
        match tokio_tungstenite::connect_async(req).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 403, "{k}: {v}")
            }
            other => panic!("{k}: {v}: expected 403, got {other:?}"),
        }
    }
    // A loopback origin is fine.
    let mut ws = ws_connect(addr, &[("origin", "http://localhost:3000")]).await;
    ws_handshake(&mut ws).await;
}

#[tokio::test]
async fn closing_the_socket_cancels_the_session() {
    let (addr, probe) = start().await;
    let mut ws = ws_connect(addr, &[("sec-websocket-protocol", "mcp")]).await;
    ws_handshake(&mut ws).await;
    ws_send(&mut ws, &call(2, "wait")).await;
    until(&probe.started, "the tool runs").await;
    ws.close(None).await.unwrap();
    until(&probe.cancelled, "the tool is cancelled").await;
}

#[tokio::test]
async fn shutdown_closes_sockets_with_going_away() {
    let (addr, _, running) = start_with(HttpOptions::default()).await;
    let mut ws = ws_connect(addr, &[("sec-websocket-protocol", "mcp")]).await;
    ws_handshake(&mut ws).await;
    let shutdown = tokio::spawn(async move { running.shutdown().await });
    assert_eq!(ws_close_code(&mut ws).await, CloseCode::Away);
    timeout(WAIT, shutdown).await.unwrap().unwrap().unwrap();
}
