//! The limits on what one session can make the server hold (requests in flight,
//! subscriptions, running tasks), the opt-out of running requests in place, and a shutdown
//! whose hooks see no task of the transports still alive.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, Error, ErrorKind};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::{Limits, RunningServer};
use fastmcp::transport::Channel;
use fastmcp::{tool, Server};
use serde_json::{json, Value};
use support::{resident_kib, Recorder};

const T: Option<Duration> = Some(Duration::from_secs(10));

/// Waits (cancellably) for `ms` milliseconds.
#[tool(task = "optional")]
async fn hold(ctx: &Context, ms: u64) -> Result<String, Error> {
    ctx.sleep(Duration::from_millis(ms)).await?;
    Ok("held".into())
}

/// Set when the test has the answer to its ping.
static PING_ANSWERED: AtomicBool = AtomicBool::new(false);

/// Computes without ever awaiting (blocking its thread) until the test has its ping
/// answered, or `max_ms` milliseconds at most.
#[tool]
async fn busy(max_ms: u64) -> String {
    let end = Instant::now() + Duration::from_millis(max_ms);
    while Instant::now() < end && !PING_ANSWERED.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(5));
    }
    "busy".into()
}

fn server(limits: Limits) -> Server {
    Server::new("limits", "0")
        .tool(hold)
        .tool(busy)
        .limits(limits)
        .shutdown_grace(Duration::from_millis(500))
}

fn msg(v: Value) -> String {
    v.to_string()
}

/// A raw in-memory session, initialized (2025-11-25).
async fn raw_session(s: &RunningServer) -> Channel {
    let mut ch = s.connect_in_memory();
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    ch.outbound.send(msg(init)).await.unwrap();
    let reply = ch.inbound.recv().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&reply).contains("serverInfo"));
    let note = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    ch.outbound.send(msg(note)).await.unwrap();
    ch
}

fn call(id: u64, name: &str, args: Value) -> String {
    msg(json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": name, "arguments": args}}))
}

async fn client(s: &RunningServer) -> Client {
    Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(Recorder::default())
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

#[tokio::test]
async fn ten_thousand_waiting_requests_get_clear_errors_past_the_limit() {
    let s = server(Limits::default()).start().await.unwrap();
    let max = Limits::default().max_in_flight_per_session;
    let before = resident_kib();
    let ch = raw_session(&s).await;
    let refused = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let (r, a) = (refused.clone(), answered.clone());
    let mut inbound = ch.inbound;
    let reader = tokio::spawn(async move {
        while let Some(Ok(b)) = inbound.recv().await {
            let v: Value = serde_json::from_slice(&b).unwrap();
            if v["error"]["code"] == -32029 {
                let m = v["error"]["message"].as_str().unwrap_or_default();
                assert!(m.contains(&format!("{max} at once")), "{m}");
                r.fetch_add(1, Ordering::SeqCst);
            } else if v["result"].is_object() {
                a.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    for id in 1..=10_000 {
        let c = call(id, "hold", json!({"ms": 60_000}));
        ch.outbound.send(c).await.unwrap();
    }
    let start = Instant::now();
    while refused.load(Ordering::SeqCst) < 10_000 - max {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "refusals missing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let peak = resident_kib();
    // Another session is served meanwhile.
    let other = client(&s).await;
    let r = tokio::time::timeout(
        Duration::from_secs(2),
        other.call_tool("hold", json!({"ms": 1})),
    )
    .await
    .expect("another session is served at once")
    .unwrap();
    assert!(!r.is_error.unwrap_or(false));
    // Once one request of the full session ends, the next one is admitted.
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 1, "reason": "make room"}});
    ch.outbound.send(msg(cancel)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let admitted = refused.load(Ordering::SeqCst);
    ch.outbound
        .send(call(20_000, "hold", json!({"ms": 1})))
        .await
        .unwrap();
    let start = Instant::now();
    while answered.load(Ordering::SeqCst) == 0 {
        assert!(start.elapsed() < Duration::from_secs(5), "no room was made");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        refused.load(Ordering::SeqCst),
        admitted,
        "admitted, not refused"
    );
    assert_eq!(refused.load(Ordering::SeqCst), 10_000 - max);
    drop(ch.outbound);
    let _ = tokio::time::timeout(Duration::from_secs(5), reader).await;
    eprintln!(
        "in-flight limit: RSS {before} KiB before, {peak} KiB at the peak, {} KiB after",
        resident_kib()
    );
}

#[tokio::test]
async fn subscriptions_are_capped_per_session() {
    let limits = Limits {
        max_subscriptions_per_session: 3,
        ..Limits::default()
    };
    let s = server(limits).start().await.unwrap();
    let c = client(&s).await;
    let sub = |uri: String| {
        let c = &c;
        async move {
            c.request_value("resources/subscribe", json!({ "uri": uri }), T)
                .await
        }
    };
    for i in 0..3 {
        sub(format!("test://{i}")).await.unwrap();
    }
    let e = sub("test://3".into()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert_eq!(e.code(), -32029);
    assert!(e.message().contains("3 resources"), "{}", e.message());
    sub("test://1".into())
        .await
        .expect("a subscription held is renewed");
    c.request_value("resources/unsubscribe", json!({"uri": "test://0"}), T)
        .await
        .unwrap();
    sub("test://3".into())
        .await
        .expect("room after unsubscribing");
}

async fn core_task(c: &Client) -> Result<Value, Error> {
    c.request_value(
        "tools/call",
        json!({"name": "hold", "arguments": {"ms": 60_000}, "task": {}}),
        T,
    )
    .await
}

#[tokio::test]
async fn running_tasks_are_capped_per_session_and_per_server() {
    let limits = Limits {
        max_running_tasks_per_session: 2,
        max_running_tasks: 3,
        ..Limits::default()
    };
    let s = server(limits).start().await.unwrap();
    let (a, b) = (client(&s).await, client(&s).await);
    core_task(&a).await.unwrap();
    core_task(&a).await.unwrap();
    let e = core_task(&a).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e}");
    assert!(
        e.message().contains("a session may run 2"),
        "{}",
        e.message()
    );
    core_task(&b).await.expect("another session still may");
    let e = core_task(&b).await.unwrap_err();
    assert!(e.message().contains("at most 3"), "{}", e.message());
    assert_eq!(s.running_tasks(), 3);
}

/// The answers to `busy` (id 1, blocking its thread for up to `max_ms` or until the ping
/// is answered) and `ping` (id 2) sent back to back: which came first.
async fn first_answer(limits: Limits, max_ms: u64) -> u64 {
    PING_ANSWERED.store(false, Ordering::SeqCst);
    let s = server(limits).start().await.unwrap();
    let mut ch = raw_session(&s).await;
    ch.outbound
        .send(call(1, "busy", json!({"max_ms": max_ms})))
        .await
        .unwrap();
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    ch.outbound.send(msg(ping)).await.unwrap();
    let b = ch.inbound.recv().await.unwrap().unwrap();
    let v: Value = serde_json::from_slice(&b).unwrap();
    PING_ANSWERED.store(true, Ordering::SeqCst);
    v["id"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_can_be_kept_off_the_session_loop() {
    // By default the first request runs in place: the ping waits behind it. (Unless a
    // first poll on this connection, `initialize`'s, took over 2 ms: on a loaded machine a
    // preempted thread can make it so, and the connection then spawns its requests. A
    // fresh server is tried a few times for that.)
    let mut answers = vec![];
    for _ in 0..5 {
        answers.push(first_answer(Limits::default(), 300).await);
        if answers.last() == Some(&1) {
            break;
        }
    }
    assert_eq!(answers.last(), Some(&1), "answered first: {answers:?}");
    let off = Limits {
        inline_first_poll: false,
        ..Limits::default()
    };
    // Off the loop, the ping is answered while `busy` still blocks a thread (however
    // slowly the other worker picks up the session loop on a loaded machine).
    assert_eq!(
        first_answer(off, 10_000).await,
        2,
        "the ping is not held up"
    );
}

#[tokio::test]
async fn shutdown_hooks_see_no_live_transport_task() {
    static RUNNING: OnceLock<RunningServer> = OnceLock::new();
    static SEEN: AtomicUsize = AtomicUsize::new(usize::MAX);
    let s = server(Limits::default())
        .on_shutdown(|| async {
            let live = RUNNING.get().map_or(usize::MAX, RunningServer::live_tasks);
            SEEN.store(live, Ordering::SeqCst);
            Ok(())
        })
        .start()
        .await
        .unwrap();
    RUNNING.set(s.clone()).ok().unwrap();
    let addr = support::serve_http(&s, Default::default()).await;
    // Work in flight on three transports: in-memory, Streamable HTTP, and a task.
    let c = client(&s).await;
    let remote = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(fastmcp::transport::http_client::StreamableHttp::new(
            format!("http://{addr}/mcp"),
        ))
        .await
        .unwrap();
    core_task(&c).await.unwrap();
    let local = tokio::spawn(async move { c.call_tool("hold", json!({"ms": 200})).await });
    let far = tokio::spawn(async move { remote.call_tool("hold", json!({"ms": 200})).await });
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(s.live_tasks() > 0);
    s.shutdown().await.unwrap();
    assert_eq!(
        SEEN.load(Ordering::SeqCst),
        0,
        "hooks ran after every task ended"
    );
    assert!(
        local.await.unwrap().is_ok(),
        "the in-memory call finished in the grace"
    );
    assert!(
        far.await.unwrap().is_ok(),
        "the HTTP call finished in the grace"
    );
}
