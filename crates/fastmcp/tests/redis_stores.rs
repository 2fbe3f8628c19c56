//! The Redis stores of the server against a real `redis-server` (started by each test on a
//! free port of 127.0.0.1): `RedisTaskStore` keeps the task store's contract (create once,
//! compare-and-set, owner listing oldest first with cursors, delete, retention as a Redis
//! TTL), lets a task created on one replica be read on another, and carries a cancellation
//! from one replica to the handler running on another; `RedisEventStore`
//! replays exactly the events after a sequence number, bounded per stream.

mod support;

use std::time::Duration;

use bytes::Bytes;
use fastmcp::client::{Client, Mode};
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TASKS_EXTENSION};
use fastmcp::server::{EventStore, RedisEventStore, RedisTaskStore, TaskRecord, TaskStore};
use serde_json::{json, Value};
use support::redis::RedisServer;

async fn redis() -> RedisServer {
    tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap()
}

fn record(id: &str, owner: Option<&str>, created: u64, ttl_ms: Option<u64>) -> TaskRecord {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    serde_json::from_value(json!({
        "taskId": id, "status": "working", "createdAtMs": now + created, "lastUpdatedAtMs": now + created,
        "ttlMs": ttl_ms, "owner": owner,
        "request": {"method": "tools/call", "name": "slow", "protocolVersion": "2026-07-28"},
    }))
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_task_store_keeps_the_contract() {
    let r = redis().await;
    let s = RedisTaskStore::new(&r.url()).unwrap().prefix("t1:");
    s.create(record("a", Some("s1"), 0, Some(60_000)))
        .await
        .unwrap();
    assert!(
        s.create(record("a", Some("s1"), 0, None)).await.is_err(),
        "created once"
    );
    let got = s.get("a").await.unwrap().unwrap();
    assert_eq!(got.task_id, "a");
    // Compare-and-set.
    let mut done = got.clone();
    done.status_message = Some("first".into());
    assert!(s.replace(done.clone(), 0).await.unwrap());
    assert!(
        !s.replace(done.clone(), 0).await.unwrap(),
        "the version moved on"
    );
    let stored = s.get("a").await.unwrap().unwrap();
    assert_eq!(
        (stored.version, stored.status_message.as_deref()),
        (1, Some("first"))
    );
    // Listing: the owner's tasks, oldest first, in pages.
    for (i, id) in ["b", "c", "d", "e"].iter().enumerate() {
        s.create(record(id, Some("s1"), i as u64 + 1, None))
            .await
            .unwrap();
    }
    s.create(record("other", Some("s2"), 0, None))
        .await
        .unwrap();
    let (page, next) = s.list("s1", None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.task_id.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let (page, next) = s.list("s1", next.as_deref(), 2).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.task_id.as_str()).collect::<Vec<_>>(),
        ["c", "d"]
    );
    let (page, next) = s.list("s1", next.as_deref(), 2).await.unwrap();
    assert_eq!(
        page.iter().map(|r| r.task_id.as_str()).collect::<Vec<_>>(),
        ["e"]
    );
    assert_eq!(next, None);
    assert!(
        s.list("s1", Some("nope"), 2).await.is_err(),
        "an unknown cursor"
    );
    // Delete.
    s.delete("c").await.unwrap();
    assert!(s.get("c").await.unwrap().is_none());
    let (page, _) = s.list("s1", None, 10).await.unwrap();
    assert_eq!(page.len(), 4);
    // Retention is a Redis TTL: nothing stays for ever.
    let ttl: i64 = r
        .command("PTTL t1:task:a")
        .trim_start_matches(':')
        .parse()
        .unwrap();
    assert!(ttl > 0 && ttl <= 60_000, "{ttl}");
    let ttl: i64 = r
        .command("PTTL t1:task:b")
        .trim_start_matches(':')
        .parse()
        .unwrap();
    assert!(
        ttl > 60_000,
        "the store's max retention for a task without one: {ttl}"
    );
    s.create(record("short", Some("s1"), 0, Some(300)))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(s.get("short").await.unwrap().is_none(), "expired");
    assert_eq!(
        r.command("EXISTS t1:task:short"),
        ":0",
        "and gone from Redis"
    );
    let (page, _) = s.list("s1", None, 10).await.unwrap();
    assert!(page.iter().all(|t| t.task_id != "short"));
}

/// Sleeps, then answers.
#[tool(task = "optional")]
async fn slow(ctx: &Context, ms: u64) -> Result<String, Error> {
    ctx.sleep(Duration::from_millis(ms)).await?;
    Ok(format!("slept {ms} ms"))
}

async fn stateless_client(s: &fastmcp::server::RunningServer) -> Client {
    let mut caps: ClientCapabilities = serde_json::from_value(json!({})).unwrap();
    caps.extensions = Some([(TASKS_EXTENSION.to_owned(), Default::default())].into());
    Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps)
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_created_on_one_replica_is_read_on_another() {
    let r = redis().await;
    let replica = || {
        Server::new("tasks", "1.0")
            .tool(slow)
            .task_store(RedisTaskStore::new(&r.url()).unwrap().prefix("t2:"))
    };
    let (a, b) = (
        replica().start().await.unwrap(),
        replica().start().await.unwrap(),
    );
    let (ca, cb) = (stateless_client(&a).await, stateless_client(&b).await);
    let t = Some(Duration::from_secs(5));
    let created = ca
        .request_value(
            "tools/call",
            json!({"name": "slow", "arguments": {"ms": 200}}),
            t,
        )
        .await
        .unwrap();
    let id = created["taskId"].as_str().unwrap().to_owned();
    let start = std::time::Instant::now();
    let done: Value = loop {
        let v = cb
            .request_value("tasks/get", json!({"taskId": id}), t)
            .await
            .unwrap();
        if v["status"] == "completed" {
            break v;
        }
        assert_eq!(v["status"], "working", "{v}");
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(done["result"]["content"][0]["text"], "slept 200 ms");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

/// Counts the runs of `long` that saw their cancellation.
static CANCELLED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs until cancelled.
#[tool(task = "optional")]
async fn long(ctx: &Context) -> Result<String, Error> {
    let r = ctx.sleep(Duration::from_secs(30)).await;
    if r.is_err() {
        CANCELLED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
    r?;
    Ok("done".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_on_one_replica_stops_the_handler_on_another() {
    let r = redis().await;
    let replica = || {
        Server::new("tasks", "1.0")
            .tool(long)
            .shutdown_grace(Duration::from_millis(100))
            .task_store(RedisTaskStore::new(&r.url()).unwrap().prefix("t3:"))
    };
    let (a, b) = (
        replica().start().await.unwrap(),
        replica().start().await.unwrap(),
    );
    // Let both replicas subscribe.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (ca, cb) = (stateless_client(&a).await, stateless_client(&b).await);
    let t = Some(Duration::from_secs(5));
    let created = ca
        .request_value("tools/call", json!({"name": "long", "arguments": {}}), t)
        .await
        .unwrap();
    let id = created["taskId"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(CANCELLED.load(std::sync::atomic::Ordering::SeqCst), 0);
    cb.request_value("tasks/cancel", json!({"taskId": id}), t)
        .await
        .unwrap();
    let start = std::time::Instant::now();
    while CANCELLED.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the handler on A was not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let v = ca
        .request_value("tasks/get", json!({"taskId": id}), t)
        .await
        .unwrap();
    assert_eq!(v["status"], "cancelled");
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_event_store_replays_exactly_the_missed_events() {
    let r = redis().await;
    let s = RedisEventStore::new(&r.url())
        .unwrap()
        .prefix("e1:")
        .per_stream(5)
        .retention(Duration::from_secs(60));
    for seq in 1..=4u64 {
        s.append("st", seq, Bytes::from(format!("event {seq}\n\0binary")))
            .await;
    }
    let after: Vec<u64> = s.after("st", 2).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(after, [3, 4]);
    assert_eq!(
        s.after("st", 0).await[0].1,
        Bytes::from("event 1\n\0binary")
    );
    assert!(s.after("other", 0).await.is_empty());
    for seq in 5..=8u64 {
        s.append("st", seq, Bytes::from(format!("event {seq}")))
            .await;
    }
    let kept: Vec<u64> = s.after("st", 0).await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(kept, [4, 5, 6, 7, 8], "the last five");
    let ttl: i64 = r
        .command("PTTL e1:stream:st")
        .trim_start_matches(':')
        .parse()
        .unwrap();
    assert!(ttl > 0 && ttl <= 60_000);
    s.remove("st").await;
    assert!(s.after("st", 0).await.is_empty());
    // Redis gone: nothing kept, nothing panics.
    drop(r);
    s.append("st", 9, Bytes::from("x")).await;
    assert!(s.after("st", 0).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stores_are_chosen_by_url_with_a_prefix() {
    let r = redis().await;
    let tasks =
        fastmcp::server::task_store_from_url(&format!("{}?prefix=byurl:", r.url())).unwrap();
    tasks
        .create(record("x", Some("s"), 0, Some(60_000)))
        .await
        .unwrap();
    assert_eq!(r.command("EXISTS byurl:task:x"), ":1");
    let events = fastmcp::server::event_store_from_url(&format!("{}?prefix=ev:", r.url())).unwrap();
    events.append("s1", 1, Bytes::from("hello")).await;
    assert_eq!(r.command("EXISTS ev:stream:s1"), ":1");
    let memory = fastmcp::server::task_store_from_url("memory://").unwrap();
    memory.create(record("m", None, 0, None)).await.unwrap();
    assert!(memory.get("m").await.unwrap().is_some());
}
