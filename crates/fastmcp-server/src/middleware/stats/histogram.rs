//! A latency histogram with fixed buckets, updated with atomics only.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

/// Upper bounds of the buckets, in microseconds (a last, unbounded bucket follows).
pub(crate) const BOUNDS_US: [u64; 17] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000,
    1_000_000, 2_500_000, 5_000_000, 10_000_000,
];

const BUCKETS: usize = BOUNDS_US.len() + 1;

/// Counts of durations per bucket, their sum and their maximum.
#[derive(Default)]
pub(crate) struct Histogram {
    buckets: [AtomicU64; BUCKETS],
    sum_us: AtomicU64,
    max_us: AtomicU64,
}

impl Histogram {
    pub(crate) fn record(&self, d: Duration) {
        let us = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        let i = BOUNDS_US.partition_point(|&b| b < us);
        self.buckets[i].fetch_add(1, Relaxed);
        self.sum_us.fetch_add(us, Relaxed);
        self.max_us.fetch_max(us, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> HistogramSnapshot {
        HistogramSnapshot {
            buckets: std::array::from_fn(|i| self.buckets[i].load(Relaxed)),
            sum_us: self.sum_us.load(Relaxed),
            max_us: self.max_us.load(Relaxed),
        }
    }
}

/// A histogram read at one moment.
#[derive(Debug, Clone)]
pub(crate) struct HistogramSnapshot {
    pub(crate) buckets: [u64; BUCKETS],
    pub(crate) sum_us: u64,
    pub(crate) max_us: u64,
}

impl HistogramSnapshot {
    pub(crate) fn count(&self) -> u64 {
        self.buckets.iter().sum()
    }

    /// The `q` quantile (0..=1), estimated as the upper bound of its bucket (the maximum
    /// seen when that is lower, or for the unbounded bucket).
    pub(crate) fn quantile(&self, q: f64) -> Duration {
        let count = self.count();
        if count == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let bound = BOUNDS_US.get(i).copied().unwrap_or(u64::MAX);
                return Duration::from_micros(bound.min(self.max_us));
            }
        }
        Duration::from_micros(self.max_us)
    }

    pub(crate) fn mean(&self) -> Duration {
        match self.count() {
            0 => Duration::ZERO,
            n => Duration::from_micros(self.sum_us / n),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_fall_in_the_right_buckets() {
        let h = Histogram::default();
        for _ in 0..90 {
            h.record(Duration::from_micros(80));
        }
        for _ in 0..10 {
            h.record(Duration::from_millis(40));
        }
        let s = h.snapshot();
        assert_eq!(s.count(), 100);
        assert_eq!(s.quantile(0.5), Duration::from_micros(100));
        assert_eq!(s.quantile(0.9), Duration::from_micros(100));
        assert_eq!(
            s.quantile(0.99),
            Duration::from_millis(40),
            "capped by the max"
        );
        assert_eq!(s.max_us, 40_000);
        assert_eq!(
            s.mean(),
            Duration::from_micros((90 * 80 + 10 * 40_000) / 100)
        );
    }

    #[test]
    fn huge_durations_land_in_the_last_bucket() {
        let h = Histogram::default();
        h.record(Duration::from_secs(3600));
        let s = h.snapshot();
        assert_eq!(s.buckets[BUCKETS - 1], 1);
        assert_eq!(s.quantile(1.0), Duration::from_secs(3600));
        assert_eq!(
            HistogramSnapshot {
                buckets: [0; BUCKETS],
                sum_us: 0,
                max_us: 0
            }
            .quantile(0.5),
            Duration::ZERO
        );
    }
}
