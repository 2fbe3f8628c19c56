//! Handshake sessions shared by two in-process replicas through a real `redis-server`
//! (`RedisSessionStore`), driven with raw HTTP so that each request picks its replica: a
//! session made on A is served by B; a session kept busy on A past the idle timeout is
//! still known to B (its shared record is refreshed while it is used); a DELETE on B ends
//! it on A too; a stream cut while A still writes it is resumed on B, which replays what
//! the client missed from the shared event store and follows the rest live, each event
//! once; an elicitation asked on A and answered on B reaches the handler waiting on A; a
//! Redis restarted from its append-only file keeps the sessions. The load-balanced tests with processes and nginx are
//! `examples/tests/replicas.rs`.

mod support;

use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::{session_store_from_url, HttpOptions, RedisEventStore, RedisSessionStore};
use futures::StreamExt;
use serde_json::{json, Value};
use support::redis::RedisServer;

/// Answers.
#[tool]
async fn ping_me() -> String {
    "pong".into()
}

/// Count to `n`, one progress notification per step (`ms` apart).
#[tool]
async fn steps(ctx: &Context, n: u64, ms: u64) -> Result<String, Error> {
    for i in 1..=n {
        ctx.sleep(Duration::from_millis(ms)).await?;
        ctx.report_progress(i as f64, Some(n as f64), None).await?;
    }
    Ok(format!("counted to {n}"))
}

/// Ask the user's name (an elicitation), then greet them.
#[tool]
async fn greet(ctx: &Context) -> Result<String, Error> {
    let form = json!({"type": "object", "properties": {"name": {"type": "string"}}});
    let answer = ctx.elicit_raw("Your name?", form).await?;
    let name = answer.content.as_ref().and_then(|c| c.get("name")).cloned();
    Ok(format!(
        "Hello, {}!",
        name.and_then(|n| n.as_str().map(str::to_owned))
            .unwrap_or_default()
    ))
}

/// A replica; `by_url`: its store made by `session_store_from_url` (the same store).
async fn replica(redis: &str, by_url: bool) -> String {
    let running = Server::new("shared", "1.0")
        .tool(ping_me)
        .tool(steps)
        .tool(greet)
        .start()
        .await
        .unwrap();
    let opts = match by_url {
        false => HttpOptions::default()
            .session_store(RedisSessionStore::new(redis).unwrap().prefix("shared:")),
        true => HttpOptions::default()
            .session_store(session_store_from_url(&format!("{redis}?prefix=shared:")).unwrap()),
    };
    let events = RedisEventStore::new(redis)
        .unwrap()
        .prefix("shared-events:");
    let opts = opts
        .session_idle_timeout(Duration::from_millis(1500))
        .event_store(Some(std::sync::Arc::new(events)));
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

/// The `id:` and `data:` of each complete event at the front of `buf` (taken out of it).
fn sse_events(buf: &mut String) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    while let Some(end) = buf.find("\n\n") {
        let block: String = buf.drain(..end + 2).collect();
        let field = |name: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_owned())
        };
        if let Some(data) = field("data:").filter(|d| !d.is_empty()) {
            out.push((
                field("id:").unwrap_or_default(),
                serde_json::from_str(&data).unwrap(),
            ));
        }
    }
    out
}

/// A progress notification's step, or `None` for any other message.
fn step(v: &Value) -> Option<u64> {
    (v["method"] == "notifications/progress")
        .then(|| v["params"]["progress"].as_f64().unwrap() as u64)
}

/// Two replicas sharing the Redis `r`: their URLs.
async fn two_replicas(r: &RedisServer) -> (String, String) {
    (
        replica(&r.url(), false).await,
        replica(&r.url(), false).await,
    )
}

/// The SSE answer to a request POSTed in a session, read as it comes.
struct SseReader {
    body: std::pin::Pin<Box<dyn futures::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>,
    buf: String,
    /// Every event so far, and how many of them `until` has looked at.
    seen: Vec<(String, Value)>,
    looked: usize,
}

impl SseReader {
    async fn post(url: &str, session: &str, request: Value) -> SseReader {
        let resp = reqwest::Client::new()
            .post(url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .header("mcp-session-id", session)
            .json(&request)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        SseReader {
            body: Box::pin(resp.bytes_stream()),
            buf: String::new(),
            seen: Vec::new(),
            looked: 0,
        }
    }

    /// Read on until an event not looked at yet is `wanted`: that event's message.
    async fn until(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            while self.looked < self.seen.len() {
                self.looked += 1;
                let v = &self.seen[self.looked - 1].1;
                if wanted(v) {
                    return v.clone();
                }
            }
            let chunk = self.body.next().await.expect("the stream goes on").unwrap();
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
            self.seen.extend(sse_events(&mut self.buf));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_cut_while_its_replica_writes_is_followed_live_on_another() {
    let r = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (a, b) = two_replicas(&r).await;
    let sid = open_session(&a).await;

    // A call of 10 steps on A; the client reads 3 progress events, then its connection drops.
    let call = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {
        "name": "steps", "arguments": {"n": 10, "ms": 150}, "_meta": {"progressToken": "p"}}});
    let mut stream = SseReader::post(&a, &sid, call).await;
    stream.until(|v| step(v) == Some(3)).await;
    let seen = std::mem::take(&mut stream.seen);
    drop(stream);
    let steps_a: Vec<u64> = seen.iter().filter_map(|(_, v)| step(v)).collect();
    assert_eq!(steps_a, [1, 2, 3]);
    let last = seen.last().unwrap().0.clone();
    assert!(!last.is_empty(), "events carry ids");

    // Resumed on B while A still runs the call: B replays what was missed, then follows.
    let resumed = reqwest::Client::new()
        .get(&b)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", "2025-11-25")
        .header("mcp-session-id", &sid)
        .header("last-event-id", &last)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status().as_u16(), 200);
    let mut text = tokio::time::timeout(Duration::from_secs(20), resumed.text())
        .await
        .expect("the resumed stream ends with the answer")
        .unwrap();
    let rest = sse_events(&mut text);
    let steps_b: Vec<u64> = rest.iter().filter_map(|(_, v)| step(v)).collect();
    assert_eq!(
        steps_b,
        (4..=10).collect::<Vec<_>>(),
        "each missed event once, in order"
    );
    let answer = &rest.last().unwrap().1;
    assert_eq!(answer["id"], 7);
    assert_eq!(answer["result"]["content"][0]["text"], "counted to 10");
    assert_eq!(rest.len(), 8, "nothing else: {rest:?}");
    let ids: Vec<&str> = rest.iter().map(|(id, _)| id.as_str()).collect();
    assert!(
        ids.iter().all(|id| !id.is_empty() && *id != last),
        "{ids:?}"
    );
}

/// `initialize` (with elicitation) and `notifications/initialized` on `url`: the session id.
async fn open_session(url: &str) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
        "clientInfo": {"name": "raw", "version": "1"}}});
    let (status, sid, _) = post(url, None, init).await;
    assert_eq!(status, 200);
    let sid = sid.unwrap();
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(post(url, Some(&sid), note).await.0, 202);
    sid
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_elicitation_asked_on_one_replica_is_answered_through_another() {
    let r = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (a, b) = two_replicas(&r).await;
    let sid = open_session(&a).await;
    let call = json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
        "params": {"name": "greet", "arguments": {}}});
    let mut stream = SseReader::post(&a, &sid, call).await;
    // The handler on A asks; its question comes on the call's stream.
    let asked = stream.until(|v| v["method"] == "elicitation/create").await;
    // The answer goes to B (as a load balancer might send it).
    let answer = json!({"jsonrpc": "2.0", "id": asked["id"],
        "result": {"action": "accept", "content": {"name": "Ada"}}});
    assert_eq!(
        post(&b, Some(&sid), answer).await.0,
        202,
        "B takes the answer"
    );
    // ... and reaches the handler waiting on A, which answers on its stream.
    let result = tokio::time::timeout(Duration::from_secs(10), stream.until(|v| v["id"] == 5))
        .await
        .expect("the handler on A got the answer sent to B");
    assert_eq!(result["result"]["content"][0]["text"], "Hello, Ada!");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_outlive_a_redis_restart() {
    let dir = std::env::temp_dir().join(format!("fastmcp-shared-aof-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let d = dir.clone();
    let mut r = tokio::task::spawn_blocking(move || RedisServer::start_durable(&d))
        .await
        .unwrap();
    let (a, b) = two_replicas(&r).await;
    let sid = open_session(&a).await;
    assert_eq!(call(&b, &sid, 2).await.0, 200);
    // Redis dies and comes back from its append-only file: the replicas reconnect.
    let mut r = tokio::task::spawn_blocking(move || {
        r.stop();
        r.restart();
        r
    })
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut statuses = Vec::new();
    loop {
        let (status, v) = call(&b, &sid, 3).await;
        statuses.push(status);
        if status == 200 {
            assert_eq!(v["result"]["content"][0]["text"], "pong");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "B never served the session again: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(call(&a, &sid, 4).await.0, 200, "A too");
    // A new session after the restart is shared as before.
    let fresh = open_session(&b).await;
    assert_eq!(call(&a, &fresh, 5).await.0, 200);
    eprintln!("after the restart, B answered {statuses:?}");
    r.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
