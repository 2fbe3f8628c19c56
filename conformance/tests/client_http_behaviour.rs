//! What the client library does over Streamable HTTP in the situations the official client
//! suite sets up (found while making `conformance-client` pass it), against a hand-written
//! HTTP server that records what it receives:
//!
//! - a stateless request refused with -32022 (unsupported protocol version) is retried once
//!   with a version from the error's `supported` list, and not retried when that list has
//!   no version of the stateless era (scenario `request-metadata`);
//! - tools whose `x-mcp-header` annotations are invalid are left out of `list_tools` in the
//!   stateless era (scenario `http-invalid-tool-headers`);
//! - after the handshake, the GET stream is open before the next request is sent
//!   (scenario `sse-retry`, which answers a pending call on any GET it sees).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One HTTP request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn rpc_method(&self) -> &str {
        self.body["method"].as_str().unwrap_or("")
    }
}

/// What the server answers.
enum Answer {
    /// A complete response: status, extra headers, JSON body (none for 202).
    Json(u16, Vec<(&'static str, String)>, Option<Value>),
    /// An event stream that stays open (a GET stream).
    OpenStream,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Serve on a free loopback port; `answer` decides each response. Returns the MCP URL.
async fn serve(answer: impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let log: Log = Arc::default();
    let answer = Arc::new(answer);
    let l = log.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (l, answer) = (l.clone(), answer.clone());
            tokio::spawn(async move { connection(sock, l, answer).await });
        }
    });
    (url, log)
}

async fn connection(
    mut sock: TcpStream,
    log: Log,
    answer: Arc<impl Fn(&Seen, usize) -> Answer + Send + Sync + 'static>,
) {
    let mut buf = Vec::new();
    loop {
        // Head.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end + 4);
        let mut lines = head.split("\r\n");
        let method = lines
            .next()
            .and_then(|l| l.split(' ').next())
            .unwrap_or("")
            .to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buf.len() < len {
            let mut chunk = [0u8; 4096];
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Value = serde_json::from_slice(&buf[..len]).unwrap_or(Value::Null);
        buf.drain(..len);
        let seen = Seen {
            method,
            headers,
            body,
        };
        let n = {
            let mut l = log.lock().unwrap();
            l.push(seen.clone());
            l.len() - 1
        };
        match answer(&seen, n) {
            Answer::Json(status, extra, body) => {
                let body = body.map(|b| b.to_string()).unwrap_or_default();
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                if !body.is_empty() {
                    head.push_str("content-type: application/json\r\n");
                }
                for (k, v) in extra {
                    head.push_str(&format!("{k}: {v}\r\n"));
                }
                head.push_str("\r\n");
                if sock.write_all(head.as_bytes()).await.is_err()
                    || sock.write_all(body.as_bytes()).await.is_err()
                {
                    return;
                }
            }
            Answer::OpenStream => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
                            cache-control: no-cache\r\ntransfer-encoding: chunked\r\n\r\n";
                let event = ": open\n\n";
                let chunk = format!("{:x}\r\n{event}\r\n", event.len());
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(chunk.as_bytes()).await;
                // Hold the stream until the client goes away.
                let mut sink = [0u8; 64];
                while let Ok(n) = sock.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
                return;
            }
        }
    }
}

fn result(id: &Value, result: Value) -> Answer {
    Answer::Json(
        200,
        vec![],
        Some(json!({"jsonrpc": "2.0", "id": id, "result": result})),
    )
}

fn unsupported_version(id: &Value, supported: &[&str], requested: Option<&str>) -> Answer {
    Answer::Json(
        400,
        vec![],
        Some(json!({"jsonrpc": "2.0", "id": id, "error": {
            "code": -32022,
            "message": "Unsupported protocol version",
            "data": {"supported": supported, "requested": requested}
        }})),
    )
}

fn tools() -> Value {
    let tool = |name: &str, props: Value| json!({"name": name, "inputSchema": {"type": "object", "properties": props}});
    json!({"resultType": "complete", "tools": [
        tool("valid_tool", json!({"region": {"type": "string", "x-mcp-header": "Region"}})),
        tool("plain_tool", json!({"q": {"type": "string"}})),
        tool("number_header", json!({"score": {"type": "number", "x-mcp-header": "Score"}})),
        tool("twice", json!({
            "a": {"type": "string", "x-mcp-header": "MyField"},
            "b": {"type": "string", "x-mcp-header": "myfield"}
        })),
        tool("spaced", json!({"v": {"type": "string", "x-mcp-header": "My Region"}})),
    ]})
}

async fn stateless_client(url: &str) -> Client {
    Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(url))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_version_is_retried_once_with_a_supported_one() {
    // The first request is refused, whatever its version; the others are answered.
    let (url, log) = serve(|seen, n| {
        let id = &seen.body["id"];
        if n == 0 {
            return unsupported_version(id, &["2026-07-28"], seen.header("mcp-protocol-version"));
        }
        result(id, tools())
    })
    .await;
    let client = stateless_client(&url).await;
    let names: Vec<String> = client
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(client.protocol_version(), ProtocolVersion::V2026_07_28);
    client.close().await.unwrap();

    // Invalid x-mcp-header annotations: the tool is left out.
    assert_eq!(names, ["valid_tool", "plain_tool"]);

    let log = log.lock().unwrap().clone();
    assert_eq!(log.len(), 2, "{log:#?}");
    let (first, retry) = (&log[0], &log[1]);
    assert_eq!(retry.rpc_method(), "tools/list");
    assert_ne!(first.body["id"], retry.body["id"], "a retry has a new id");
    for s in [first, retry] {
        assert_eq!(s.header("mcp-protocol-version"), Some("2026-07-28"));
        assert_eq!(
            s.body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_version_without_a_stateless_alternative_is_an_error() {
    let (url, log) =
        serve(|seen, _| unsupported_version(&seen.body["id"], &["2025-06-18", "2025-11-25"], None))
            .await;
    let client = stateless_client(&url).await;
    let e = client.discover().await.unwrap_err();
    assert_eq!(e.code(), -32022, "{e}");
    client.close().await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 1, "no retry");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_again_after_the_retry_is_an_error() {
    let (url, log) =
        serve(|seen, _| unsupported_version(&seen.body["id"], &["2026-07-28"], None)).await;
    let client = stateless_client(&url).await;
    let e = client.list_tools().await.unwrap_err();
    assert_eq!(e.code(), -32022, "{e}");
    client.close().await.unwrap();
    assert_eq!(log.lock().unwrap().len(), 2, "one retry, no more");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_get_stream_is_open_before_the_first_request_after_the_handshake() {
    for _ in 0..3 {
        let (url, log) = serve(|seen, _| {
            let session = vec![("mcp-session-id", "s-1".to_owned())];
            let id = &seen.body["id"];
            match (seen.method.as_str(), seen.rpc_method()) {
                ("GET", _) => Answer::OpenStream,
                ("DELETE", _) => Answer::Json(200, vec![], None),
                (_, "initialize") => Answer::Json(
                    200,
                    session,
                    Some(json!({"jsonrpc": "2.0", "id": id, "result": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {"tools": {}},
                        "serverInfo": {"name": "recorder", "version": "1"}
                    }})),
                ),
                (_, "notifications/initialized") => Answer::Json(202, vec![], None),
                _ => result(id, json!({"tools": []})),
            }
        })
        .await;
        let client = Client::builder()
            .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
            .timeout(Duration::from_secs(10))
            .connect(StreamableHttp::new(&url))
            .await
            .unwrap();
        client.list_tools().await.unwrap();
        client.close().await.unwrap();
        let order: Vec<String> = log
            .lock()
            .unwrap()
            .iter()
            .map(|s| match s.method.as_str() {
                "POST" => s.rpc_method().to_owned(),
                m => m.to_owned(),
            })
            .collect();
        assert_eq!(
            order[..4],
            [
                "initialize",
                "notifications/initialized",
                "GET",
                "tools/list"
            ],
            "{order:?}"
        );
    }
}
