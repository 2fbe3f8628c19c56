//! A circuit breaker: after enough failures in a row the server is not tried for a while,
//! then one trial decides whether it is back.

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// When the breaker opens and for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerOptions {
    /// Failures in a row (connections refused, connections lost) that open it (5).
    pub failures: u32,
    /// How long it stays open before one trial is let through (30 s).
    pub open_for: Duration,
}

impl Default for BreakerOptions {
    fn default() -> Self {
        BreakerOptions {
            failures: 5,
            open_for: Duration::from_secs(30),
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Requests go through; failures are counted.
    Closed,
    /// Requests fail at once, without trying the server.
    Open,
    /// The open time is over: the next request is a trial. Success closes the breaker,
    /// failure opens it again.
    HalfOpen,
}

#[derive(Debug)]
struct Inner {
    failures: u32,
    opened: Option<Instant>,
    trial: bool,
}

/// The breaker of one server.
#[derive(Debug)]
pub(crate) struct Breaker {
    opts: BreakerOptions,
    inner: Mutex<Inner>,
}

impl Breaker {
    pub(crate) fn new(opts: BreakerOptions) -> Self {
        Breaker {
            opts,
            inner: Mutex::new(Inner {
                failures: 0,
                opened: None,
                trial: false,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The state now.
    pub(crate) fn state(&self) -> BreakerState {
        let s = self.lock();
        match s.opened {
            None => BreakerState::Closed,
            Some(at) if at.elapsed() < self.opts.open_for => BreakerState::Open,
            Some(_) => BreakerState::HalfOpen,
        }
    }

    /// May a request go to the server now? In half-open state, only one at a time: the
    /// trial.
    pub(crate) fn allow(&self) -> bool {
        let mut s = self.lock();
        match s.opened {
            None => true,
            Some(at) if at.elapsed() < self.opts.open_for => false,
            Some(_) if s.trial => false,
            Some(_) => {
                s.trial = true;
                true
            }
        }
    }

    /// The server answered.
    pub(crate) fn success(&self) {
        let mut s = self.lock();
        s.failures = 0;
        s.opened = None;
        s.trial = false;
    }

    /// The server could not be reached.
    pub(crate) fn failure(&self) {
        let mut s = self.lock();
        s.failures += 1;
        if s.trial || s.failures >= self.opts.failures {
            s.opened = Some(Instant::now());
        }
        s.trial = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_failures_half_opens_after_the_wait_and_one_trial_decides() {
        let b = Breaker::new(BreakerOptions {
            failures: 2,
            open_for: Duration::from_millis(50),
        });
        assert!(b.allow());
        b.failure();
        assert_eq!(b.state(), BreakerState::Closed);
        b.failure();
        assert_eq!(b.state(), BreakerState::Open);
        assert!(!b.allow());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(b.state(), BreakerState::HalfOpen);
        assert!(b.allow(), "the trial");
        assert!(!b.allow(), "one trial at a time");
        b.failure();
        assert_eq!(
            b.state(),
            BreakerState::Open,
            "a failed trial opens it again"
        );
        std::thread::sleep(Duration::from_millis(60));
        assert!(b.allow());
        b.success();
        assert_eq!(b.state(), BreakerState::Closed);
        assert!(b.allow());
    }
}
