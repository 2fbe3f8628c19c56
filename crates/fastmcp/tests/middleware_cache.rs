//! `ResponseCache`: hits served without running the handler (handlers count their runs),
//! one partition per session, 2026-07-28 requests not shared by default, invalidation on
//! list changes, TTL expiry, the LRU byte bound, statistics; in memory and over Streamable
//! HTTP, in both eras, and over stdio to a child process.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, Error, FnResource, FnTool};
use fastmcp::protocol::{Resource, ResourceContents};
use fastmcp::server::middleware::ResponseCache;
use fastmcp::server::RunningServer;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::Server;
use serde_json::json;
use support::{modes, Recorder};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Args {
    #[serde(default)]
    a: i64,
    #[serde(default)]
    b: i64,
    #[serde(default)]
    n: usize,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// How many times each handler ran.
#[derive(Default, Clone)]
struct Runs {
    sum: Arc<AtomicUsize>,
    text: Arc<AtomicUsize>,
    fail: Arc<AtomicUsize>,
    read: Arc<AtomicUsize>,
}

impl Runs {
    fn of(c: &AtomicUsize) -> usize {
        c.load(Ordering::SeqCst)
    }
}

fn server(runs: &Runs, cache: &ResponseCache) -> Server {
    let (sum, text, fail, read) = (
        runs.sum.clone(),
        runs.text.clone(),
        runs.fail.clone(),
        runs.read.clone(),
    );
    let seen = cache.clone();
    Server::new("cache", "0")
        .tool(FnTool::typed("stats", "", move |_: Context, _: Empty| {
            let s = seen.stats();
            async move { format!("hits {} misses {}", s.hits, s.misses) }
        }))
        .tool(FnTool::typed("sum", "", move |_: Context, x: Args| {
            let run = sum.fetch_add(1, Ordering::SeqCst) + 1;
            async move { format!("{} (run {run})", x.a + x.b) }
        }))
        .tool(FnTool::typed("text", "", move |_: Context, x: Args| {
            text.fetch_add(1, Ordering::SeqCst);
            async move { "x".repeat(x.n) }
        }))
        .tool(FnTool::typed("fail", "", move |_: Context, _: Empty| {
            fail.fetch_add(1, Ordering::SeqCst);
            async move { Err::<String, _>(Error::tool("no luck")) }
        }))
        .resource(FnResource::new(
            Resource::new("mem://r", "r"),
            move |_, _| {
                let run = read.fetch_add(1, Ordering::SeqCst) + 1;
                async move { format!("read {run}") }
            },
        ))
        .middleware(cache.clone())
}

async fn start(runs: &Runs, cache: &ResponseCache) -> (RunningServer, std::net::SocketAddr) {
    let running = server(runs, cache).start().await.unwrap();
    let addr = support::serve_http(&running, Default::default()).await;
    (running, addr)
}

/// A new client (a new session) in memory or over HTTP.
async fn connect(s: &RunningServer, addr: std::net::SocketAddr, http: bool, mode: Mode) -> Client {
    let b = Client::builder().mode(mode).handler(Recorder::default());
    if http {
        b.connect(StreamableHttp::new(format!("http://{addr}/mcp")))
            .await
            .unwrap()
    } else {
        b.connect(s.connect_in_memory()).await.unwrap()
    }
}

async fn text_of(c: &Client, tool: &str, args: serde_json::Value) -> String {
    let r = c.call_tool(tool, args).await.unwrap();
    r.content[0].as_text().unwrap_or_default().to_owned()
}

async fn read(c: &Client) -> String {
    match &c.read_resource("mem://r").await.unwrap().contents[0] {
        ResourceContents::Text(t) => t.text.clone(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_second_identical_request_is_served_from_the_cache() {
    for http in [false, true] {
        let runs = Runs::default();
        let cache = ResponseCache::new().cache_tool("sum");
        let (s, addr) = start(&runs, &cache).await;
        let c = connect(&s, addr, http, modes()[0]).await;
        let first = text_of(&c, "sum", json!({"a": 1, "b": 2})).await;
        // The same arguments in another order, with a `_meta` of its own: the same entry.
        let r = c
            .request_value(
                "tools/call",
                json!({"name": "sum", "arguments": {"b": 2, "a": 1}, "_meta": {"x": 1}}),
                None,
            )
            .await
            .unwrap();
        assert_eq!(r["content"][0]["text"], first.as_str(), "http: {http}");
        assert_eq!(first, "3 (run 1)");
        assert_eq!(
            Runs::of(&runs.sum),
            1,
            "the handler ran once (http: {http})"
        );
        assert_eq!(
            text_of(&c, "sum", json!({"a": 2, "b": 2})).await,
            "4 (run 2)"
        );
        assert_eq!(read(&c).await, "read 1");
        assert_eq!(read(&c).await, "read 1");
        assert_eq!(Runs::of(&runs.read), 1);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (2, 3), "{stats:?}");
        assert_eq!(stats.entries, 3);
        assert!(stats.bytes > 0);
        // Tool errors are never kept; a tool not opted in is never cached.
        for _ in 0..2 {
            let r = c.call_tool("fail", json!({})).await.unwrap();
            assert_eq!(r.is_error, Some(true));
            text_of(&c, "text", json!({"n": 3})).await;
        }
        assert_eq!(Runs::of(&runs.fail), 2);
        assert_eq!(Runs::of(&runs.text), 2);
    }
}

#[tokio::test]
async fn different_sessions_never_share_entries() {
    for http in [false, true] {
        let runs = Runs::default();
        let cache = ResponseCache::new().cache_tool("sum");
        let (s, addr) = start(&runs, &cache).await;
        let one = connect(&s, addr, http, modes()[0]).await;
        let two = connect(&s, addr, http, modes()[0]).await;
        let args = json!({"a": 1, "b": 1});
        assert_eq!(text_of(&one, "sum", args.clone()).await, "2 (run 1)");
        assert_eq!(text_of(&two, "sum", args.clone()).await, "2 (run 2)");
        assert_eq!(text_of(&one, "sum", args.clone()).await, "2 (run 1)");
        assert_eq!(text_of(&two, "sum", args.clone()).await, "2 (run 2)");
        assert_eq!(Runs::of(&runs.sum), 2, "http: {http}");
        // 2026-07-28 requests have no lasting session: by default nothing of theirs is kept.
        let stateless = connect(&s, addr, http, modes()[1]).await;
        assert_eq!(text_of(&stateless, "sum", args.clone()).await, "2 (run 3)");
        assert_eq!(text_of(&stateless, "sum", args.clone()).await, "2 (run 4)");
    }
}

#[tokio::test]
async fn stateless_requests_are_cached_under_a_partition_the_user_names() {
    for http in [false, true] {
        let runs = Runs::default();
        let cache = ResponseCache::new()
            .cache_tool("sum")
            .partition_by(|_| Some("everyone".to_owned()));
        let (s, addr) = start(&runs, &cache).await;
        let one = connect(&s, addr, http, modes()[1]).await;
        let two = connect(&s, addr, http, modes()[1]).await;
        let args = json!({"a": 5, "b": 5});
        assert_eq!(text_of(&one, "sum", args.clone()).await, "10 (run 1)");
        assert_eq!(text_of(&two, "sum", args.clone()).await, "10 (run 1)");
        assert_eq!(Runs::of(&runs.sum), 1, "http: {http}");
        assert_eq!(cache.stats().hits, 1);
    }
}

#[tokio::test]
async fn changes_of_the_server_invalidate_its_entries() {
    for (http, mode) in [(false, modes()[0]), (true, modes()[0]), (true, modes()[1])] {
        let runs = Runs::default();
        let cache = ResponseCache::new().partition_by(|_| Some("all".into()));
        let (s, addr) = start(&runs, &cache).await;
        let c = connect(&s, addr, http, mode).await;
        let names = |c: &Client| {
            let c = c.clone();
            async move { support::tool_names(&c).await }
        };
        assert_eq!(names(&c).await, ["fail", "stats", "sum", "text"]);
        assert_eq!(names(&c).await, ["fail", "stats", "sum", "text"]);
        assert_eq!(cache.stats().hits, 1, "the second list came from the cache");
        s.handle()
            .add_tool(FnTool::typed("late", "", |_: Context, _: Empty| async {
                "late"
            }))
            .unwrap();
        assert_eq!(
            names(&c).await,
            ["fail", "late", "stats", "sum", "text"],
            "{mode:?}"
        );
        s.handle().remove_tool("late");
        assert_eq!(names(&c).await, ["fail", "stats", "sum", "text"]);
        // `resources/updated` drops the reads of that resource.
        assert_eq!(read(&c).await, "read 1");
        assert_eq!(read(&c).await, "read 1");
        s.handle().notify_resource_updated("mem://r");
        assert_eq!(read(&c).await, "read 2");
        assert!(cache.stats().invalidations >= 3, "{:?}", cache.stats());
    }
}

#[tokio::test]
async fn entries_expire_after_their_time_to_live() {
    let runs = Runs::default();
    let cache = ResponseCache::new()
        .ttl(Duration::from_secs(600))
        .ttl_for("resources/read", Duration::from_millis(200));
    let (s, addr) = start(&runs, &cache).await;
    let c = connect(&s, addr, true, modes()[0]).await;
    assert_eq!(read(&c).await, "read 1");
    c.list_tools().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(read(&c).await, "read 2", "the read expired");
    c.list_tools().await.unwrap();
    let stats = cache.stats();
    assert_eq!(stats.expirations, 1, "{stats:?}");
    assert_eq!(stats.hits, 1, "the list lives longer: {stats:?}");
}

#[tokio::test]
async fn the_byte_bound_evicts_the_least_recently_used_entries() {
    let runs = Runs::default();
    let cache = ResponseCache::new()
        .cache_tool("text")
        .max_bytes(3_000)
        .max_entry_bytes(2_000);
    let (s, addr) = start(&runs, &cache).await;
    let c = connect(&s, addr, false, modes()[0]).await;
    let text = |n: usize| text_of(&c, "text", json!({"n": n}));
    text(900).await; // a
    text(901).await; // b
    text(900).await; // a again: a hit, b is now the oldest
    assert_eq!(Runs::of(&runs.text), 2);
    text(902).await; // c: evicts b
    let stats = cache.stats();
    assert!(stats.bytes <= 3_000, "{stats:?}");
    assert_eq!(stats.evictions, 1, "{stats:?}");
    text(900).await; // a is still there
    assert_eq!(Runs::of(&runs.text), 3);
    text(901).await; // b is not
    assert_eq!(Runs::of(&runs.text), 4);
    // A result over the per-entry bound is never kept.
    text(5_000).await;
    text(5_000).await;
    assert_eq!(Runs::of(&runs.text), 6);
    assert!(cache.stats().bytes <= 3_000);
}

/// The server of `a_cache_over_stdio_to_a_child_process`, run when `CACHE_CHILD` is set.
#[test]
fn child_stdio_server() {
    support::serve_stdio_when("CACHE_CHILD", || {
        server(&Runs::default(), &ResponseCache::new().cache_tool("sum"))
    });
}

#[tokio::test]
async fn a_cache_over_stdio_to_a_child_process() {
    let c = Client::connect(support::child_server("CACHE_CHILD"))
        .await
        .unwrap();
    assert_eq!(
        text_of(&c, "sum", json!({"a": 1, "b": 2})).await,
        "3 (run 1)"
    );
    assert_eq!(
        text_of(&c, "sum", json!({"b": 2, "a": 1})).await,
        "3 (run 1)"
    );
    assert_eq!(text_of(&c, "sum", json!({"a": 2})).await, "2 (run 2)");
    assert_eq!(text_of(&c, "stats", json!({})).await, "hits 1 misses 2");
}
