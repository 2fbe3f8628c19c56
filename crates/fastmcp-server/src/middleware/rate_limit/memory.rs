//! [`MemoryLimiter`]: the counts of one process, in bounded memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};
use tokio::time::Instant;

use super::rate::Bucket;
use super::{Decision, Rate, RateLimiter};
use crate::lock::lock;

/// Keys tracked at most, unless set.
const DEFAULT_MAX_KEYS: usize = 100_000;
/// How often idle keys are swept out even when the map is not full.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// A [`RateLimiter`] in this process's memory: one state per key (a bucket, or the
/// request times of the last window), behind one lock.
///
/// Memory is bounded: at most [`MemoryLimiter::max_keys`] keys are tracked. A key whose
/// state is back to fresh (a full bucket, an empty window) is idle and forgotten at the
/// next sweep (when the map is full, and at least once a minute); forgetting it loses
/// nothing. When the map is full of keys that are all active, the least recently seen
/// tenth is forgotten, so those keys start afresh: size `max_keys` above the number of
/// clients active at once. A flood of distinct keys (addresses, sessions) thus costs a
/// bounded map and amortized constant time per request.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::middleware::{MemoryLimiter, Rate, RateKey, RateLimit};
/// use fastmcp_server::Server;
///
/// let limiter = MemoryLimiter::new(Rate::sliding_window(60, Duration::from_secs(60)))
///     .max_keys(10_000);
/// let server = Server::new("demo", "1.0")
///     .middleware(RateLimit::new(limiter).key(RateKey::ip()));
/// # let _ = server;
/// ```
#[derive(Debug)]
pub struct MemoryLimiter {
    rate: Rate,
    max_keys: usize,
    keys: Mutex<Keys>,
}

#[derive(Debug)]
struct Keys {
    map: HashMap<Box<str>, Entry>,
    swept: Instant,
}

#[derive(Debug)]
struct Entry {
    bucket: Bucket,
    seen: Instant,
}

impl MemoryLimiter {
    /// A limiter enforcing `rate` per key, tracking at most 100,000 keys.
    pub fn new(rate: Rate) -> Self {
        MemoryLimiter {
            rate,
            max_keys: DEFAULT_MAX_KEYS,
            keys: Mutex::new(Keys {
                map: HashMap::new(),
                swept: Instant::now(),
            }),
        }
    }

    /// Track at most `n` keys (at least 1).
    pub fn max_keys(mut self, n: usize) -> Self {
        self.max_keys = n.max(1);
        self
    }

    /// How many keys are tracked now.
    pub fn tracked_keys(&self) -> usize {
        lock(&self.keys).map.len()
    }

    fn take(&self, key: &str) -> Decision {
        let now = Instant::now();
        let rate = self.rate;
        let mut keys = lock(&self.keys);
        if now.saturating_duration_since(keys.swept) >= SWEEP_EVERY {
            keys.sweep_idle(&rate, now);
        }
        if !keys.map.contains_key(key) && keys.map.len() >= self.max_keys {
            keys.make_room(&rate, now, self.max_keys);
        }
        let entry = keys.map.entry(key.into()).or_insert_with(|| Entry {
            bucket: Bucket::new(&rate, now),
            seen: now,
        });
        entry.seen = now;
        match entry.bucket.take(&rate, now) {
            Ok(()) => Decision::Allowed,
            Err(retry_after) => Decision::Refused { retry_after },
        }
    }
}

impl Keys {
    fn sweep_idle(&mut self, rate: &Rate, now: Instant) {
        self.map.retain(|_, e| !e.bucket.recovered(rate, now));
        self.swept = now;
    }

    /// Make room for new keys: forget the idle ones; if that frees less than a tenth of
    /// the map, forget the least recently seen down to nine tenths of `max`.
    fn make_room(&mut self, rate: &Rate, now: Instant, max: usize) {
        self.sweep_idle(rate, now);
        let target = (max - max / 10).min(max - 1);
        if self.map.len() <= target {
            return;
        }
        let mut seen: Vec<Instant> = self.map.values().map(|e| e.seen).collect();
        let excess = self.map.len() - target;
        let (_, cut, _) = seen.select_nth_unstable(excess - 1);
        let cut = *cut;
        let mut left = excess;
        self.map.retain(|_, e| {
            if left > 0 && e.seen <= cut {
                left -= 1;
                false
            } else {
                true
            }
        });
    }
}

impl RateLimiter for MemoryLimiter {
    fn acquire<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Decision, Error>> {
        let d = self.take(key);
        Box::pin(async move { Ok(d) })
    }

    fn rate(&self) -> Rate {
        self.rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_flood_of_distinct_keys_stays_within_the_bound() {
        let l = MemoryLimiter::new(Rate::sliding_window(2, Duration::from_secs(10))).max_keys(100);
        for i in 0..10_000 {
            let d = l.acquire(&format!("ip:{i}")).await.unwrap();
            assert_eq!(d, Decision::Allowed, "a new key starts fresh");
            assert!(l.tracked_keys() <= 100);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn idle_keys_are_forgotten_before_active_ones() {
        let rate = Rate::sliding_window(1, Duration::from_secs(10));
        let l = MemoryLimiter::new(rate).max_keys(10);
        for i in 0..9 {
            l.acquire(&format!("old:{i}")).await.unwrap();
        }
        // Their window passes: they are idle now, though still tracked.
        tokio::time::advance(Duration::from_secs(10)).await;
        assert_eq!(l.acquire("busy").await.unwrap(), Decision::Allowed);
        assert!(matches!(
            l.acquire("busy").await.unwrap(),
            Decision::Refused { .. }
        ));
        assert_eq!(l.tracked_keys(), 10);
        for i in 0..9 {
            assert_eq!(
                l.acquire(&format!("new:{i}")).await.unwrap(),
                Decision::Allowed
            );
        }
        assert_eq!(l.tracked_keys(), 10, "the idle keys made room");
        assert!(
            matches!(l.acquire("busy").await.unwrap(), Decision::Refused { .. }),
            "the active key kept its count"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn idle_keys_are_swept_once_a_minute_even_below_the_bound() {
        let l = MemoryLimiter::new(Rate::token_bucket(2, 1, Duration::from_secs(1)));
        for i in 0..100 {
            l.acquire(&format!("k{i}")).await.unwrap();
        }
        assert_eq!(l.tracked_keys(), 100);
        tokio::time::advance(SWEEP_EVERY).await;
        l.acquire("late").await.unwrap();
        assert_eq!(l.tracked_keys(), 1);
    }
}
