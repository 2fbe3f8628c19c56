//! The `RedisLimiter` against a real `redis-server` (started by each test on a free port of
//! 127.0.0.1): two server processes enforce one global limit together, a token bucket
//! refills on Redis's clock, a script flushed from Redis is sent again, and an unreachable
//! Redis fails open or closed as configured, the server serving on and the limiter coming
//! back with Redis.

mod support;

use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::core::{Error, ErrorKind};
use fastmcp::server::middleware::{FailMode, Rate, RateKey, RateLimit, RedisLimiter};
use fastmcp::{tool, Server};
use serde_json::json;
use support::redis::RedisServer;

/// Says hello.
#[tool]
async fn hello() -> String {
    "hello".into()
}

fn server(limiter: RedisLimiter) -> Server {
    Server::new("rate-limit-redis", "0").tool(hello).middleware(
        RateLimit::new(limiter)
            .key(RateKey::global())
            .methods(["tools/call"]),
    )
}

async fn hello_on(c: &Client) -> Result<(), Error> {
    c.call_tool("hello", json!({})).await.map(|_| ())
}

/// Checks that `e` is the limit's refusal (not an unavailable limiter); its `retryAfterMs`.
fn refusal(e: &Error) -> u64 {
    assert_eq!(e.kind(), ErrorKind::LimitExceeded, "{e:?}");
    assert_eq!(e.code(), -32029);
    let data = e.data().expect("the refusal carries data");
    assert_ne!(data["reason"], "limiterUnavailable", "{data}");
    data["retryAfterMs"].as_u64().expect("retryAfterMs")
}

/// The server of the two-process test, run when `REDIS_LIMIT_CHILD` holds a Redis URL:
/// 5 calls per minute in all, whichever process takes them.
#[test]
fn child_stdio_server() {
    support::serve_stdio_when("REDIS_LIMIT_CHILD", || {
        let env = |k| std::env::var(k).unwrap();
        let rate = Rate::sliding_window(5, Duration::from_secs(60));
        server(
            RedisLimiter::new(&env("REDIS_URL"), rate)
                .unwrap()
                .prefix(env("REDIS_LIMIT_PREFIX")),
        )
    });
}

async fn child(redis: &RedisServer, prefix: &str) -> Client {
    let t = support::child_server("REDIS_LIMIT_CHILD")
        .env("REDIS_URL", redis.url())
        .env("REDIS_LIMIT_PREFIX", prefix)
        .env("FASTMCP_NO_BANNER", "1");
    Client::connect(t).await.unwrap()
}

#[tokio::test]
async fn two_server_processes_enforce_one_global_limit_together() {
    let redis = RedisServer::start();
    let (a, b) = (child(&redis, "two:").await, child(&redis, "two:").await);
    // Alternating between the processes: 5 admitted in all, not 5 each.
    for i in 0..5 {
        let c = if i % 2 == 0 { &a } else { &b };
        hello_on(c)
            .await
            .unwrap_or_else(|e| panic!("call {i} of the shared five: {e}"));
    }
    for (name, c) in [("first", &a), ("second", &b)] {
        let e = hello_on(c).await.unwrap_err();
        let wait = refusal(&e);
        assert!(wait > 0 && wait <= 60_000, "{name}: {wait} ms");
    }
    // The count lives in Redis, under the prefix both processes were given.
    assert_eq!(redis.command("ZCARD two:global"), ":5");
    // Another prefix is another limit.
    let c = child(&redis, "other:").await;
    hello_on(&c).await.unwrap();
}

#[tokio::test]
async fn a_token_bucket_in_redis_refuses_past_capacity_and_refills() {
    let redis = RedisServer::start();
    // Bursts of 3, one token back every 300 ms.
    let per = Duration::from_millis(300);
    let limiter = RedisLimiter::new(&redis.url(), Rate::token_bucket(3, 1, per))
        .unwrap()
        .prefix("bucket:");
    let s = server(limiter).start().await.unwrap();
    let c = support::client(&s, support::modes()[0], Default::default()).await;
    for attempt in 0.. {
        assert!(
            attempt < 5,
            "the machine never ran a burst faster than refill"
        );
        // A full bucket to start from.
        tokio::time::sleep(per * 4).await;
        let mut admitted = 0;
        let mut refused = None;
        for _ in 0..6 {
            match hello_on(&c).await {
                Ok(()) => admitted += 1,
                Err(e) => {
                    refused = Some(e);
                    break;
                }
            }
        }
        let Some(e) = refused else { continue };
        // Three from the bucket, perhaps one more refilled while the burst ran.
        if admitted > 4 {
            continue;
        }
        assert!(admitted >= 3, "only {admitted} admitted from a full bucket");
        let wait = refusal(&e);
        assert!((1..=300).contains(&wait), "{wait} ms");
        tokio::time::sleep(Duration::from_millis(wait)).await;
        hello_on(&c)
            .await
            .unwrap_or_else(|e| panic!("refused after the wait it named: {e}"));
        break;
    }
    assert!(
        redis.command("EXISTS bucket:global") == ":1",
        "the bucket is kept in Redis"
    );
}

#[tokio::test]
async fn a_script_flushed_from_redis_is_sent_again() {
    let redis = RedisServer::start();
    let limiter = RedisLimiter::new(
        &redis.url(),
        Rate::sliding_window(3, Duration::from_secs(60)),
    )
    .unwrap()
    .prefix("flush:")
    .on_unavailable(FailMode::Closed);
    let s = server(limiter).start().await.unwrap();
    let c = support::client(&s, support::modes()[0], Default::default()).await;
    hello_on(&c).await.unwrap();
    assert_eq!(redis.command("SCRIPT FLUSH"), "+OK");
    // EVALSHA fails with NOSCRIPT; the limiter sends the script itself and counts on.
    hello_on(&c).await.unwrap();
    hello_on(&c).await.unwrap();
    refusal(&hello_on(&c).await.unwrap_err());
}

#[tokio::test]
async fn an_unreachable_redis_fails_open_or_closed_and_the_limiter_comes_back() {
    let mut redis = RedisServer::start();
    let limiter = |mode| {
        RedisLimiter::new(
            &redis.url(),
            Rate::sliding_window(2, Duration::from_secs(60)),
        )
        .unwrap()
        .prefix(format!("{mode:?}:"))
        .timeout(Duration::from_millis(300))
        .on_unavailable(mode)
    };
    let open = server(limiter(FailMode::Open)).start().await.unwrap();
    let closed = server(limiter(FailMode::Closed)).start().await.unwrap();
    let mode = support::modes()[0];
    let o = support::client(&open, mode, Default::default()).await;
    let c = support::client(&closed, mode, Default::default()).await;
    hello_on(&o).await.unwrap();
    hello_on(&c).await.unwrap();

    redis.stop();
    // Open: admitted past the limit while Redis is away.
    for i in 0..4 {
        hello_on(&o)
            .await
            .unwrap_or_else(|e| panic!("fail-open call {i} without Redis: {e}"));
    }
    // Closed: refused, saying the limiter (not the limit) is the reason.
    let e = hello_on(&c).await.unwrap_err();
    assert_eq!(e.code(), -32029, "{e:?}");
    let data = e.data().unwrap();
    assert_eq!(data["reason"], "limiterUnavailable", "{data}");
    assert!(data["retryAfterMs"].as_u64().unwrap() > 0);
    // Everything else is served.
    c.ping().await.unwrap();
    c.list_tools().await.unwrap();

    // Redis comes back (empty: nothing was saved); the limiter reconnects by itself.
    redis.restart();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match hello_on(&c).await {
            Ok(()) => break,
            Err(e) if tokio::time::Instant::now() < deadline => {
                assert_eq!(e.data().unwrap()["reason"], "limiterUnavailable", "{e:?}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("the limiter never came back with Redis: {e:?}"),
        }
    }
    // And it limits again: 2 per minute, one taken just now.
    hello_on(&c).await.unwrap();
    refusal(&hello_on(&c).await.unwrap_err());
}
