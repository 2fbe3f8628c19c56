//! Resumption of dropped SSE streams, against a tiny hand-written HTTP/1.1 server that
//! drops the first stream on purpose and replays on GET with `Last-Event-ID`.

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::{json, Value};
use support::Recorder;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A request the server received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    headers: HashMap<String, String>,
    body: Value,
    at: Instant,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

enum Reply {
    /// A JSON body with extra headers.
    Json(u16, Vec<(&'static str, String)>, Value),
    /// No body.
    Status(u16),
    /// An SSE stream: these events (each a complete event block), then the connection is
    /// closed without ending the stream properly.
    Sse(Vec<String>),
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Mini {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mini {
    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn mini(handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Mini {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(vec![]));
    let handler: Handler = Arc::new(handler);
    let s = seen.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = l.accept().await {
            tokio::spawn(connection(tcp, handler.clone(), s.clone()));
        }
    });
    Mini { url, seen }
}

async fn connection(tcp: TcpStream, handler: Handler, seen: Arc<Mutex<Vec<Seen>>>) {
    let mut r = BufReader::new(tcp);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let method = line.split_whitespace().next().unwrap_or("").to_owned();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).await.is_err() {
            return;
        }
        let req = Seen {
            method,
            headers,
            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            at: Instant::now(),
        };
        seen.lock().unwrap().push(req.clone());
        let tcp = r.get_mut();
        match handler(&req) {
            Reply::Json(status, extra, body) => {
                let body = body.to_string();
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                    body.len()
                );
                for (k, v) in extra {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if tcp.write_all((head + &body).as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::Status(status) => {
                let head = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
                if tcp.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
            }
            Reply::Sse(events) => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
                if tcp.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for e in events {
                    if tcp.write_all(e.as_bytes()).await.is_err() {
                        return;
                    }
                    let _ = tcp.flush().await;
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                let _ = tcp.shutdown().await;
                return; // dropped: the stream ends without its response
            }
        }
    }
}

fn method(s: &Seen) -> &str {
    s.body["method"].as_str().unwrap_or("")
}

fn data(v: Value) -> String {
    format!("data: {v}\n\n")
}

/// A handshake-era server whose `tools/call` stream drops after one progress event; the
/// replay (GET with `Last-Event-ID`) carries the result. `replay` says what a resuming GET
/// gets.
fn handshake_server(replay: fn(&Seen, &Value) -> Reply) -> impl Fn(&Seen) -> Reply {
    let call_id = Arc::new(Mutex::new(Value::Null));
    move |req: &Seen| match (req.method.as_str(), method(req)) {
        ("POST", "initialize") => Reply::Json(
            200,
            vec![("mcp-session-id", "sess-1".into())],
            json!({"jsonrpc": "2.0", "id": req.body["id"], "result": {
                "protocolVersion": "2025-11-25",
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "mini", "version": "0"}
            }}),
        ),
        ("POST", "tools/call") => {
            *call_id.lock().unwrap() = req.body["id"].clone();
            Reply::Sse(vec![
                ": keep-alive\n\n".into(),
                "id: s1_0\nretry: 300\ndata:\n\n".into(),
                format!(
                    "id: s1_1\n{}",
                    data(json!({"jsonrpc": "2.0", "method": "notifications/progress",
                        "params": {"progressToken": "t", "progress": 1}}))
                ),
            ])
        }
        ("POST", _) => Reply::Status(202),
        ("GET", _) if req.header("last-event-id").is_none() => Reply::Status(405),
        ("GET", _) => replay(req, &call_id.lock().unwrap()),
        _ => Reply::Status(405),
    }
}

#[tokio::test]
async fn a_dropped_response_stream_is_resumed_with_last_event_id() {
    let server = mini(handshake_server(|req, id| {
        assert_eq!(req.header("last-event-id"), Some("s1_1"));
        Reply::Sse(vec![format!(
            "id: s1_2\n{}",
            data(json!({"jsonrpc": "2.0", "id": id, "result": {
                "content": [{"type": "text", "text": "resumed"}]}}))
        )])
    }))
    .await;
    let rec = Recorder::default();
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(rec.clone())
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(&server.url))
        .await
        .unwrap();
    assert_eq!(c.session_id().as_deref(), Some("sess-1"));
    let r: Value = c
        .request(
            "tools/call",
            json!({"name": "x", "arguments": {}, "_meta": {"progressToken": "t"}}),
        )
        .await
        .unwrap();
    assert_eq!(r["content"][0]["text"], "resumed");
    assert_eq!(
        rec.progress.lock().unwrap().len(),
        1,
        "the event before the drop"
    );

    let seen = server.seen();
    let call = seen.iter().find(|s| method(s) == "tools/call").unwrap();
    assert_eq!(call.header("mcp-session-id"), Some("sess-1"));
    assert_eq!(call.header("mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(
        call.header("accept"),
        Some("application/json, text/event-stream")
    );
    let init = seen.iter().find(|s| method(s) == "initialize").unwrap();
    assert_eq!(init.header("mcp-session-id"), None);
    let resume = seen
        .iter()
        .find(|s| s.method == "GET" && s.header("last-event-id").is_some())
        .unwrap();
    assert_eq!(resume.header("mcp-session-id"), Some("sess-1"));
    assert_eq!(resume.header("accept"), Some("text/event-stream"));
    // The stream carried `retry: 300`: the client waited that long after the drop (the
    // drop came ~60 ms after the POST).
    assert!(
        resume.at - call.at >= Duration::from_millis(300),
        "{:?}",
        resume.at - call.at
    );
    // The GET stream for server messages was tried after initialization (405 here).
    assert!(seen
        .iter()
        .any(|s| s.method == "GET" && s.header("last-event-id").is_none()));

    // Closing ends the session with DELETE.
    c.close().await.unwrap();
    let seen = server.seen();
    let del = seen.iter().find(|s| s.method == "DELETE").unwrap();
    assert_eq!(del.header("mcp-session-id"), Some("sess-1"));
}

#[tokio::test]
async fn reconnection_gives_up_after_the_limit() {
    // Every replay ends at once with nothing.
    let server = mini(handshake_server(|_, _| Reply::Sse(vec![]))).await;
    let c = Client::builder()
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(&server.url).max_reconnects(2))
        .await
        .unwrap();
    let e = c.call_tool("x", json!({})).await.unwrap_err();
    assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
    assert!(e.message().contains("gave up after 2"), "{e:?}");
    let resumes = server
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && s.header("last-event-id").is_some())
        .count();
    assert_eq!(resumes, 2);
}

#[tokio::test]
async fn a_resume_on_an_expired_session_ends_the_request_and_the_next_one_reinitializes() {
    let server = mini(handshake_server(|_, _| Reply::Status(404))).await;
    let c = Client::builder()
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(&server.url))
        .await
        .unwrap();
    let count = |m: &str| server.seen().iter().filter(|s| method(s) == m).count();
    // The resume gets 404: the session is gone with whatever the server did for the
    // call, so the call ends with an error and is not sent again (it may have run).
    let e = c.call_tool("x", json!({})).await.unwrap_err();
    assert!(e.message().contains("may have run"), "{e:?}");
    assert_eq!(count("tools/call"), 1, "not sent again");
    assert_eq!(count("initialize"), 1);
    // The next request starts a new session first.
    let _ = c.call_tool("x", json!({})).await.unwrap_err();
    assert_eq!(
        count("initialize"),
        2,
        "initialized again for the next request"
    );
    assert_eq!(count("tools/call"), 2);
}

#[tokio::test]
async fn a_stream_is_not_resumed_outside_its_session() {
    // The session's GET stream reconnects first (its `retry` is shorter) and gets 404: the
    // session ended. The call's stream, dropped meanwhile, is not resumed without it.
    let inner = handshake_server(|req, id| match req.header("last-event-id") {
        Some("g_1") => Reply::Status(404),
        _ => Reply::Sse(vec![format!(
            "id: s1_2\n{}",
            data(json!({"jsonrpc": "2.0", "id": id, "result": {"content": []}}))
        )]),
    });
    let server = mini(move |req: &Seen| {
        if req.method == "GET" && req.header("last-event-id").is_none() {
            return Reply::Sse(vec!["id: g_1\nretry: 50\ndata:\n\n".into()]);
        }
        inner(req)
    })
    .await;
    let c = Client::builder()
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(&server.url))
        .await
        .unwrap();
    let e = c.call_tool("x", json!({})).await.unwrap_err();
    assert!(e.message().contains("may have run"), "{e:?}");
    let seen = server.seen();
    let unnamed: Vec<_> = seen
        .iter()
        .filter(|s| method(s) != "initialize" && s.header("mcp-session-id").is_none())
        .collect();
    assert!(unnamed.is_empty(), "sent without the session: {unnamed:?}");
    assert!(!seen
        .iter()
        .any(|s| s.header("last-event-id") == Some("s1_1")));
}

#[tokio::test]
async fn a_stateless_stream_is_not_resumed() {
    let server = mini(|req: &Seen| match req.method.as_str() {
        "POST" => Reply::Sse(vec![
            "id: a_1\ndata:\n\n".into(),
            format!(
                "id: a_2\n{}",
                data(json!({"jsonrpc": "2.0", "method": "notifications/message",
                    "params": {"level": "info", "data": "working"}}))
            ),
        ]),
        _ => Reply::Status(500),
    })
    .await;
    let mut ch = StreamableHttp::new(&server.url).connect().unwrap();
    let req = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "héllo", "arguments": {},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    ch.outbound.send(req.to_string()).await.unwrap();
    let log: Value = serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(log["method"], "notifications/message");
    let err: Value = serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(err["id"], 1);
    assert_eq!(err["error"]["code"], fastmcp::transport::TRANSPORT_ERROR);
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "no GET: {seen:?}");
    let post = &seen[0];
    assert_eq!(post.header("mcp-protocol-version"), Some("2026-07-28"));
    assert_eq!(post.header("mcp-method"), Some("tools/call"));
    assert_eq!(post.header("mcp-name"), Some("=?base64?aMOpbGxv?="));
    assert_eq!(post.header("mcp-session-id"), None);
}
