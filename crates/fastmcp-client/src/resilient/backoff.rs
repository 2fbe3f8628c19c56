//! Exponential backoff with full jitter between reconnection attempts.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// How long to wait between attempts: `initial`, doubling up to `max`, each wait drawn at
/// random from its upper half ("equal jitter"), so clients that lost the same server do
/// not come back at the same instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The first wait (100 ms by default).
    pub initial: Duration,
    /// The longest wait (10 s by default).
    pub max: Duration,
    /// How many attempts in a row before giving up on one operation (5 by default).
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(10),
            attempts: 5,
        }
    }
}

impl Backoff {
    /// The wait before attempt `n` (from 1; attempt 0 does not wait).
    pub fn delay(&self, n: u32) -> Duration {
        if n == 0 {
            return Duration::ZERO;
        }
        let exp = self
            .initial
            .saturating_mul(1u32 << (n - 1).min(20))
            .min(self.max);
        let half = exp / 2;
        half + half.mul_f64(random_unit())
    }
}

/// A number in `[0, 1)` from the standard library's random hasher keys.
fn random_unit() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0x9E37_79B9_7F4A_7C15);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_with_jitter_in_the_upper_half() {
        let b = Backoff {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(1),
            attempts: 9,
        };
        assert_eq!(b.delay(0), Duration::ZERO);
        for (n, full) in [
            (1, 100),
            (2, 200),
            (3, 400),
            (4, 800),
            (5, 1000),
            (30, 1000),
        ] {
            let d = b.delay(n).as_millis() as u64;
            assert!(d >= full / 2 && d <= full, "attempt {n}: {d} ms of {full}");
        }
        let draws: std::collections::BTreeSet<_> = (0..20).map(|_| b.delay(4)).collect();
        assert!(draws.len() > 1, "jittered");
    }
}
