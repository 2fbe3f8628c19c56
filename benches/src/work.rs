//! The `work(ms)` tool of the Rust servers: half of `ms` as an async sleep (each server
//! awaits its own runtime's timer with `sleep_part`), then half as CPU work (`compute_for`).
//! The Python and TypeScript peers do the same: sleep, then a busy loop that checks the
//! clock.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// The reply of the `work` tool.
pub const WORK_REPLY: &str = "worked";

/// The sleeping half of `work(ms)`.
pub fn sleep_part(ms: u64) -> Duration {
    Duration::from_micros(ms.saturating_mul(500))
}

/// The computing half of `work(ms)`.
pub fn compute_part(ms: u64) -> Duration {
    sleep_part(ms)
}

/// Compute (a multiply-add chain) until `d` has passed; returns the result so that it is not
/// optimised away.
pub fn compute_for(d: Duration) -> u64 {
    let start = Instant::now();
    let mut acc = 0x9e37_79b9_7f4a_7c15u64;
    let mut i = 0u64;
    while start.elapsed() < d {
        for _ in 0..64 {
            acc = acc.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i);
            i += 1;
        }
    }
    black_box(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_for_about_the_time_asked() {
        let t = Instant::now();
        compute_for(Duration::from_millis(2));
        let took = t.elapsed();
        assert!(took >= Duration::from_millis(2), "{took:?}");
        assert_eq!(sleep_part(1), Duration::from_micros(500));
    }
}
