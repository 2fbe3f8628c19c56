//! Hostile HTTP clients against `serve_http` on 127.0.0.1, over raw TCP sockets (and h2c
//! for `:authority`): slow headers, too many connections, oversize and malformed bodies,
//! missing or doubled `Host`, look-alike hosts and origins, `"id": null`, disagreeing
//! duplicate `Mcp-*` headers, binary WebSocket frames and batch amplification. After each,
//! another client is still served. Memory (VmRSS of this process, which holds the server)
//! is sampled where an attack could grow it; the figures are printed.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fastmcp::core::{Context, FnTool};
use fastmcp::server::{HttpOptions, Limits};
use fastmcp::Server;
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use support::resident_kib as rss_kib;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn server() -> Server {
    Server::new("bad-input", "0")
        .tool(FnTool::typed("hello", "", |_: Context, _: Empty| async {
            "hello"
        }))
        .tool(FnTool::typed(
            "big",
            &"d".repeat(2000),
            |_: Context, _: Empty| async { "big" },
        ))
}

async fn serve(server: Server, opts: HttpOptions) -> SocketAddr {
    let running = server.start().await.unwrap();
    support::serve_http(&running, opts).await
}

async fn start() -> SocketAddr {
    serve(server(), HttpOptions::default()).await
}

/// Write `req`, read until the server closes (or `wait` passes); the bytes read.
async fn exchange(addr: SocketAddr, req: &[u8], wait: Duration) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(req).await.unwrap();
    read_all(&mut s, wait).await
}

async fn read_all(s: &mut TcpStream, wait: Duration) -> String {
    let mut out = Vec::new();
    let _ = timeout(wait, async {
        let mut buf = [0u8; 8192];
        while let Ok(n) = s.read(&mut buf).await {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
    })
    .await;
    String::from_utf8_lossy(&out).into_owned()
}

fn status(resp: &str) -> u16 {
    resp.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {resp:?}"))
}

fn body_json(resp: &str) -> Value {
    let body = resp.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {resp:?}"))
}

fn post_bytes(headers: &str, body: &str) -> Vec<u8> {
    format!(
        "POST /mcp HTTP/1.1\r\n{headers}content-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn init_body(version: &str) -> String {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
    .to_string()
}

/// A valid request from another client is served: an initialize, 200 with a session.
async fn assert_serves(addr: SocketAddr) {
    let r = exchange(
        addr,
        &post_bytes("host: 127.0.0.1\r\n", &init_body("2025-03-26")),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(status(&r), 200, "a valid client is not served: {r}");
    assert!(r.to_ascii_lowercase().contains("mcp-session-id"), "{r}");
}

/// A session of protocol `version`; its id.
async fn session(addr: SocketAddr, version: &str) -> String {
    let r = exchange(
        addr,
        &post_bytes("host: 127.0.0.1\r\n", &init_body(version)),
        Duration::from_secs(10),
    )
    .await;
    let sid = r
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("mcp-session-id")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("no session id: {r}"));
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string();
    let h = format!("host: 127.0.0.1\r\nmcp-session-id: {sid}\r\n");
    let r = exchange(addr, &post_bytes(&h, &note), Duration::from_secs(10)).await;
    assert_eq!(status(&r), 202, "{r}");
    sid
}

/// VmRSS of this process in KiB.
/// Samples VmRSS every 5 ms on a thread of its own until dropped; keeps the peak.
struct RssPeak {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl RssPeak {
    fn start() -> RssPeak {
        let peak = Arc::new(AtomicU64::new(rss_kib()));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(rss_kib(), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        RssPeak { peak, stop }
    }

    fn peak(&self) -> u64 {
        self.peak
            .fetch_max(rss_kib(), Ordering::Relaxed)
            .max(rss_kib())
    }
}

impl Drop for RssPeak {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------------------
// 1. Slow headers and the connection cap

#[tokio::test]
async fn a_body_that_never_arrives_is_cut_off() {
    let opts = HttpOptions::default().body_read_timeout(Duration::from_millis(500));
    let addr = serve(server(), opts).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    // Headers announce 100 bytes; 10 come, the rest never does.
    let head = "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
                accept: application/json, text/event-stream\r\ncontent-length: 100\r\n\r\n{\"jsonrpc\"";
    s.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let r = read_all(&mut s, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert_eq!(status(&r), 408, "{r}");
    assert!(took < Duration::from_secs(2), "cut off after {took:?}");
    assert_serves(addr).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_and_others_are_served() {
    let opts = HttpOptions::default().header_read_timeout(Duration::from_millis(800));
    let addr = serve(server(), opts).await;
    let before = rss_kib();
    let sampler = RssPeak::start();
    let started = Instant::now();
    let head = b"POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n";
    // 20 clients sending their headers one byte every 100 ms, and one sending nothing.
    let mut slow = Vec::new();
    for i in 0..21 {
        slow.push(tokio::spawn(async move {
            let mut s = TcpStream::connect(addr).await.unwrap();
            if i < 20 {
                for b in head.iter().cycle() {
                    if s.write_all(&[*b]).await.is_err() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if started.elapsed() > Duration::from_secs(10) {
                        return None;
                    }
                }
            }
            let _ = read_all(&mut s, Duration::from_secs(10)).await;
            Some(started.elapsed())
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_serves(addr).await;
    let mut worst = Duration::ZERO;
    for t in slow {
        let closed = t.await.unwrap().expect("a slow client was held for 10 s");
        worst = worst.max(closed);
    }
    assert!(
        worst < Duration::from_secs(4),
        "slowest close after {worst:?}"
    );
    assert_serves(addr).await;
    let (peak, after) = (sampler.peak(), rss_kib());
    eprintln!(
        "slow headers: 21 connections closed within {worst:?}; VmRSS before {before} KiB, peak {peak} KiB, after {after} KiB"
    );
    assert!(
        peak < before + 64 * 1024,
        "VmRSS grew to {peak} KiB from {before} KiB"
    );
}

#[tokio::test]
async fn connections_past_the_cap_get_503_and_open_ones_keep_working() {
    let addr = serve(server(), HttpOptions::default().max_connections(8)).await;
    // One keep-alive client with a session, then seven idle connections: the cap is full.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    let mut idle = Vec::new();
    for _ in 0..7 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let r = exchange(
        addr,
        &post_bytes("host: 127.0.0.1\r\n", &init_body("2025-03-26")),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(status(&r), 503, "{r}");
    assert_eq!(body_json(&r)["error"]["code"], -32029, "{r}");
    // The client already connected is served.
    let req = format!(
        "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\n\r\n{}",
        init_body("2025-03-26").len(),
        init_body("2025-03-26")
    );
    kept.write_all(req.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_secs(5), kept.read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status(&String::from_utf8_lossy(&buf[..n])), 200);
    // Closed connections free their places.
    drop(idle);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_serves(addr).await;
}

// ---------------------------------------------------------------------------------------
// 2. Body sizes and chunk sizes

#[tokio::test]
async fn a_declared_oversize_body_is_413_before_it_is_sent() {
    let addr = start().await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let head = "POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: 100000000\r\n\r\n";
    s.write_all(head.as_bytes()).await.unwrap();
    // Not one byte of the body is sent: the answer comes anyway, and the connection ends.
    let started = Instant::now();
    let r = read_all(&mut s, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert_eq!(status(&r), 413, "{r}");
    assert!(
        took < Duration::from_secs(2),
        "the 413 and close took {took:?}"
    );
    eprintln!("oversize Content-Length: 413 and close after {took:?}, no body sent");
    assert_serves(addr).await;
}

#[tokio::test]
async fn malformed_and_overflowing_chunk_sizes_are_400() {
    let addr = start().await;
    for chunk in [
        "zz\r\n{}\r\n0\r\n\r\n",
        "FFFFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n",
    ] {
        let req = format!("POST /mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{chunk}");
        let r = exchange(addr, req.as_bytes(), Duration::from_secs(5)).await;
        assert_eq!(status(&r), 400, "{chunk:?}: {r}");
    }
    assert_serves(addr).await;
}

// ---------------------------------------------------------------------------------------
// 3. Host, Origin, :authority

#[tokio::test]
async fn host_must_be_there_once_and_loopback_means_loopback() {
    let addr = start().await;
    let init = init_body("2025-03-26");
    for (headers, want) in [
        ("", 400),
        ("host: 127.0.0.1\r\nhost: 127.0.0.1\r\n", 400),
        ("host: 127.0.0.1\r\nhost: evil.example\r\n", 400),
        ("host: 127.evil.example\r\n", 403),
        ("host: 127.0.0.1.evil.example\r\n", 403),
        ("host: localhost.evil.example:80\r\n", 403),
        (
            "host: 127.0.0.1\r\norigin: http://127.0.0.1.evil.example\r\n",
            403,
        ),
        (
            "host: 127.0.0.1\r\norigin: http://127.evil.example:8080\r\n",
            403,
        ),
        (
            "host: 127.0.0.1\r\norigin: http://localhost.evil.example\r\n",
            403,
        ),
        (
            "host: 127.0.0.1:9\r\norigin: http://localhost:3000\r\n",
            200,
        ),
        ("host: [::1]:9\r\n", 200),
    ] {
        let r = exchange(addr, &post_bytes(headers, &init), Duration::from_secs(5)).await;
        assert_eq!(status(&r), want, "{headers:?}: {r}");
    }
    // Absolute-form request target: its authority is checked too.
    let req = format!(
        "POST http://evil.example/mcp HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{init}",
        init.len()
    );
    let r = exchange(addr, req.as_bytes(), Duration::from_secs(5)).await;
    assert_eq!(status(&r), 403, "{r}");
    assert_serves(addr).await;
}

/// One h2c (prior knowledge) POST of an initialize; its status.
async fn h2c_post(addr: SocketAddr, authority: &str, host: Option<&str>) -> u16 {
    h2c_post_from(addr, authority, host, None).await
}

/// The same, with an `Origin` header.
async fn h2c_post_from(
    addr: SocketAddr,
    authority: &str,
    host: Option<&str>,
    origin: Option<&str>,
) -> u16 {
    let tcp = TcpStream::connect(addr).await.unwrap();
    let (mut client, conn) = h2::client::handshake(tcp).await.unwrap();
    tokio::spawn(conn);
    let mut req = axum::http::Request::post(format!("http://{authority}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(h) = host {
        req = req.header("host", h);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let (resp, mut body) = client.send_request(req.body(()).unwrap(), false).unwrap();
    body.send_data(init_body("2025-03-26").into(), true)
        .unwrap();
    let resp = timeout(Duration::from_secs(5), resp)
        .await
        .unwrap()
        .unwrap();
    resp.status().as_u16()
}

#[tokio::test]
async fn h2c_authority_is_checked() {
    let addr = start().await;
    assert_eq!(h2c_post(addr, "evil.example", None).await, 403);
    assert_eq!(h2c_post(addr, "127.evil.example:80", None).await, 403);
    assert_eq!(
        h2c_post(addr, "evil.example", Some("127.0.0.1")).await,
        403,
        "a loopback Host does not excuse the :authority"
    );
    assert_eq!(
        h2c_post(addr, "127.0.0.1:9", Some("evil.example")).await,
        403
    );
    assert_eq!(h2c_post(addr, &addr.to_string(), None).await, 200);
    // Origin look-alikes over HTTP/2 as over HTTP/1.1.
    let me = addr.to_string();
    for evil in [
        "http://127.0.0.1.evil.example",
        "http://127.evil.example:8080",
        "http://localhost.evil.example",
        "http://evil.example",
    ] {
        assert_eq!(
            h2c_post_from(addr, &me, None, Some(evil)).await,
            403,
            "{evil}"
        );
    }
    let local = format!("http://{me}");
    assert_eq!(h2c_post_from(addr, &me, None, Some(&local)).await, 200);
    assert_serves(addr).await;
}

// ---------------------------------------------------------------------------------------
// 4. "id": null

#[tokio::test]
async fn a_null_id_is_an_invalid_request_on_every_transport() {
    let addr = start().await;
    let sid = session(addr, "2025-03-26").await;
    let bad = json!({"jsonrpc": "2.0", "id": null, "method": "tools/list"}).to_string();
    let h = format!("host: 127.0.0.1\r\nmcp-session-id: {sid}\r\n");
    let r = exchange(addr, &post_bytes(&h, &bad), Duration::from_secs(5)).await;
    assert_eq!(status(&r), 400, "{r}");
    assert_eq!(body_json(&r)["error"]["code"], -32600, "{r}");
    // In a batch: an error for that item.
    let batch = format!("[{bad}]");
    let r = exchange(addr, &post_bytes(&h, &batch), Duration::from_secs(5)).await;
    assert_eq!(body_json(&r)[0]["error"]["code"], -32600, "{r}");
    // WebSocket.
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    ws.send(WsMessage::text(bad)).await.unwrap();
    let m = timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let v: Value = serde_json::from_str(m.to_text().unwrap()).unwrap();
    assert_eq!(v["error"]["code"], -32600, "{v}");
    assert!(v["id"].is_null(), "{v}");
    assert_serves(addr).await;
}

#[tokio::test]
async fn a_null_id_is_an_invalid_request_on_message_channels_too() {
    // The path of stdio, in-memory and WebSocket sessions (`serve_session`).
    let running = server().start().await.unwrap();
    let mut ch = running.connect_in_memory();
    let bad = json!({"jsonrpc": "2.0", "id": null, "method": "ping"}).to_string();
    ch.outbound.send(bad).await.unwrap();
    let reply = timeout(Duration::from_secs(5), ch.inbound.recv())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let v: Value = serde_json::from_slice(&reply).unwrap();
    assert_eq!(v["error"]["code"], -32600, "{v}");
}

// ---------------------------------------------------------------------------------------
// 5. Duplicate Mcp-* headers

#[tokio::test]
async fn disagreeing_duplicate_mcp_headers_are_400_header_mismatch() {
    let addr = start().await;
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "hello", "arguments": {},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}}}})
    .to_string();
    let base = "host: 127.0.0.1\r\nmcp-protocol-version: 2026-07-28\r\n";
    for (extra, want) in [
        ("mcp-method: tools/call\r\nmcp-name: hello\r\n", 200),
        (
            "mcp-method: tools/call\r\nmcp-method: tools/list\r\nmcp-name: hello\r\n",
            400,
        ),
        (
            "mcp-method: tools/call\r\nmcp-name: hello\r\nmcp-name: other\r\n",
            400,
        ),
        (
            "mcp-method: tools/call\r\nmcp-name: hello\r\nmcp-name: hello\r\n",
            200,
        ),
    ] {
        let r = exchange(
            addr,
            &post_bytes(&format!("{base}{extra}"), &call),
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(status(&r), want, "{extra:?}: {r}");
        if want == 400 {
            assert_eq!(body_json(&r)["error"]["code"], -32020, "{r}");
            assert_eq!(body_json(&r)["id"], 7, "{r}");
        }
    }
    assert_serves(addr).await;
}

// ---------------------------------------------------------------------------------------
// 6. Binary WebSocket frames

#[tokio::test]
async fn a_binary_websocket_frame_closes_with_1003() {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    let addr = start().await;
    for _ in 0..20 {
        let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
            .await
            .unwrap();
        ws.send(WsMessage::binary(b"{}".to_vec())).await.unwrap();
        let code = loop {
            match timeout(Duration::from_secs(5), ws.next()).await.unwrap() {
                Some(Ok(WsMessage::Close(f))) => break f.map(|f| f.code),
                Some(Ok(_)) => continue,
                other => panic!("no close frame: {other:?}"),
            }
        };
        assert_eq!(code, Some(CloseCode::Unsupported));
    }
    assert_serves(addr).await;
}

#[tokio::test]
async fn an_oversize_websocket_frame_is_refused_and_a_huge_one_ends_the_connection() {
    use tokio_tungstenite::tungstenite::Message as WsMessage;
    let max = 64 * 1024;
    let addr = serve(server(), HttpOptions::default().max_body_bytes(max)).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    // Over the body limit but within twice it: a JSON-RPC error, the socket stays open.
    let pad = "x".repeat(max + 10);
    let msg = json!({"jsonrpc": "2.0", "id": 1, "method": "ping", "params": {"pad": pad}});
    ws.send(WsMessage::text(msg.to_string())).await.unwrap();
    let answer = loop {
        match timeout(Duration::from_secs(5), ws.next()).await.unwrap() {
            Some(Ok(WsMessage::Text(t))) => break t.to_string(),
            Some(Ok(_)) => continue,
            other => panic!("no answer: {other:?}"),
        }
    };
    assert!(answer.contains("too large"), "{answer}");
    // Past twice the limit the frame is not read into memory: the connection ends.
    let huge = "x".repeat(3 * max);
    let _ = ws.send(WsMessage::text(huge)).await;
    let ended = loop {
        match timeout(Duration::from_secs(5), ws.next()).await.unwrap() {
            Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break true,
            Some(Ok(_)) => continue,
        }
    };
    assert!(ended);
    assert_serves(addr).await;
}

// ---------------------------------------------------------------------------------------
// 7. Batches (2025-03-26)

fn list_batch(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"jsonrpc":"2.0","id":{i},"method":"tools/list"}}"#))
        .collect();
    format!("[{}]", items.join(","))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_amplification_is_refused_and_memory_stays_flat() {
    let addr = start().await;
    let sid = session(addr, "2025-03-26").await;
    let h = format!("host: 127.0.0.1\r\nmcp-session-id: {sid}\r\n");
    // The probe's batch: 80,185 tools/list requests, 3.9 MB.
    let big = list_batch(80_185);
    let before = rss_kib();
    let sampler = RssPeak::start();
    let started = Instant::now();
    let r = exchange(addr, &post_bytes(&h, &big), Duration::from_secs(60)).await;
    let took = started.elapsed();
    let peak = sampler.peak();
    drop(sampler);
    let after = rss_kib();
    eprintln!(
        "batch of 80,185 ({} bytes): answered in {took:?} with {} bytes; VmRSS before {before} KiB, peak {peak} KiB, after {after} KiB",
        big.len(),
        r.len()
    );
    assert_eq!(status(&r), 200, "{}", &r[..r.len().min(400)]);
    let v = body_json(&r);
    assert_eq!(
        v["error"]["code"],
        -32029,
        "one error, not an array: {}",
        &r[..r.len().min(400)]
    );
    assert!(r.len() < 1024, "{} bytes of answer", r.len());
    assert!(
        peak < before + 64 * 1024,
        "VmRSS grew to {peak} KiB from {before} KiB"
    );
    // Two million tiny items in 4 MB: refused without being collected.
    let tiny = format!("[{}0]", "0,".repeat(2_000_000));
    let sampler = RssPeak::start();
    let r = exchange(addr, &post_bytes(&h, &tiny), Duration::from_secs(30)).await;
    let peak = sampler.peak();
    drop(sampler);
    eprintln!(
        "batch of 2,000,001 zeros: VmRSS peak {peak} KiB (before the first batch {before} KiB)"
    );
    assert_eq!(
        body_json(&r)["error"]["code"],
        -32029,
        "{}",
        &r[..r.len().min(400)]
    );
    assert!(
        peak < before + 64 * 1024,
        "VmRSS grew to {peak} KiB from {before} KiB"
    );
    // 100 is the default limit: served.
    let ok = exchange(
        addr,
        &post_bytes(&h, &list_batch(100)),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(body_json(&ok).as_array().map(Vec::len), Some(100));
    assert_serves(addr).await;
}

#[tokio::test]
async fn a_batch_answer_over_the_byte_cap_is_one_error() {
    let server = server().limits(Limits {
        max_batch_response_bytes: 64 * 1024,
        ..Limits::default()
    });
    let addr = serve(server, HttpOptions::default()).await;
    let sid = session(addr, "2025-03-26").await;
    let h = format!("host: 127.0.0.1\r\nmcp-session-id: {sid}\r\n");
    // Each answer is over 2 KB: 100 of them pass 64 KiB.
    let r = exchange(
        addr,
        &post_bytes(&h, &list_batch(100)),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(
        body_json(&r)["error"]["code"],
        -32029,
        "{}",
        &r[..r.len().min(400)]
    );
    let ok = exchange(
        addr,
        &post_bytes(&h, &list_batch(10)),
        Duration::from_secs(10),
    )
    .await;
    assert_eq!(body_json(&ok).as_array().map(Vec::len), Some(10));
    assert_serves(addr).await;
}

#[tokio::test]
async fn a_batch_its_client_left_leaves_no_request_behind() {
    // A request of a batch whose client goes away mid-way (its POST's future is dropped
    // with it) is no longer in flight: its id may be used again, and it does not count
    // against the session's limit of requests in flight.
    let started = Arc::new(tokio::sync::Notify::new());
    let seen = started.clone();
    let server = server().tool(FnTool::typed("wait", "", move |_: Context, _: Empty| {
        let seen = seen.clone();
        async move {
            seen.notify_one();
            tokio::time::sleep(Duration::from_secs(3600)).await;
            "late"
        }
    }));
    let addr = serve(server, HttpOptions::default()).await;
    let sid = session(addr, "2025-03-26").await;
    let h = format!("host: 127.0.0.1\r\nmcp-session-id: {sid}\r\n");
    let batch = r#"[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"wait"}}]"#;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(&post_bytes(&h, batch)).await.unwrap();
    timeout(Duration::from_secs(10), started.notified())
        .await
        .expect("the batch's request never started");
    drop(s);
    // The same id again, once the server has seen the connection end.
    let again = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "hello"}})
    .to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let r = exchange(addr, &post_bytes(&h, &again), Duration::from_secs(10)).await;
        if status(&r) == 200 {
            assert!(r.contains("hello"), "{r}");
            break;
        }
        // 202 and no answer: id 7 is still taken by the request that was dropped.
        assert_eq!(status(&r), 202, "{r}");
        assert!(Instant::now() < deadline, "id 7 stayed in flight");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
