//! [`Rate`]: how many requests a key may make, and the two algorithms that decide it
//! (one key's state in memory: [`Bucket`]).

use std::collections::VecDeque;
use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

/// How many requests one key may make: a token bucket or a sliding window.
///
/// - [`Rate::token_bucket`]: bursts of up to `capacity`, then a steady `tokens` per `per`.
///   Constant memory per key; the choice for large or fine-grained limits.
/// - [`Rate::sliding_window`]: at most `limit` requests in any window of length
///   `window`. This is a sliding-window *log*: it keeps the time of each admitted request
///   of the last window, so the limit is exact (never `limit + 1` in any window, unlike a
///   sliding-window counter, which estimates the previous window's share and can admit
///   up to twice the limit when traffic is bunched) and the retry time it reports is exact
///   too. The price is memory: up to `limit` timestamps per key (8 bytes each in memory,
///   one sorted-set member in Redis), so for limits in the thousands per key prefer the
///   token bucket.
///
/// Zero counts and durations are raised to 1 (a request, a millisecond).
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::middleware::Rate;
///
/// // Bursts of 10, refilled at 5 per second.
/// let bucket = Rate::token_bucket(10, 5, Duration::from_secs(1));
/// // 100 requests per minute, counted over the last minute at any moment.
/// let window = Rate::sliding_window(100, Duration::from_secs(60));
/// assert_eq!(window.to_string(), "100 requests per 60000 ms (sliding window)");
/// # let _ = bucket;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rate {
    /// A bucket of `capacity` tokens, one taken per request, refilled continuously at
    /// `tokens` per `per`.
    TokenBucket {
        /// The largest burst.
        capacity: u32,
        /// Tokens added per `per`.
        tokens: u32,
        /// The refill period.
        per: Duration,
    },
    /// At most `limit` requests in any window of `window`.
    SlidingWindow {
        /// Requests per window.
        limit: u32,
        /// The window.
        window: Duration,
    },
}

impl Rate {
    /// A token bucket: bursts of up to `capacity`, refilled at `tokens` per `per`.
    pub fn token_bucket(capacity: u32, tokens: u32, per: Duration) -> Rate {
        Rate::TokenBucket {
            capacity: capacity.max(1),
            tokens: tokens.max(1),
            per: per.max(Duration::from_millis(1)),
        }
    }

    /// A sliding window: at most `limit` requests in any window of length `window`.
    pub fn sliding_window(limit: u32, window: Duration) -> Rate {
        Rate::SlidingWindow {
            limit: limit.max(1),
            window: window.max(Duration::from_millis(1)),
        }
    }

    /// Tokens per millisecond of a token bucket.
    pub(crate) fn per_ms(tokens: u32, per: Duration) -> f64 {
        f64::from(tokens) / (per.as_secs_f64() * 1000.0)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rate::TokenBucket {
                capacity,
                tokens,
                per,
            } => write!(
                f,
                "bursts of {capacity}, {tokens} requests per {} ms (token bucket)",
                per.as_millis()
            ),
            Rate::SlidingWindow { limit, window } => write!(
                f,
                "{limit} requests per {} ms (sliding window)",
                window.as_millis()
            ),
        }
    }
}

/// One key's state in memory.
#[derive(Debug)]
pub(crate) enum Bucket {
    Tokens { tokens: f64, at: Instant },
    Log(VecDeque<Instant>),
}

impl Bucket {
    /// A fresh state: a full bucket, an empty log.
    pub(crate) fn new(rate: &Rate, now: Instant) -> Bucket {
        match *rate {
            Rate::TokenBucket { capacity, .. } => Bucket::Tokens {
                tokens: f64::from(capacity),
                at: now,
            },
            Rate::SlidingWindow { .. } => Bucket::Log(VecDeque::new()),
        }
    }

    /// Take one request at `now`: `Ok` when admitted, else how long until one would be.
    pub(crate) fn take(&mut self, rate: &Rate, now: Instant) -> Result<(), Duration> {
        match (self, *rate) {
            (
                Bucket::Tokens { tokens, at },
                Rate::TokenBucket {
                    capacity,
                    tokens: n,
                    per,
                },
            ) => {
                let per_ms = Rate::per_ms(n, per);
                *tokens = refilled(*tokens, *at, per_ms, now).min(f64::from(capacity));
                *at = now;
                if *tokens >= 1.0 {
                    *tokens -= 1.0;
                    Ok(())
                } else {
                    Err(Duration::from_secs_f64((1.0 - *tokens) / per_ms / 1000.0))
                }
            }
            (Bucket::Log(log), Rate::SlidingWindow { limit, window }) => {
                while log
                    .front()
                    .is_some_and(|t| now.saturating_duration_since(*t) >= window)
                {
                    log.pop_front();
                }
                if log.len() < limit as usize {
                    log.push_back(now);
                    return Ok(());
                }
                let oldest = log.front().copied().unwrap_or(now);
                Err((oldest + window).saturating_duration_since(now))
            }
            // A state always matches the rate it was made for.
            (b, rate) => {
                *b = Bucket::new(&rate, now);
                b.take(&rate, now)
            }
        }
    }

    /// Whether the state is back to fresh at `now` (a full bucket, nothing in the
    /// window): forgetting it then loses nothing.
    pub(crate) fn recovered(&self, rate: &Rate, now: Instant) -> bool {
        match (self, *rate) {
            (
                Bucket::Tokens { tokens, at },
                Rate::TokenBucket {
                    capacity,
                    tokens: n,
                    per,
                },
            ) => refilled(*tokens, *at, Rate::per_ms(n, per), now) >= f64::from(capacity),
            (Bucket::Log(log), Rate::SlidingWindow { window, .. }) => log
                .back()
                .is_none_or(|t| now.saturating_duration_since(*t) >= window),
            _ => true,
        }
    }
}

/// The tokens of a bucket that held `tokens` at `at`, refilled at `per_ms` until `now`
/// (uncapped).
fn refilled(tokens: f64, at: Instant, per_ms: f64, now: Instant) -> f64 {
    tokens + now.saturating_duration_since(at).as_secs_f64() * 1000.0 * per_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn near(d: Duration, ms: f64) -> bool {
        (d.as_secs_f64() * 1000.0 - ms).abs() < 0.01
    }

    #[test]
    fn a_bucket_admits_its_capacity_then_refills_at_its_rate() {
        let rate = Rate::token_bucket(3, 1, 100 * MS);
        let t0 = Instant::now();
        let mut b = Bucket::new(&rate, t0);
        for _ in 0..3 {
            b.take(&rate, t0).unwrap();
        }
        let wait = b.take(&rate, t0).unwrap_err();
        assert!(near(wait, 100.0), "{wait:?}");
        let wait = b.take(&rate, t0 + 40 * MS).unwrap_err();
        assert!(near(wait, 60.0), "{wait:?}");
        b.take(&rate, t0 + 100 * MS).unwrap();
        assert!(b.take(&rate, t0 + 100 * MS).is_err());
        assert!(!b.recovered(&rate, t0 + 200 * MS));
        assert!(b.recovered(&rate, t0 + 400 * MS));
    }

    #[test]
    fn a_window_never_admits_more_than_its_limit_in_any_window() {
        let rate = Rate::sliding_window(2, 100 * MS);
        let t0 = Instant::now();
        let mut b = Bucket::new(&rate, t0);
        b.take(&rate, t0).unwrap();
        b.take(&rate, t0 + 90 * MS).unwrap();
        // The first leaves the window at 100 ms, the second at 190 ms.
        assert_eq!(b.take(&rate, t0 + 95 * MS).unwrap_err(), 5 * MS);
        b.take(&rate, t0 + 100 * MS).unwrap();
        assert_eq!(b.take(&rate, t0 + 150 * MS).unwrap_err(), 40 * MS);
        assert!(!b.recovered(&rate, t0 + 150 * MS));
        assert!(b.recovered(&rate, t0 + 200 * MS));
    }

    #[test]
    fn zero_is_raised_to_one() {
        assert_eq!(
            Rate::sliding_window(0, Duration::ZERO),
            Rate::sliding_window(1, MS)
        );
    }
}
