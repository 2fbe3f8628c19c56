//! [`RedisLimiter`]: counts shared by every replica through one Redis, each decision one
//! atomic Lua script.

use std::sync::Mutex;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};
use redis::aio::ConnectionManager;
use redis::{Client, ErrorKind as RedisErrorKind, RedisError, ServerErrorKind};
use serde_json::json;
use tokio::time::Instant;

use super::{Decision, Rate, RateLimiter};
use crate::lock::lock;

/// Takes one token of a bucket stored as a hash (`tokens`, `ts` in ms of Redis's clock).
/// KEYS[1]: the bucket; ARGV: capacity, tokens per ms.
const TOKEN_BUCKET: &str = r"
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local s = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(s[1])
local ts = tonumber(s[2])
if tokens == nil or ts == nil then
  tokens = cap
  ts = now
end
if now > ts then
  tokens = math.min(cap, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - tokens) / rate) + 1000)
return {allowed, retry}
";

/// Admits a request into a window stored as a sorted set of request times (ms of Redis's
/// clock). KEYS[1]: the window; ARGV: limit, window in ms, a member unique to this request.
const SLIDING_WINDOW: &str = r"
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, retry}
";

/// What a [`RedisLimiter`] does when Redis cannot be reached (or does not answer within
/// [`RedisLimiter::timeout`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailMode {
    /// Admit the request, unlimited while Redis is away (a warning is logged): an outage of
    /// Redis does not become an outage of the server. The default.
    #[default]
    Open,
    /// Refuse the request with a -32029 error (`data.reason`: `"limiterUnavailable"`,
    /// `retryAfterMs`): nothing passes unlimited.
    Closed,
}

/// A [`RateLimiter`] whose counts live in Redis, shared by every server process that uses
/// the same Redis and prefix: many replicas behind a load balancer enforce one limit
/// together. Needs the `redis` feature (of `fastmcp`, or of `fastmcp-server`) and Redis
/// 5 or later.
///
/// Each decision is one Lua script run atomically by Redis (sent as `EVALSHA`, and as
/// `EVAL` with its text when Redis does not have it yet: after a restart or
/// `SCRIPT FLUSH`), on Redis's own clock, so two processes can never both take the last
/// request of a window, and their clocks need not agree. Keys are `<prefix><key>` (prefix
/// `fastmcp:ratelimit:` unless set: give each limit its own) and expire once they are back
/// to fresh (a full bucket, an empty window), so idle keys leave Redis by themselves.
///
/// The connection is made on first use and made again after a failure. When Redis cannot
/// be reached, [`FailMode`] decides (default: [`FailMode::Open`]).
///
/// ```no_run
/// use std::time::Duration;
/// use fastmcp_server::middleware::{FailMode, Rate, RateKey, RateLimit, RedisLimiter};
/// use fastmcp_server::Server;
///
/// # fn main() -> Result<(), fastmcp_core::Error> {
/// let limiter = RedisLimiter::new(
///     "redis://127.0.0.1:6379",
///     Rate::sliding_window(100, Duration::from_secs(60)),
/// )?
/// .prefix("myapp:ratelimit:ip:")
/// .on_unavailable(FailMode::Closed);
/// let server = Server::new("demo", "1.0").middleware(RateLimit::new(limiter).key(RateKey::ip()));
/// # let _ = server;
/// # Ok(())
/// # }
/// ```
pub struct RedisLimiter {
    client: Client,
    conn: Mutex<Option<ConnectionManager>>,
    /// After a failed connection: no new attempt before this instant.
    down_until: Mutex<Option<Instant>>,
    rate: Rate,
    prefix: String,
    fail: FailMode,
    timeout: Duration,
    /// The Lua script of the rate's algorithm, and its SHA-1 (for `EVALSHA`).
    text: &'static str,
    sha: String,
}

/// How long a failed connection keeps new attempts away.
const RETRY_CONNECT: Duration = Duration::from_millis(500);

impl RedisLimiter {
    /// A limiter enforcing `rate` per key in the Redis at `url` (`redis://host:port/db`,
    /// with `user:password@` if needed). Connects on first use: Redis need not be up yet.
    pub fn new(url: &str, rate: Rate) -> Result<Self, Error> {
        let client = Client::open(url)
            .map_err(|e| Error::invalid_params(format!("Invalid Redis URL: {e}")))?;
        let text = match rate {
            Rate::TokenBucket { .. } => TOKEN_BUCKET,
            Rate::SlidingWindow { .. } => SLIDING_WINDOW,
        };
        Ok(RedisLimiter {
            client,
            conn: Mutex::new(None),
            down_until: Mutex::new(None),
            rate,
            prefix: "fastmcp:ratelimit:".to_owned(),
            fail: FailMode::default(),
            timeout: Duration::from_millis(500),
            text,
            sha: redis::Script::new(text).get_hash().to_owned(),
        })
    }

    /// The prefix of this limiter's keys in Redis (default `fastmcp:ratelimit:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// What happens when Redis cannot be reached (default [`FailMode::Open`]).
    pub fn on_unavailable(mut self, mode: FailMode) -> Self {
        self.fail = mode;
        self
    }

    /// How long one decision may take, connecting included, before Redis counts as
    /// unreachable (default 500 ms).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A connection: the one made before, or a new one (none while a recent attempt
    /// failed).
    async fn connection(&self) -> Result<ConnectionManager, RedisError> {
        if let Some(c) = lock(&self.conn).clone() {
            return Ok(c);
        }
        if lock(&self.down_until).is_some_and(|t| Instant::now() < t) {
            return Err(RedisError::from((
                RedisErrorKind::Io,
                "Redis was unreachable a moment ago",
            )));
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        match self.client.get_connection_manager_with_config(config).await {
            Ok(c) => {
                *lock(&self.conn) = Some(c.clone());
                Ok(c)
            }
            Err(e) => {
                *lock(&self.down_until) = Some(Instant::now() + RETRY_CONNECT);
                Err(e)
            }
        }
    }

    /// Run the script for `key`: `EVALSHA`, then `EVAL` when Redis does not know it.
    async fn run(&self, key: &str) -> Result<Decision, RedisError> {
        let mut conn = self.connection().await?;
        let full_key = format!("{}{key}", self.prefix);
        let args: Vec<String> = match self.rate {
            Rate::TokenBucket {
                capacity,
                tokens,
                per,
            } => vec![capacity.to_string(), Rate::per_ms(tokens, per).to_string()],
            Rate::SlidingWindow { limit, window } => vec![
                limit.to_string(),
                window.as_millis().to_string(),
                uuid::Uuid::new_v4().simple().to_string(),
            ],
        };
        let mut evalsha = redis::cmd("EVALSHA");
        evalsha.arg(&self.sha).arg(1).arg(&full_key).arg(&args);
        let reply: Result<(i64, i64), RedisError> = evalsha.query_async(&mut conn).await;
        let (allowed, retry_ms) = match reply {
            Err(e) if e.kind() == RedisErrorKind::Server(ServerErrorKind::NoScript) => {
                let mut eval = redis::cmd("EVAL");
                eval.arg(self.text).arg(1).arg(&full_key).arg(&args);
                eval.query_async(&mut conn).await?
            }
            other => other?,
        };
        Ok(if allowed == 1 {
            Decision::Allowed
        } else {
            Decision::Refused {
                retry_after: Duration::from_millis(retry_ms.max(1).unsigned_abs()),
            }
        })
    }

    /// What to answer when Redis failed with `e`.
    fn unavailable(&self, e: &dyn std::fmt::Display) -> Result<Decision, Error> {
        match self.fail {
            FailMode::Open => {
                tracing::warn!("rate limiter: Redis unavailable ({e}); admitting (fail open)");
                Ok(Decision::Allowed)
            }
            FailMode::Closed => {
                tracing::warn!("rate limiter: Redis unavailable ({e}); refusing (fail closed)");
                let retry = RETRY_CONNECT.as_millis();
                Err(Error::limit_exceeded(format!(
                    "Rate limiter unavailable: requests are refused until it is back; \
                     retry in {retry} ms"
                ))
                .with_data(json!({
                    "reason": "limiterUnavailable",
                    "retryAfterMs": u64::try_from(retry).unwrap_or(u64::MAX),
                })))
            }
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn acquire<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Decision, Error>> {
        Box::pin(async move {
            match tokio::time::timeout(self.timeout, self.run(key)).await {
                Ok(Ok(d)) => Ok(d),
                Ok(Err(e)) => {
                    if e.is_io_error() || e.is_unrecoverable_error() {
                        // Connect afresh next time (the manager may be gone for good).
                        lock(&self.conn).take();
                    }
                    self.unavailable(&e)
                }
                Err(_) => self.unavailable(&"no answer in time"),
            }
        })
    }

    fn rate(&self) -> Rate {
        self.rate
    }
}

impl std::fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("rate", &self.rate)
            .field("prefix", &self.prefix)
            .field("fail", &self.fail)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
