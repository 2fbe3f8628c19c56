//! `RedisTaskQueue` against a real `redis-server` (started by each test on 127.0.0.1): the
//! queue's contract (a taken task is its worker's while kept, delivered again with its
//! attempt counted once its worker goes silent past the visibility timeout, given back by
//! `release`, gone after `done`, bounded in entries; the channel carries messages to
//! followers), and a worker
//! (`RunningServer::work`) that fails a task delivered more often than allowed, with the
//! reason, rather than running it again. The scale test with worker processes is
//! `examples/tests/task_workers.rs`.

mod support;

use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TaskStatus, TASKS_EXTENSION};
use fastmcp::server::{
    task_queue_from_url, CancellationToken, RedisTaskQueue, RedisTaskStore, TaskQueue,
    WorkerOptions,
};
use serde_json::json;
use support::redis::RedisServer;

async fn redis() -> RedisServer {
    tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap()
}

const WAIT: Duration = Duration::from_millis(50);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_redis_queue_keeps_its_contract() {
    let r = redis().await;
    let q = RedisTaskQueue::new(&r.url())
        .unwrap()
        .prefix("q1:")
        .visibility_timeout(Duration::from_millis(300));
    assert!(q.take("w1", WAIT).await.unwrap().is_none(), "empty");
    q.push("t1").await.unwrap();
    let d = q.take("w1", WAIT).await.unwrap().unwrap();
    assert_eq!((d.task_id.as_str(), d.attempt), ("t1", 1));
    assert!(q.take("w2", WAIT).await.unwrap().is_none(), "taken");
    assert!(!q.keep("w2", &d).await.unwrap(), "not w2's to keep");
    // Kept past the visibility timeout: still w1's.
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(120)).await;
        assert!(q.keep("w1", &d).await.unwrap());
    }
    assert!(q.take("w2", WAIT).await.unwrap().is_none(), "kept");
    // Silent past it: delivered to w2, the attempt counted; w1 has lost it.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let again = q.take("w2", WAIT).await.unwrap().unwrap();
    assert_eq!((again.task_id.as_str(), again.attempt), ("t1", 2));
    assert!(!q.keep("w1", &d).await.unwrap(), "w1 lost it");
    // Given back: at once to anyone, this attempt not counted.
    q.release(&again).await.unwrap();
    let back = q.take("w3", WAIT).await.unwrap().unwrap();
    assert_eq!((back.task_id.as_str(), back.attempt), ("t1", 1));
    q.done(&back).await.unwrap();
    assert_eq!(q.entries().await.unwrap(), 0);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(q.take("w1", WAIT).await.unwrap().is_none(), "done is gone");
    // Bounded: past its entries, a push is refused.
    let small = RedisTaskQueue::new(&r.url())
        .unwrap()
        .prefix("q3:")
        .max_entries(2);
    small.push("a").await.unwrap();
    small.push("b").await.unwrap();
    let e = small.push("c").await.unwrap_err();
    assert_eq!(e.code(), -32029, "{e}");
    let d = small.take("w", WAIT).await.unwrap().unwrap();
    small.done(&d).await.unwrap();
    small.push("c").await.unwrap();
    // The channel: what is published reaches every follower.
    let mut a = q.follow("t9").await.unwrap();
    let mut b = q.follow("t9").await.unwrap();
    let m = serde_json::value::to_raw_value(&json!({"status": "working"})).unwrap();
    q.publish("t9", m).await.unwrap();
    for rx in [&mut a, &mut b] {
        let got = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(&got[..], br#"{"status":"working"}"#);
    }
}

/// Runs until cancelled.
#[tool(task = "optional")]
async fn forever(ctx: &Context) -> Result<String, Error> {
    ctx.sleep(Duration::from_secs(3600)).await?;
    Ok("never".into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_whose_workers_keep_dying_fails_with_the_reason() {
    let r = redis().await;
    let server = || {
        Server::new("q", "1.0")
            .tool(forever)
            .task_store(RedisTaskStore::new(&r.url()).unwrap().prefix("q2:tasks:"))
            .task_queue(
                RedisTaskQueue::new(&r.url())
                    .unwrap()
                    .prefix("q2:queue:")
                    .visibility_timeout(Duration::from_millis(200))
                    .max_attempts(1),
            )
            .task_poll_interval(Duration::from_millis(20))
    };
    let front = server().start().await.unwrap();
    let caps = ClientCapabilities {
        extensions: Some([(TASKS_EXTENSION.to_owned(), Default::default())].into()),
        ..Default::default()
    };
    let c = Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps)
        .connect(front.connect_in_memory())
        .await
        .unwrap();
    let id = match c
        .call_tool_as_task("forever", json!({}), None, |_| {})
        .await
        .unwrap()
    {
        fastmcp::client::tasks::Submitted::Task(t) => t.id().to_owned(),
        _ => panic!("not a task"),
    };
    // A worker that takes the task and dies at once (it never keeps it).
    let ghost = task_queue_from_url(&format!("{}?prefix=q2:queue:", r.url())).unwrap();
    let d = ghost.take("ghost", WAIT).await.unwrap().unwrap();
    assert_eq!(d.task_id, id);
    // A real worker gets it again past the visibility timeout: one attempt too many.
    let worker = server().start().await.unwrap();
    let stop = CancellationToken::new();
    let work = tokio::spawn({
        let stop = stop.clone();
        async move { worker.work(WorkerOptions::new(), stop).await }
    });
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let t = loop {
        let t = c.get_task(&id).await.unwrap();
        if t.is_terminal() {
            break t;
        }
        assert!(std::time::Instant::now() < deadline, "never failed: {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(t.status, TaskStatus::Failed);
    let reason = t.status_message.unwrap();
    assert!(reason.contains("started 1 times"), "{reason}");
    assert!(t.error.unwrap().message.contains("worker stopped"));
    stop.cancel();
    work.await.unwrap().unwrap();
    // A server without a queue cannot be a worker.
    let plain = Server::new("p", "1.0").start().await.unwrap();
    let e = plain
        .work(WorkerOptions::new(), CancellationToken::new())
        .await
        .unwrap_err();
    assert!(e.message().contains("task queue"), "{e}");
}
