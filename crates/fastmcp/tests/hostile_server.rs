//! The client against broken or hostile servers (fake ones, on 127.0.0.1 and as child
//! processes): every call fails clearly within a short time, none is left hanging, and
//! floods do not grow the client's memory without bound. Memory figures are printed with
//! `eprintln!` (run with `--nocapture` to see them).

mod hostile;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fastmcp::client::{Client, ClientHandler, Supports};
use fastmcp::core::{BoxFuture, Error, ErrorKind};
use fastmcp::protocol::{ClientCapabilities, ListRootsResult};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::transport::ChildTransport;
use hostile::*;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;
use tokio::sync::{oneshot, watch};
use tokio::time::timeout;

/// How long any call may take before the test calls it hanging.
const BOUND: Duration = Duration::from_secs(10);
const MIB: u64 = 1024;

/// Await a call that must fail, within [`BOUND`].
async fn fails<T>(f: impl std::future::Future<Output = Result<T, Error>>) -> Error {
    match timeout(BOUND, f).await {
        Err(_) => panic!("the call hung instead of failing"),
        Ok(Ok(_)) => panic!("the call should have failed"),
        Ok(Err(e)) => e,
    }
}

/// Answers `roots/list` only when released; counts the calls in progress.
#[derive(Clone)]
struct SlowRoots {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
    release: watch::Receiver<bool>,
}

impl ClientHandler for SlowRoots {
    fn capabilities(&self) -> ClientCapabilities {
        Supports {
            roots: true,
            ..Supports::NONE
        }
        .capabilities()
    }

    fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(n, Ordering::SeqCst);
        let mut release = self.release.clone();
        Box::pin(async move {
            let _ = release.wait_for(|r| *r).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Ok(ListRootsResult {
                roots: vec![],
                meta: None,
            })
        })
    }
}

/// Case 1: a server sends 300,000 `roots/list` requests and never reads the answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flood_of_server_requests_is_bounded() {
    const FLOOD: usize = 300_000;
    let sent = Arc::new(AtomicUsize::new(0));
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let s2 = sent.clone();
    let addr = line_server(move |mut p| async move {
        p.handshake("2025-11-25").await;
        let write = async {
            let mut batch = Vec::with_capacity(80 * 1024);
            for i in 0..FLOOD {
                let m = format!("{{\"jsonrpc\":\"2.0\",\"id\":{i},\"method\":\"roots/list\"}}\n");
                batch.extend_from_slice(m.as_bytes());
                if batch.len() > 64 * 1024 || i == FLOOD - 1 {
                    if p.w.write_all(&batch).await.is_err() {
                        return;
                    }
                    batch.clear();
                    s2.store(i + 1, Ordering::SeqCst);
                }
            }
        };
        let mut stop_rx = stop_rx;
        tokio::select! {
            _ = write => { let _ = (&mut stop_rx).await; }
            _ = &mut stop_rx => {}
        }
        // Dropping the peer closes the connection.
    })
    .await;
    let (release_tx, release) = watch::channel(false);
    let h = SlowRoots {
        now: Arc::default(),
        max: Arc::default(),
        release,
    };
    let client = Client::builder()
        .handler(h.clone())
        .connect(line_client(addr).await)
        .await
        .unwrap();
    let (before, _) = rss_kib();
    // A request of the client in flight during the flood: never answered.
    let c2 = client.clone();
    let call = tokio::spawn(async move { c2.list_tools().await });
    // Until the server is done or stalled (a second without progress).
    let started = Instant::now();
    let mut last = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = sent.load(Ordering::SeqCst);
        if now == FLOOD || now == last || started.elapsed() > Duration::from_secs(30) {
            break;
        }
        last = now;
    }
    let (during, peak) = rss_kib();
    let max = h.max.load(Ordering::SeqCst);
    let _ = stop_tx.send(());
    let e = timeout(BOUND, call).await.expect("the call hung").unwrap();
    let e = e.expect_err("the server never answered");
    let _ = release_tx.send(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (after, _) = rss_kib();
    eprintln!(
        "flood: server wrote {} of {FLOOD} requests; at most {max} handled at once; \
         VmRSS before {} MiB, during {} MiB, peak (VmHWM) {} MiB, after {} MiB",
        sent.load(Ordering::SeqCst),
        before / MIB,
        during / MIB,
        peak / MIB,
        after / MIB
    );
    assert!(max <= 64, "{max} server requests handled at once (cap 64)");
    assert!(
        peak.saturating_sub(before) < 64 * MIB,
        "memory grew by {} MiB",
        (peak - before) / MIB
    );
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
}

/// Case 1: past the cap, server requests are answered at once with a clear error.
#[tokio::test]
async fn server_requests_past_the_cap_are_refused_at_once() {
    let (tx, rx) = oneshot::channel::<Vec<Value>>();
    let addr = line_server(move |mut p| async move {
        p.handshake("2025-11-25").await;
        for i in 0..5 {
            p.send(json!({"jsonrpc": "2.0", "id": i, "method": "roots/list"}))
                .await;
        }
        let mut answers = vec![];
        for _ in 0..3 {
            answers.push(p.recv().await.unwrap());
        }
        let _ = tx.send(answers);
        let _ = p.recv().await;
    })
    .await;
    let (_release_tx, release) = watch::channel(false);
    let h = SlowRoots {
        now: Arc::default(),
        max: Arc::default(),
        release,
    };
    let _client = Client::builder()
        .handler(h.clone())
        .max_server_requests(2)
        .connect(line_client(addr).await)
        .await
        .unwrap();
    let answers = timeout(BOUND, rx).await.expect("no answers").unwrap();
    for a in &answers {
        assert_eq!(a["error"]["code"], -32029, "{a}");
        let m = a["error"]["message"].as_str().unwrap();
        assert!(m.contains("client busy"), "{m}");
        assert_eq!(a["error"]["data"]["maxServerRequests"], 2);
    }
    assert_eq!(h.max.load(Ordering::SeqCst), 2);
}

/// A shell script that answers `initialize` (request 1) with a handshake-era version.
fn sh_init() -> String {
    let r = json!({"jsonrpc": "2.0", "id": 1, "result": init_result("2025-11-25")});
    format!("read l; echo '{r}'; read l;")
}

/// Case 2: one 200 MB stderr line.
#[tokio::test]
async fn huge_stderr_line_is_cut() {
    let script = format!(
        "head -c 200000000 /dev/zero | tr '\\0' x >&2; echo >&2; echo after >&2; {} cat >/dev/null",
        sh_init()
    );
    let (before, _) = rss_kib();
    let (channel, child) = ChildTransport::new("sh")
        .args(["-c", &script])
        .spawn()
        .unwrap();
    let client = timeout(Duration::from_secs(60), Client::connect(channel))
        .await
        .expect("connect hung")
        .unwrap();
    let started = Instant::now();
    while !child.stderr_lines().iter().any(|l| l == "after") {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "stderr not read"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let lines = child.stderr_lines();
    let (after, peak) = rss_kib();
    eprintln!(
        "stderr: one 200,000,000-byte line; VmRSS before {} MiB, peak (VmHWM) {} MiB, after {} MiB; kept line of {} bytes",
        before / MIB,
        peak / MIB,
        after / MIB,
        lines[0].len()
    );
    assert!(lines[0].ends_with("[... truncated, 200000000 bytes in all]"));
    assert!(lines[0].len() < 4096 + 64, "{} bytes kept", lines[0].len());
    assert!(
        peak.saturating_sub(before) < 64 * MIB,
        "memory grew by {} MiB",
        (peak - before) / MIB
    );
    client.close().await.unwrap();
    child.shutdown().await.unwrap();
}

/// Case 3: the server process exits; the call in flight and every later one fail at once.
#[tokio::test]
async fn requests_after_the_server_exits_fail_at_once() {
    let script = format!("{} read l; exit 0", sh_init());
    let client = Client::connect(ChildTransport::new("sh").args(["-c", &script]))
        .await
        .unwrap();
    let t = Instant::now();
    let e = fails(client.call_tool("anything", json!({}))).await;
    eprintln!(
        "exit: the call in flight failed after {:?}: {e}",
        t.elapsed()
    );
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    for _ in 0..3 {
        let t = Instant::now();
        let e = fails(client.list_tools()).await;
        eprintln!("exit: a later call failed after {:?}: {e}", t.elapsed());
        assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        assert!(e.message().contains("transport closed"), "{e}");
        assert!(t.elapsed() < Duration::from_secs(1));
    }
    assert!(client.is_closed());
}

/// Case 3 over legacy SSE and WebSocket: the server ends the connection right away.
#[tokio::test]
async fn requests_fail_at_once_when_sse_or_websocket_closes() {
    use fastmcp::client::Mode;
    use fastmcp::protocol::ProtocolVersion;
    use tokio_tungstenite::tungstenite::handshake::server::{Request, Response as WsResponse};
    let (sse, _) = http_server(|req| match req.method.as_str() {
        "GET" => response(
            "200 OK",
            &[b"content-type: text/event-stream"],
            b"event: endpoint\ndata: /messages\n\n",
        ),
        _ => response("202 Accepted", &[], b""),
    })
    .await;
    let legacy = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2024_11_05))
        .connect(LegacySse::new(format!("http://{sse}/sse")));
    let t = Instant::now();
    let e = fails(legacy).await;
    eprintln!("legacy SSE closed: failed after {:?}: {e}", t.elapsed());
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let ws = l.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((s, _)) = l.accept().await {
            let mcp = |_: &Request, mut r: WsResponse| {
                let v = "mcp".parse().unwrap();
                r.headers_mut().insert("sec-websocket-protocol", v);
                Ok(r)
            };
            let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(s, mcp).await else {
                continue;
            };
            // Answer `initialize`, wait for `notifications/initialized`, then hang up.
            use futures::{SinkExt, StreamExt};
            use tokio_tungstenite::tungstenite::Message as Ws;
            if let Some(Ok(Ws::Text(t))) = ws.next().await {
                let init: Value = serde_json::from_str(&t).unwrap();
                let r = json!({"jsonrpc": "2.0", "id": init["id"], "result": init_result("2025-11-25")});
                let _ = ws.send(Ws::text(r.to_string())).await;
                let _ = ws.next().await;
            }
            let _ = ws.close(None).await;
        }
    });
    let client = Client::connect(WebSocket::new(format!("ws://{ws}/ws")))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    for _ in 0..2 {
        let t = Instant::now();
        let e = fails(client.list_tools()).await;
        eprintln!(
            "WebSocket closed: a later call failed after {:?}: {e}",
            t.elapsed()
        );
        assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}

/// Case 4: a 2xx answer in HTML, and an answer with both `result` and `error`.
#[tokio::test]
async fn html_answers_and_double_answers_fail_their_request() {
    let (addr, _) = http_server(|req| match req.json()["method"].as_str() {
        Some("tools/call") => response(
            "200 OK",
            &[b"content-type: text/html"],
            b"<html>maintenance</html>",
        ),
        Some("tools/list") => {
            let body = json!({"jsonrpc": "2.0", "id": req.json()["id"], "result": {"tools": []},
                              "error": {"code": 1, "message": "both"}});
            let body = body.to_string();
            response(
                "200 OK",
                &[b"content-type: application/json"],
                body.as_bytes(),
            )
        }
        Some("prompts/list") => {
            let body = json!({"jsonrpc": "2.0", "id": 999, "result": {"prompts": []}});
            let body = body.to_string();
            response(
                "200 OK",
                &[b"content-type: application/json"],
                body.as_bytes(),
            )
        }
        _ => plain(req, b"mcp-session-id: s-1"),
    })
    .await;
    let client = Client::connect(StreamableHttp::new(format!("http://{addr}/mcp")))
        .await
        .unwrap();
    let t = Instant::now();
    let e = fails(client.call_tool("x", json!({}))).await;
    eprintln!("html: failed after {:?}: {e}", t.elapsed());
    // The failures the HTTP transports make up carry their code, TRANSPORT_ERROR.
    assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
    assert!(e.message().contains("text/html"), "{e}");
    let t = Instant::now();
    let e = fails(client.list_tools()).await;
    eprintln!("both: failed after {:?}: {e}", t.elapsed());
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert!(e.message().contains("both result and error"), "{e}");
    let e = fails(client.list_prompts()).await;
    eprintln!("wrong id: {e}");
    assert!(e.message().contains("not the JSON-RPC response"), "{e}");
}

/// Case 4 over a line transport: an answer with both `result` and `error`.
#[tokio::test]
async fn double_answer_over_lines_fails_its_request() {
    let addr = line_server(|mut p| async move {
        p.handshake("2025-11-25").await;
        let r = p.recv().await.unwrap();
        p.send(json!({"jsonrpc": "2.0", "id": r["id"], "result": {}, "error": {"code": 1, "message": "x"}}))
            .await;
        let _ = p.recv().await;
    })
    .await;
    let client = Client::connect(line_client(addr).await).await.unwrap();
    let e = fails(client.list_tools()).await;
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert!(e.message().contains("both result and error"), "{e}");
}

/// A server that records what reaches it, and answers like a working MCP server.
async fn elsewhere() -> (std::net::SocketAddr, Seen) {
    http_server(|req| match req.method.as_str() {
        "POST" => json_result(req, json!({"tools": []}), &[]),
        _ => response(
            "200 OK",
            &[b"content-type: text/event-stream"],
            b"event: endpoint\ndata: /messages\n\n",
        ),
    })
    .await
}

/// Case 5: redirects to another origin are refused (Streamable HTTP).
#[tokio::test]
async fn cross_origin_redirects_are_refused_streamable_http() {
    let (b, b_seen) = elsewhere().await;
    let location = format!("location: http://{b}/mcp");
    let (a, _) = http_server(move |req| match req.json()["method"].as_str() {
        Some("tools/list") => response("307 Temporary Redirect", &[location.as_bytes()], b""),
        _ => plain(req, b"mcp-session-id: s-1"),
    })
    .await;
    let t = StreamableHttp::new(format!("http://{a}/mcp")).header("X-Api-Key", "secret");
    let client = Client::connect(t).await.unwrap();
    let e = fails(client.list_tools()).await;
    eprintln!("redirect (Streamable HTTP): {e}");
    assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
    assert!(e.message().contains("refused a redirect"), "{e}");
    assert!(e.message().contains(&format!("http://{b}/mcp")), "{e}");
    assert!(
        b_seen.lock().unwrap().is_empty(),
        "{:?}",
        b_seen.lock().unwrap()
    );
}

/// Case 5: redirects to another origin are refused (legacy SSE, WebSocket).
#[tokio::test]
async fn cross_origin_redirects_are_refused_sse_and_websocket() {
    let (b, b_seen) = elsewhere().await;
    let location = format!("location: http://{b}/sse");
    let (a, _) = http_server(move |_| response("302 Found", &[location.as_bytes()], b"")).await;
    let e = timeout(
        BOUND,
        LegacySse::new(format!("http://{a}/sse"))
            .header("X-Api-Key", "secret")
            .connect(),
    )
    .await
    .expect("hung")
    .expect_err("redirected");
    eprintln!("redirect (legacy SSE): {e}");
    assert!(e.to_string().contains("refused a redirect"), "{e}");
    assert!(e.to_string().contains(&format!("http://{b}/sse")), "{e}");
    let e = timeout(
        BOUND,
        WebSocket::new(format!("ws://{a}/ws"))
            .header("X-Api-Key", "secret")
            .connect(),
    )
    .await
    .expect("hung")
    .expect_err("redirected");
    eprintln!("redirect (WebSocket): {e}");
    assert!(
        b_seen.lock().unwrap().is_empty(),
        "{:?}",
        b_seen.lock().unwrap()
    );
}

/// Case 6: a session id with bytes outside visible ASCII fails `initialize`.
#[tokio::test]
async fn session_id_outside_visible_ascii_fails_initialize() {
    for sid in [&b"mcp-session-id: caf\xc3\xa9"[..], b"mcp-session-id: a b"] {
        let (addr, _) = http_server(move |req| plain(req, sid)).await;
        let t = Instant::now();
        let e = fails(Client::connect(StreamableHttp::new(format!(
            "http://{addr}/mcp"
        ))))
        .await;
        eprintln!("session id: failed after {:?}: {e}", t.elapsed());
        assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
        assert!(e.message().contains("Mcp-Session-Id"), "{e}");
        assert!(e.message().contains("visible ASCII"), "{e}");
    }
}

/// Case 7: an `initialize` answer with a version the client did not offer.
#[tokio::test]
async fn unoffered_protocol_version_is_refused() {
    for version in ["2026-07-28", "1999-01-01"] {
        let (tx, rx) = oneshot::channel::<Option<Value>>();
        let addr = line_server(move |mut p| async move {
            let init = p.recv().await.unwrap();
            p.send(json!({"jsonrpc": "2.0", "id": init["id"], "result": init_result(version)}))
                .await;
            let _ = tx.send(p.recv().await);
        })
        .await;
        let e = fails(Client::connect(line_client(addr).await)).await;
        eprintln!("version {version}: {e}");
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion, "{e:?}");
        assert!(e.message().contains(version), "{e}");
        let next = timeout(BOUND, rx).await.expect("not disconnected").unwrap();
        assert_eq!(next, None, "the client should disconnect, not go on");
    }
}

/// Case 8: `elicitation/create` to a client that declared no elicitation.
#[tokio::test]
async fn undeclared_elicitation_is_an_error() {
    let (tx, rx) = oneshot::channel::<Value>();
    let addr = line_server(move |mut p| async move {
        p.handshake("2025-11-25").await;
        p.send(json!({"jsonrpc": "2.0", "id": "e1", "method": "elicitation/create",
                      "params": {"message": "name?", "requestedSchema": {"type": "object", "properties": {}}}}))
            .await;
        let _ = tx.send(p.recv().await.unwrap());
        let _ = p.recv().await;
    })
    .await;
    let _client = Client::connect(line_client(addr).await).await.unwrap();
    let a = timeout(BOUND, rx).await.expect("no answer").unwrap();
    eprintln!("elicitation: {a}");
    assert_eq!(a["id"], "e1");
    assert_eq!(a["error"]["code"], -32601, "{a}");
    assert!(a.get("result").is_none());
}

/// A fake server over an in-memory channel (for paused time): answers `initialize`, never
/// answers a `tools/call` without a progress token, and answers one with a token after
/// 210 s, sending progress every 40 s before.
fn slow_memory_server() -> fastmcp::transport::Channel {
    use fastmcp::transport::{Channel, Outbound};
    let (to_client, inbound) = tokio::sync::mpsc::channel(64);
    let (otx, mut from_client) = tokio::sync::mpsc::channel::<bytes::Bytes>(64);
    tokio::spawn(async move {
        while let Some(m) = from_client.recv().await {
            let m: Value = serde_json::from_slice(&m).unwrap();
            let (id, tx) = (m["id"].clone(), to_client.clone());
            let send = move |v: Value| {
                let tx = tx.clone();
                async move { tx.send(Ok(bytes::Bytes::from(v.to_string()))).await }
            };
            match m["method"].as_str() {
                Some("initialize") => {
                    let _ = send(
                        json!({"jsonrpc": "2.0", "id": id, "result": init_result("2025-11-25")}),
                    )
                    .await;
                }
                Some("tools/call") => {
                    let Some(token) = m.pointer("/params/_meta/progressToken").cloned() else {
                        continue;
                    };
                    tokio::spawn(async move {
                        for k in 1..=5 {
                            tokio::time::sleep(Duration::from_secs(40)).await;
                            let p = json!({"progressToken": token, "progress": k});
                            let _ = send(json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": p})).await;
                        }
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        let r = json!({"content": [], "isError": false});
                        let _ = send(json!({"jsonrpc": "2.0", "id": id, "result": r})).await;
                    });
                }
                _ => {}
            }
        }
    });
    Channel {
        inbound,
        outbound: Outbound::new(otx),
    }
}

/// Case 9: a request without an answer fails after the default 60 s.
#[tokio::test(start_paused = true)]
async fn requests_time_out_after_60_s_by_default() {
    let client = Client::connect(slow_memory_server()).await.unwrap();
    let t = tokio::time::Instant::now();
    let e = timeout(
        Duration::from_secs(600),
        client.call_tool("never", json!({})),
    )
    .await
    .expect("no default timeout: the call hung")
    .unwrap_err();
    eprintln!(
        "timeout: failed after {:?} (paused clock): {e}",
        t.elapsed()
    );
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e:?}");
    assert_eq!(t.elapsed().as_secs(), 60);
}

/// Case 9: progress extends the timeout, up to the overall maximum; `no_timeout` waits.
#[tokio::test(start_paused = true)]
async fn progress_extends_the_timeout_up_to_max_total() {
    let call = |c: Client| async move {
        let t = tokio::time::Instant::now();
        let r = timeout(
            Duration::from_secs(1000),
            c.call_tool_with_progress("slow", json!({}), |_| {}),
        )
        .await;
        (r, t.elapsed().as_secs())
    };
    let c = Client::connect(slow_memory_server()).await.unwrap();
    let (r, secs) = call(c).await;
    assert!(
        r.expect("hung").is_ok(),
        "progress every 40 s keeps a 60 s timeout alive"
    );
    assert_eq!(secs, 210);
    let c = Client::builder()
        .max_total_timeout(Duration::from_secs(100))
        .connect(slow_memory_server())
        .await
        .unwrap();
    let (r, secs) = call(c).await;
    let e = r.expect("hung").unwrap_err();
    assert_eq!((e.kind(), secs), (ErrorKind::Timeout, 100), "{e}");
    let c = Client::builder()
        .reset_timeout_on_progress(false)
        .connect(slow_memory_server())
        .await
        .unwrap();
    let (r, secs) = call(c).await;
    assert_eq!(
        (r.expect("hung").unwrap_err().kind(), secs),
        (ErrorKind::Timeout, 60)
    );
    let c = Client::builder()
        .no_timeout()
        .connect(slow_memory_server())
        .await
        .unwrap();
    let waited = timeout(Duration::from_secs(3600), c.call_tool("never", json!({}))).await;
    assert!(waited.is_err(), "no_timeout: still waiting after an hour");
}
