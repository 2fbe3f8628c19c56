//! Notification debouncing (`Server::notification_debounce`): bursts of the same change
//! reach clients as a handful of notifications, the last one after the last change; two
//! URIs are kept apart; a steady stream of changes still gets one notification per window.
//! Over in-memory and Streamable HTTP, in the handshake era (resources/subscribe, the GET
//! stream) and the 2026-07-28 era (`subscriptions/listen`).

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{Context, FnPrompt, FnResource, FnTool};
use fastmcp::protocol::{Prompt, Resource, ResourceContents};
use fastmcp::server::{HttpOptions, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::Server;
use serde_json::json;
use serde_json::value::RawValue;
use support::modes;
use tokio::task::JoinHandle;
use tokio::time::sleep;

/// What the server's state was when a notification arrived.
#[derive(Clone, Debug)]
struct Heard {
    method: String,
    uri: Option<String>,
    /// The value of the changed thing (the resource's version, the list's length) at the
    /// moment the client got the notification.
    seen: u64,
    at: Instant,
}

/// A client handler that records every notification with the server state it saw.
#[derive(Clone, Default)]
struct Log {
    heard: Arc<Mutex<Vec<Heard>>>,
    state: State,
}

/// The state the tests change: a version per resource, a count per list.
#[derive(Clone, Default)]
struct State {
    a: Arc<AtomicU64>,
    b: Arc<AtomicU64>,
    tools: Arc<AtomicU64>,
    resources: Arc<AtomicU64>,
    prompts: Arc<AtomicU64>,
}

impl ClientHandler for Log {
    fn on_notification(&self, method: &str, params: Option<&RawValue>) {
        let uri = params
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p.get()).ok())
            .and_then(|v| v["uri"].as_str().map(str::to_owned));
        let s = &self.state;
        let seen = match (method, uri.as_deref()) {
            ("notifications/resources/updated", Some("test://a")) => s.a.load(Ordering::SeqCst),
            ("notifications/resources/updated", Some("test://b")) => s.b.load(Ordering::SeqCst),
            ("notifications/tools/list_changed", _) => s.tools.load(Ordering::SeqCst),
            ("notifications/resources/list_changed", _) => s.resources.load(Ordering::SeqCst),
            ("notifications/prompts/list_changed", _) => s.prompts.load(Ordering::SeqCst),
            _ => 0,
        };
        self.heard.lock().unwrap().push(Heard {
            method: method.to_owned(),
            uri,
            seen,
            at: Instant::now(),
        });
    }
}

impl Log {
    fn of(&self, method: &str, uri: Option<&str>) -> Vec<Heard> {
        self.heard
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.method == method && (uri.is_none() || h.uri.as_deref() == uri))
            .cloned()
            .collect()
    }

    /// Waits until no notification has come for `quiet` (at most 20 s).
    async fn settle(&self, quiet: Duration) {
        let give_up = Instant::now() + Duration::from_secs(20);
        loop {
            let last = self.heard.lock().unwrap().last().map(|h| h.at);
            if last.is_none_or(|t| t.elapsed() >= quiet) || Instant::now() > give_up {
                return;
            }
            sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `method` was heard with `seen == want` (at most 20 s).
    async fn until(&self, method: &str, uri: Option<&str>, want: u64) -> bool {
        for _ in 0..2000 {
            if self.of(method, uri).iter().any(|h| h.seen == want) {
                return true;
            }
            sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

fn versioned(uri: &str, v: Arc<AtomicU64>) -> FnResource {
    FnResource::new(Resource::new(uri, uri), move |_, _| {
        let v = v.clone();
        async move { v.load(Ordering::SeqCst).to_string() }
    })
}

fn server(state: &State, window: Duration) -> Server {
    Server::new("debounce", "0")
        .notification_debounce(window)
        .tool(tool("t0"))
        .resource(versioned("test://a", state.a.clone()))
        .resource(versioned("test://b", state.b.clone()))
        .prompt(FnPrompt::new(Prompt::new("p0"), |_, _| async { "hi" }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn tool(name: &str) -> FnTool {
    FnTool::typed(name, "", |_: Context, _: Empty| async { "ok" })
}

/// Where the client talks to the server.
#[derive(Clone, Copy, Debug)]
enum Via {
    Memory,
    Http,
}

const VIAS: [Via; 2] = [Via::Memory, Via::Http];

async fn connect(running: &RunningServer, via: Via, mode: Mode, log: &Log) -> Client {
    let b = Client::builder().mode(mode).handler(log.clone());
    match via {
        Via::Memory => b.connect(running.connect_in_memory()).await.unwrap(),
        Via::Http => {
            let addr = support::serve_http(running, HttpOptions::default()).await;
            b.connect(StreamableHttp::new(format!("http://{addr}/mcp")))
                .await
                .unwrap()
        }
    }
}

/// Ask for notifications: `resources/subscribe` in the handshake era, a
/// `subscriptions/listen` stream in the 2026-07-28 era (returned, to keep it open).
async fn listen(c: &Client, mode: Mode, log: &Log, uris: &[&str]) -> Option<JoinHandle<()>> {
    if matches!(mode, Mode::Handshake(_)) {
        for u in uris {
            c.subscribe(u).await.unwrap();
        }
        // The GET stream of a Streamable HTTP session opens after initialization: a
        // round trip gives it time to be there before the burst.
        c.list_tools().await.unwrap();
        sleep(Duration::from_millis(200)).await;
        return None;
    }
    let c = c.clone();
    let uris: Vec<String> = uris.iter().map(|u| u.to_string()).collect();
    let h = tokio::spawn(async move {
        let _ = c
            .request_value(
                "subscriptions/listen",
                json!({"notifications": {
                    "toolsListChanged": true, "promptsListChanged": true,
                    "resourcesListChanged": true, "resourceSubscriptions": uris}}),
                None,
            )
            .await;
    });
    for _ in 0..2000 {
        if !log
            .of("notifications/subscriptions/acknowledged", None)
            .is_empty()
        {
            return Some(h);
        }
        sleep(Duration::from_millis(10)).await;
    }
    panic!("subscriptions/listen was not acknowledged");
}

async fn read(c: &Client, uri: &str) -> String {
    let r = c.read_resource(uri).await.unwrap();
    match &r.contents[0] {
        ResourceContents::Text(t) => t.text.clone(),
        other => panic!("not text: {other:?}"),
    }
}

const UPDATED: &str = "notifications/resources/updated";

#[tokio::test]
async fn a_thousand_updates_reach_a_subscriber_as_a_handful_and_the_last_one_comes_after_the_last_change(
) {
    for via in VIAS {
        for mode in modes() {
            let log = Log::default();
            let running = server(&log.state, Duration::from_millis(300))
                .start()
                .await
                .unwrap();
            let c = connect(&running, via, mode, &log).await;
            let stream = listen(&c, mode, &log, &["test://a", "test://b"]).await;
            let handle = running.handle();
            // Two URIs interleaved: 1,000 updates of a, 500 of b.
            for i in 1..=1000u64 {
                log.state.a.store(i, Ordering::SeqCst);
                handle.notify_resource_updated("test://a");
                if i % 2 == 0 {
                    log.state.b.store(i / 2, Ordering::SeqCst);
                    handle.notify_resource_updated("test://b");
                }
            }
            // The trailing edge comes: a notification of each URI sent after its last
            // change (the client saw the final version when it arrived).
            assert!(
                log.until(UPDATED, Some("test://a"), 1000).await,
                "{via:?} {mode:?}"
            );
            assert!(
                log.until(UPDATED, Some("test://b"), 500).await,
                "{via:?} {mode:?}"
            );
            log.settle(Duration::from_millis(900)).await;
            let (a, b) = (
                log.of(UPDATED, Some("test://a")),
                log.of(UPDATED, Some("test://b")),
            );
            assert!(
                (1..=5).contains(&a.len()),
                "{via:?} {mode:?}: {} for a",
                a.len()
            );
            assert!(
                (1..=5).contains(&b.len()),
                "{via:?} {mode:?}: {} for b",
                b.len()
            );
            assert_eq!(a.last().unwrap().seen, 1000, "{via:?} {mode:?}");
            assert_eq!(b.last().unwrap().seen, 500, "{via:?} {mode:?}");
            // And the client, reading after the last notification, sees the final state.
            assert_eq!(read(&c, "test://a").await, "1000");
            assert_eq!(read(&c, "test://b").await, "500");
            if let Some(s) = stream {
                s.abort();
            }
            running.shutdown().await.unwrap();
        }
    }
}

#[tokio::test]
async fn only_subscribed_uris_are_announced_and_each_keeps_its_own_window() {
    let log = Log::default();
    let running = server(&log.state, Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let mode = modes()[0];
    let c = connect(&running, Via::Memory, mode, &log).await;
    listen(&c, mode, &log, &["test://a"]).await;
    let handle = running.handle();
    // b changes first and many times; a once, within b's window: a still goes out at once.
    for i in 1..=100u64 {
        log.state.b.store(i, Ordering::SeqCst);
        handle.notify_resource_updated("test://b");
    }
    log.state.a.store(1, Ordering::SeqCst);
    handle.notify_resource_updated("test://a");
    assert!(log.until(UPDATED, Some("test://a"), 1).await);
    log.settle(Duration::from_millis(900)).await;
    assert_eq!(log.of(UPDATED, Some("test://a")).len(), 1);
    assert!(
        log.of(UPDATED, Some("test://b")).is_empty(),
        "b is not subscribed"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_debounce_every_update_goes_out() {
    // The control: the same burst with the window at zero reaches the client whole, so the
    // handful above is the coalescing's doing, not a loss on the way.
    let log = Log::default();
    let running = server(&log.state, Duration::ZERO).start().await.unwrap();
    let mode = modes()[0];
    let c = connect(&running, Via::Memory, mode, &log).await;
    listen(&c, mode, &log, &["test://a"]).await;
    let handle = running.handle();
    for i in 1..=200u64 {
        log.state.a.store(i, Ordering::SeqCst);
        handle.notify_resource_updated("test://a");
        // Leave the session time to forward them (its backlog is bounded).
        tokio::task::yield_now().await;
    }
    assert!(log.until(UPDATED, Some("test://a"), 200).await);
    log.settle(Duration::from_millis(300)).await;
    assert_eq!(log.of(UPDATED, Some("test://a")).len(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn list_changed_bursts_coalesce_and_the_last_one_follows_the_last_change() {
    for via in VIAS {
        for mode in modes() {
            let log = Log::default();
            let running = server(&log.state, Duration::from_millis(300))
                .start()
                .await
                .unwrap();
            let c = connect(&running, via, mode, &log).await;
            let stream = listen(&c, mode, &log, &[]).await;
            let handle = running.handle();
            let s = log.state.clone();
            for i in 1..=200u64 {
                handle.add_tool(tool(&format!("t{i}"))).unwrap();
                s.tools.store(i, Ordering::SeqCst);
                handle
                    .add_resource(versioned(&format!("test://r{i}"), s.a.clone()))
                    .unwrap();
                s.resources.store(i, Ordering::SeqCst);
                handle
                    .add_prompt(FnPrompt::new(Prompt::new(format!("p{i}")), |_, _| async {
                        "hi"
                    }))
                    .unwrap();
                s.prompts.store(i, Ordering::SeqCst);
            }
            for method in [
                "notifications/tools/list_changed",
                "notifications/resources/list_changed",
                "notifications/prompts/list_changed",
            ] {
                assert!(
                    log.until(method, None, 200).await,
                    "{via:?} {mode:?} {method}"
                );
            }
            log.settle(Duration::from_millis(900)).await;
            for method in [
                "notifications/tools/list_changed",
                "notifications/resources/list_changed",
                "notifications/prompts/list_changed",
            ] {
                let heard = log.of(method, None);
                assert!(
                    (1..=5).contains(&heard.len()),
                    "{via:?} {mode:?} {method}: {}",
                    heard.len()
                );
                assert_eq!(heard.last().unwrap().seen, 200, "{via:?} {mode:?} {method}");
            }
            assert_eq!(c.list_tools().await.unwrap().len(), 201);
            assert_eq!(c.list_prompts().await.unwrap().len(), 201);
            if let Some(s) = stream {
                s.abort();
            }
            running.shutdown().await.unwrap();
        }
    }
}

#[tokio::test]
async fn steady_changes_still_get_a_notification_every_window() {
    for via in VIAS {
        for mode in modes() {
            let log = Log::default();
            let window = Duration::from_millis(100);
            let running = server(&log.state, window).start().await.unwrap();
            let c = connect(&running, via, mode, &log).await;
            let stream = listen(&c, mode, &log, &["test://a"]).await;
            let handle = running.handle();
            // A change every 10 ms for 1.5 s: a debounce that waits for quiet would say
            // nothing until the end.
            let start = Instant::now();
            let mut i = 0;
            while start.elapsed() < Duration::from_millis(1500) {
                i += 1;
                log.state.a.store(i, Ordering::SeqCst);
                handle.notify_resource_updated("test://a");
                sleep(Duration::from_millis(10)).await;
            }
            let during = log.of(UPDATED, Some("test://a"));
            // 15 windows; a loaded machine may deliver fewer in time, but far more than
            // the leading edge alone.
            assert!(during.len() >= 4, "{via:?} {mode:?}: {}", during.len());
            assert!(during.len() <= 20, "{via:?} {mode:?}: {}", during.len());
            assert!(
                log.until(UPDATED, Some("test://a"), i).await,
                "{via:?} {mode:?}"
            );
            if let Some(s) = stream {
                s.abort();
            }
            running.shutdown().await.unwrap();
        }
    }
}
