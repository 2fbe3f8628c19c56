//! [`RateLimit`]: a middleware that refuses requests past a rate, per key, with counts
//! in this process ([`MemoryLimiter`]) or shared through Redis (`RedisLimiter`, feature
//! `redis`).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};
use serde_json::json;
use serde_json::value::RawValue;

use super::{CallNext, Middleware};
use crate::service::McpRequest;

mod key;
mod limiter;
mod memory;
mod rate;
#[cfg(feature = "redis")]
mod redis;

pub use key::RateKey;
pub use limiter::{Decision, RateLimiter};
pub use memory::MemoryLimiter;
pub use rate::Rate;
#[cfg(feature = "redis")]
pub use redis::{FailMode, RedisLimiter};

/// Refuses requests past a [`Rate`] per [`RateKey`], with a -32029 error that names the
/// limit and says when to retry: its `data` carries `retryAfterMs` (whole milliseconds,
/// rounded up), `limit` (the rate in words) and `key` (the kind of key: `ip`,
/// `session`...).
///
/// Counted, unless told otherwise ([`RateLimit::methods`]): every request but `ping` and
/// `initialize` (notifications are never counted), and never the calls a handler makes
/// into its own server (`ctx.call_tool`: the request that made them was counted). A
/// refused request is not counted.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::middleware::{Rate, RateKey, RateLimit};
/// use fastmcp_server::Server;
///
/// let server = Server::new("demo", "1.0")
///     // Every client address: 100 requests a minute.
///     .middleware(
///         RateLimit::in_memory(Rate::sliding_window(100, Duration::from_secs(60)))
///             .key(RateKey::ip()),
///     )
///     // Each session: tool calls in bursts of 5, then one a second.
///     .middleware(
///         RateLimit::in_memory(Rate::token_bucket(5, 1, Duration::from_secs(1)))
///             .key(RateKey::session())
///             .methods(["tools/call"]),
///     );
/// # let _ = server;
/// ```
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<dyn RateLimiter>,
    key: RateKey,
    methods: Option<Arc<HashSet<String>>>,
}

impl RateLimit {
    /// Limit requests with `limiter`, one key for the whole server until
    /// [`RateLimit::key`] says otherwise.
    pub fn new(limiter: impl RateLimiter) -> Self {
        RateLimit {
            limiter: Arc::new(limiter),
            key: RateKey::global(),
            methods: None,
        }
    }

    /// Limit requests to `rate` with counts in this process ([`MemoryLimiter`] with its
    /// defaults).
    pub fn in_memory(rate: Rate) -> Self {
        Self::new(MemoryLimiter::new(rate))
    }

    /// Whose requests count together (default: [`RateKey::global`]).
    pub fn key(mut self, key: RateKey) -> Self {
        self.key = key;
        self
    }

    /// Count only requests of these methods (`tools/call`, `resources/read`...), whatever
    /// they are, `ping` and `initialize` included when named.
    pub fn methods<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.methods = Some(Arc::new(methods.into_iter().map(Into::into).collect()));
        self
    }

    fn counts(&self, req: &McpRequest) -> bool {
        if req.is_nested() {
            return false;
        }
        match &self.methods {
            Some(m) => m.contains(req.method()),
            None => {
                !matches!(req.method(), "ping" | "initialize")
                    && !req.method().starts_with("notifications/")
            }
        }
    }

    fn refusal(&self, key: &str, retry_after: Duration) -> Error {
        let ms = retry_after.as_nanos().div_ceil(1_000_000).max(1);
        let rate = self.limiter.rate();
        let whom = self.key.name();
        let value = key.split_once(':').map_or("", |(_, v)| v);
        let scope = if value.is_empty() {
            whom.to_owned()
        } else {
            format!("per {whom} {value}")
        };
        Error::limit_exceeded(format!(
            "Rate limit exceeded ({scope}: {rate}); retry in {ms} ms"
        ))
        .with_data(json!({
            "retryAfterMs": u64::try_from(ms).unwrap_or(u64::MAX),
            "limit": rate.to_string(),
            "key": whom,
        }))
    }
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("rate", &self.limiter.rate())
            .field("key", &self.key)
            .field("methods", &self.methods)
            .finish()
    }
}

impl Middleware for RateLimit {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let key = if self.counts(&req) {
            self.key.of(&req)
        } else {
            None
        };
        Box::pin(async move {
            if let Some(key) = key {
                if let Decision::Refused { retry_after } = self.limiter.acquire(&key).await? {
                    return Err(self.refusal(&key, retry_after));
                }
            }
            next.run(req).await
        })
    }
}
