//! Handshake sessions shared by two in-process replicas through a real `redis-server`
//! (`RedisSessionStore`), driven with raw HTTP so that each request picks its replica: a
//! session made on A is served by B; a session kept busy on A past the idle timeout is
//! still known to B (its shared record is refreshed while it is used); a DELETE on B ends
//! it on A too. The load-balanced tests with processes and nginx are
//! `examples/tests/replicas.rs`.

mod support;

use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::{session_store_from_url, HttpOptions, RedisSessionStore};
use serde_json::{json, Value};
use support::redis::RedisServer;

/// Answers.
#[tool]
async fn ping_me() -> String {
    "pong".into()
}

/// A replica; `by_url`: its store made by `session_store_from_url` (the same store).
async fn replica(redis: &str, by_url: bool) -> String {
    let running = Server::new("shared", "1.0")
        .tool(ping_me)
        .start()
        .await
        .unwrap();
    let opts = match by_url {
        false => HttpOptions::default()
            .session_store(RedisSessionStore::new(redis).unwrap().prefix("shared:")),
        true => HttpOptions::default()
            .session_store(session_store_from_url(&format!("{redis}?prefix=shared:")).unwrap()),
    };
    let opts = opts.session_idle_timeout(Duration::from_millis(1500));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { running.serve_http(listener, opts).await });
    url
}

/// POST one JSON-RPC message: the status, the session id header and the JSON answer
/// (taken from an SSE answer's data line too).
async fn post(url: &str, session: Option<&str>, body: Value) -> (u16, Option<String>, Value) {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .json(&body);
    if let Some(s) = session {
        req = req.header("mcp-session-id", s);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let sid = r
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = r.text().await.unwrap();
    let json = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .rfind(|d| !d.is_empty())
        .unwrap_or(&text)
        .to_owned();
    (
        status,
        sid,
        serde_json::from_str(&json).unwrap_or(Value::Null),
    )
}

async fn call(url: &str, session: &str, id: u64) -> (u16, Value) {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "ping_me", "arguments": {}}});
    let (status, _, v) = post(url, Some(session), body).await;
    (status, v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_sessions_through_redis() {
    let r = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (a, b) = (
        replica(&r.url(), false).await,
        replica(&r.url(), true).await,
    );
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}});
    let (status, sid, _) = post(&a, None, init).await;
    assert_eq!(status, 200);
    let sid = sid.unwrap();
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(
        post(&b, Some(&sid), note).await.0,
        202,
        "B knows A's session"
    );
    let (status, v) = call(&b, &sid, 2).await;
    assert_eq!(
        (status, &v["result"]["content"][0]["text"]),
        (200, &json!("pong"))
    );
    // Busy on A for longer than the idle timeout: B still knows it.
    for i in 0..40 {
        assert_eq!(call(&a, &sid, 10 + i).await.0, 200);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, v) = call(&b, &sid, 50).await;
    assert_eq!(
        (status, &v["result"]["content"][0]["text"]),
        (200, &json!("pong"))
    );
    // Deleted on B: gone on A too.
    let deleted = reqwest::Client::new()
        .delete(&b)
        .header("mcp-session-id", &sid)
        .header("mcp-protocol-version", "2025-11-25")
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(call(&a, &sid, 60).await.0, 404, "deleted everywhere");
    assert_eq!(call(&b, &sid, 61).await.0, 404);
    // An unknown session is unknown everywhere.
    assert_eq!(call(&b, "nope", 62).await.0, 404);
}
