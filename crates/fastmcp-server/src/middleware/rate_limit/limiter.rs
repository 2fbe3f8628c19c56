//! [`RateLimiter`]: where the counts live (in memory, in Redis, anything else).

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};

use super::Rate;

/// What a limiter decided about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Admitted (and counted).
    Allowed,
    /// Refused (and not counted): the key is at its limit for at least `retry_after`.
    Refused {
        /// How long until a request of this key would be admitted.
        retry_after: Duration,
    },
}

/// Counts requests per key against a [`Rate`]: [`MemoryLimiter`](super::MemoryLimiter)
/// in this process, `RedisLimiter` (feature `redis`) shared by many. Implement it to keep
/// counts elsewhere; [`RateLimit`](super::RateLimit) asks it once per counted request.
///
/// ```
/// use fastmcp_core::{BoxFuture, Error};
/// use fastmcp_server::middleware::{Decision, Rate, RateLimit, RateLimiter};
///
/// /// Admits everything (a limiter to switch limits off in tests).
/// struct Unlimited;
///
/// impl RateLimiter for Unlimited {
///     fn acquire<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<Decision, Error>> {
///         Box::pin(async { Ok(Decision::Allowed) })
///     }
///     fn rate(&self) -> Rate {
///         Rate::sliding_window(u32::MAX, std::time::Duration::from_secs(1))
///     }
/// }
///
/// let limit = RateLimit::new(Unlimited);
/// # let _ = limit;
/// ```
pub trait RateLimiter: Send + Sync + 'static {
    /// Take one request for `key`: [`Decision::Allowed`] counts it. An `Err` goes to the
    /// client as the request's error (a limiter that cannot decide and fails closed).
    fn acquire<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Decision, Error>>;

    /// The rate it enforces (named in the refusal's message).
    fn rate(&self) -> Rate;
}

impl<L: RateLimiter + ?Sized> RateLimiter for Arc<L> {
    fn acquire<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Decision, Error>> {
        (**self).acquire(key)
    }

    fn rate(&self) -> Rate {
        (**self).rate()
    }
}
