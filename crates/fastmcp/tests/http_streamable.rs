//! Streamable HTTP on a real socket: bad input gets the right status and JSON-RPC error
//! while the server keeps serving; a dropped SSE stream resumes with `Last-Event-ID`.

use std::net::SocketAddr;
use std::time::Duration;

use fastmcp::core::{Context, Error, FnTool};
use fastmcp::server::HttpOptions;
use fastmcp::Server;
use futures::StreamExt;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// Set by the `watch` tool when it sees its request cancelled.
static WATCH_CANCELLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

async fn start() -> SocketAddr {
    let running = Server::new("http", "0")
        .tool(FnTool::typed("hello", "", |_: Context, _: Empty| async {
            "hello"
        }))
        .tool(FnTool::typed(
            "ticks",
            "",
            |ctx: Context, _: Empty| async move {
                for i in 1..=5 {
                    ctx.report_progress(i as f64, Some(5.0), None).await?;
                    tokio::time::sleep(Duration::from_millis(40)).await;
                }
                Ok::<_, Error>("ticked")
            },
        ))
        .tool(FnTool::typed(
            "watch",
            "",
            |ctx: Context, _: Empty| async move {
                ctx.report_progress(0.0, None, None).await?;
                if ctx.sleep(Duration::from_secs(30)).await.is_err() {
                    WATCH_CANCELLED.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                Ok::<_, Error>("watched")
            },
        ))
        .start()
        .await
        .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let opts = HttpOptions::default().max_body_bytes(64 * 1024);
    tokio::spawn(async move { running.serve_http(l, opts).await });
    addr
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

async fn post(
    addr: SocketAddr,
    h: HeaderMap,
    body: impl Into<reqwest::Body>,
) -> (u16, HeaderMap, String) {
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .headers(h)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let hs = r.headers().clone();
    (status, hs, r.text().await.unwrap())
}

fn code(body: &str) -> i64 {
    serde_json::from_str::<Value>(body).unwrap_or_else(|_| panic!("not JSON: {body}"))["error"]
        ["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error code: {body}"))
}

async fn initialize(addr: SocketAddr, version: &str) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    let (status, h, body) = post(addr, headers(&[]), init.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let sid = h["mcp-session-id"].to_str().unwrap().to_owned();
    assert!(sid.len() >= 32, "a long random session id");
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let (status, _, _) = post(
        addr,
        headers(&[("mcp-session-id", &sid), ("mcp-protocol-version", version)]),
        note.to_string(),
    )
    .await;
    assert_eq!(status, 202);
    sid
}

fn stateless_call(name: &str) -> String {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": name, "arguments": {},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string()
}

const V26: [(&str, &str); 2] = [
    ("mcp-protocol-version", "2026-07-28"),
    ("mcp-method", "tools/call"),
];

#[tokio::test]
async fn bad_input_gets_the_right_status_and_the_server_keeps_serving() {
    let addr = start().await;
    let sid = initialize(addr, "2025-11-25").await;
    let s = |extra: &[(&'static str, &str)]| {
        let mut v = vec![
            ("mcp-session-id", sid.as_str()),
            ("mcp-protocol-version", "2025-11-25"),
        ];
        v.extend_from_slice(extra);
        headers(&v)
    };
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).to_string();

    // Malformed JSON.
    let (st, _, body) = post(addr, s(&[]), "{not json").await;
    assert_eq!((st, code(&body)), (400, -32700));
    // Wrong content type.
    let mut h = s(&[]);
    h.insert("content-type", HeaderValue::from_static("text/plain"));
    assert_eq!(post(addr, h, list.clone()).await.0, 415);
    // An Accept without text/event-stream.
    let mut h = s(&[]);
    h.insert("accept", HeaderValue::from_static("application/json"));
    assert_eq!(post(addr, h, list.clone()).await.0, 406);
    // Oversized body.
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":3,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(100_000)
    );
    let (st, _, body) = post(addr, s(&[]), big).await;
    assert_eq!((st, code(&body)), (413, -32600));
    // A forged session id, and no session id.
    let (st, _, _) = post(
        addr,
        headers(&[("mcp-session-id", "0123456789abcdef0123456789abcdef")]),
        list.clone(),
    )
    .await;
    assert_eq!(st, 404);
    assert_eq!(post(addr, headers(&[]), list.clone()).await.0, 400);
    // An evil Origin and a Host that is not allowed: refused, saying how to allow them.
    let (st, _, body) = post(addr, s(&[("origin", "https://evil.example")]), list.clone()).await;
    assert_eq!(st, 403);
    let msg = body;
    assert!(
        msg.contains(r#"HttpOptions::allow_origin(\"https://evil.example\")"#),
        "{msg}"
    );
    let (st, _, body) = post(addr, s(&[("host", "evil.example:8000")]), list.clone()).await;
    assert_eq!(st, 403);
    let msg = body;
    assert!(
        msg.contains("Host not allowed: evil.example:8000")
            && msg.contains(r#"HttpOptions::allow_host(\"evil.example\")"#),
        "{msg}"
    );
    // An unsupported MCP-Protocol-Version.
    let mut h = s(&[]);
    h.insert(
        "mcp-protocol-version",
        HeaderValue::from_static("1999-01-01"),
    );
    assert_eq!(post(addr, h, list.clone()).await.0, 400);
    // A 2026-07-28 header on a body whose `_meta` names no version.
    let mut h = s(&[]);
    h.insert(
        "mcp-protocol-version",
        HeaderValue::from_static("2026-07-28"),
    );
    let (st, _, body) = post(addr, h, list.clone()).await;
    assert_eq!((st, code(&body)), (400, -32602));
    // 2026-07-28: a mismatched Mcp-Name, a missing one, an unsupported version, an unknown method.
    let (st, _, body) = post(
        addr,
        headers(&[V26[0], V26[1], ("mcp-name", "other")]),
        stateless_call("hello"),
    )
    .await;
    assert_eq!((st, code(&body)), (400, -32020));
    let (st, _, body) = post(addr, headers(&V26), stateless_call("hello")).await;
    assert_eq!((st, code(&body)), (400, -32020));
    let old = stateless_call("hello").replace("2026-07-28", "2099-01-01");
    let (st, _, body) = post(
        addr,
        headers(&[
            ("mcp-protocol-version", "2099-01-01"),
            V26[1],
            ("mcp-name", "hello"),
        ]),
        old,
    )
    .await;
    assert_eq!((st, code(&body)), (400, -32022));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["error"]["data"]["supported"],
        json!(["2026-07-28"])
    );
    let unknown = stateless_call("hello").replace("tools/call", "no/such");
    let (st, _, body) = post(addr, headers(&[V26[0], ("mcp-method", "no/such")]), unknown).await;
    assert_eq!((st, code(&body)), (404, -32601));
    // GET and DELETE do not exist in 2026-07-28.
    let c = reqwest::Client::new();
    let get = c
        .get(format!("http://{addr}/mcp"))
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2026-07-28")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status().as_u16(), 405);
    let del = c
        .delete(format!("http://{addr}/mcp"))
        .header("mcp-protocol-version", "2026-07-28")
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 405);

    // Still serving, in both eras.
    let (st, _, body) = post(addr, s(&[]), list.clone()).await;
    assert_eq!(st, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["result"]["tools"][0]["name"],
        "hello"
    );
    let (st, _, body) = post(
        addr,
        headers(&[V26[0], V26[1], ("mcp-name", "hello")]),
        stateless_call("hello"),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["result"]["content"][0]["text"],
        "hello"
    );
    // A base64-encoded Mcp-Name is decoded before the comparison.
    let (st, _, _) = post(
        addr,
        headers(&[V26[0], V26[1], ("mcp-name", "=?base64?aGVsbG8=?=")]),
        stateless_call("hello"),
    )
    .await;
    assert_eq!(st, 200);

    // An ended session is gone.
    let del = c
        .delete(format!("http://{addr}/mcp"))
        .header("mcp-session-id", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 200);
    assert_eq!(post(addr, s(&[]), list).await.0, 404);
}

/// Read SSE events (id, data) from a response until `n` have come or the stream ends.
async fn events(r: reqwest::Response, n: usize) -> Vec<(Option<String>, String)> {
    let mut out = vec![];
    let mut buf = String::new();
    let mut stream = r.bytes_stream();
    while out.len() < n {
        let Some(chunk) = stream.next().await else {
            break;
        };
        buf.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let (mut id, mut data) = (None, None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    id = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data = Some(v.trim_start().to_owned());
                }
            }
            // An event with an id but no data (the priming event) still counts.
            if data.is_some() || id.is_some() {
                out.push((id, data.unwrap_or_default()));
            }
        }
    }
    out
}

#[tokio::test]
async fn a_dropped_stream_resumes_with_exactly_the_missed_events() {
    let addr = start().await;
    let sid = initialize(addr, "2025-11-25").await;
    let h = headers(&[
        ("mcp-session-id", &sid),
        ("mcp-protocol-version", "2025-11-25"),
    ]);
    let call = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call",
        "params": {"name": "ticks", "arguments": {}, "_meta": {"progressToken": "t"}}});
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .headers(h)
        .body(call.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    // The priming event (an id, no data) and the first two progress events, then drop.
    let first = events(r, 3).await;
    assert_eq!(first[0].1, "", "priming event first");
    let last_id = first[2].0.clone().expect("events carry ids");
    // Resume on a new connection.
    let r = reqwest::Client::new()
        .get(format!("http://{addr}/mcp"))
        .header("accept", "text/event-stream")
        .header("mcp-session-id", &sid)
        .header("last-event-id", &last_id)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let rest = events(r, 100).await;
    let datas: Vec<Value> = rest
        .iter()
        .map(|(_, d)| serde_json::from_str(d).unwrap())
        .collect();
    let progress: Vec<f64> = datas
        .iter()
        .filter(|d| d["method"] == "notifications/progress")
        .map(|d| d["params"]["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(
        progress,
        [3.0, 4.0, 5.0],
        "exactly the missed progress events, once each"
    );
    assert_eq!(
        datas.last().unwrap()["result"]["content"][0]["text"],
        "ticked"
    );
    let ids: Vec<_> = rest.iter().map(|(i, _)| i.clone().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique);
}

#[tokio::test]
async fn resuming_an_unknown_stream_is_refused_but_a_lost_get_stream_starts_again() {
    let addr = start().await;
    let sid = initialize(addr, "2025-11-25").await;
    let get = |last: String| {
        reqwest::Client::new()
            .get(format!("http://{addr}/mcp"))
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &sid)
            .header("mcp-protocol-version", "2025-11-25")
            .header("last-event-id", last)
            .send()
    };
    // A request's stream that this session never had: 400, not the 404 that would tell
    // the client its session ended.
    let r = get(format!("{}.77_3", &sid[..12])).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains("Unknown event stream"));
    // The GET stream of a replica that stopped: the session's GET stream starts here.
    let r = get(format!("{}.0123456789.g0_4", &sid[..12]))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let first = events(r, 1).await;
    let id = first[0].0.clone().expect("a priming event with an id");
    assert!(id.starts_with(&format!("{}.g", &sid[..12])), "{id}");
    // The session goes on.
    let h = headers(&[
        ("mcp-session-id", &sid),
        ("mcp-protocol-version", "2025-11-25"),
    ]);
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"}).to_string();
    assert_eq!(post(addr, h, ping).await.0, 200);
}

#[tokio::test]
async fn closing_a_2026_response_stream_cancels_the_request() {
    let addr = start().await;
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "watch", "arguments": {},
        "_meta": {"progressToken": 1, "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}});
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/mcp"))
        .headers(headers(&[V26[0], V26[1], ("mcp-name", "watch")]))
        .body(call.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/event-stream");
    let got = events(r, 1).await;
    assert!(
        got[0].0.is_none(),
        "2026-07-28 streams are not resumable: no ids"
    );
    // The response was dropped with the stream: the handler sees the cancellation.
    let mut seen = false;
    for _ in 0..200 {
        if WATCH_CANCELLED.load(std::sync::atomic::Ordering::SeqCst) {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(seen, "closing the stream cancelled the request");
}
