//! Cancellation scopes: checkpoints, masked sections, budgets and structured child tasks.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::Notify;
use tokio::task::{AbortHandle, JoinHandle};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::outcome::{panic_message, CancelReason};
use crate::{Error, Outcome};

/// What a request may spend: a deadline and, optionally, a cost quota.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_core::Budget;
/// let b = Budget::unlimited().with_timeout(Duration::from_secs(5)).with_cost_quota(10);
/// assert!(b.deadline().is_some());
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    deadline: Option<Instant>,
    cost_quota: Option<u64>,
}

impl Budget {
    /// No deadline, no quota.
    pub const fn unlimited() -> Self {
        Budget {
            deadline: None,
            cost_quota: None,
        }
    }

    /// Tighten the deadline to at most `timeout` from now.
    pub fn with_timeout(self, timeout: Duration) -> Self {
        self.with_deadline(Instant::now() + timeout)
    }

    /// Tighten the deadline to at most `deadline`.
    pub fn with_deadline(mut self, deadline: Instant) -> Self {
        self.deadline = Some(match self.deadline {
            Some(d) => d.min(deadline),
            None => deadline,
        });
        self
    }

    /// Set a cost quota that [`Scope::consume`] draws from.
    pub fn with_cost_quota(mut self, quota: u64) -> Self {
        self.cost_quota = Some(self.cost_quota.map_or(quota, |q| q.min(quota)));
        self
    }

    /// The deadline, if any.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The cost quota, if any.
    pub fn cost_quota(&self) -> Option<u64> {
        self.cost_quota
    }

    /// Time left before the deadline (`None` when there is no deadline).
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }
}

/// A cancellation scope: one per request, one per spawned child.
///
/// Cancellation is cooperative first: [`Scope::checkpoint`] fails once the scope is
/// cancelled or its deadline has passed. Code inside [`Scope::masked`] is never interrupted;
/// the cancellation takes effect after it. A handler that does not reach a checkpoint within
/// the grace period of [`Scope::run`] is dropped (outside any masked section).
pub struct Scope {
    /// Made on first use ([`Scope::token`], a wait for the cancellation, a child): most
    /// requests finish on their first poll and never need one.
    token: OnceLock<CancellationToken>,
    /// Set by [`Scope::cancel`], whether or not the token was made.
    cancelled: AtomicBool,
    reason: OnceLock<CancelReason>,
    budget: Budget,
    spent: AtomicU64,
    masks: AtomicUsize,
    unmasked: Notify,
    /// Made by the first [`Scope::spawn`].
    tracker: OnceLock<TaskTracker>,
    children: Mutex<Vec<AbortHandle>>,
    parent: Option<Arc<Scope>>,
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("cancelled", &self.is_cancelled())
            .field("budget", &self.budget)
            .finish()
    }
}

impl Scope {
    /// A root scope with a budget.
    pub fn new(budget: Budget) -> Arc<Scope> {
        Self::build(OnceLock::new(), budget, None)
    }

    /// A root scope whose cancellation follows `token` (for example a session's token).
    pub fn with_token(token: CancellationToken, budget: Budget) -> Arc<Scope> {
        Self::build(OnceLock::from(token), budget, None)
    }

    fn build(
        token: OnceLock<CancellationToken>,
        budget: Budget,
        parent: Option<Arc<Scope>>,
    ) -> Arc<Scope> {
        Arc::new(Scope {
            token,
            cancelled: AtomicBool::new(false),
            reason: OnceLock::new(),
            budget,
            spent: AtomicU64::new(0),
            masks: AtomicUsize::new(0),
            unmasked: Notify::new(),
            tracker: OnceLock::new(),
            children: Mutex::new(Vec::new()),
            parent,
        })
    }

    /// A child scope: cancelled with this one, with at most what is left of this budget.
    pub fn child(self: &Arc<Self>, budget: Budget) -> Arc<Scope> {
        let mut b = budget;
        if let Some(d) = self.budget.deadline {
            b = b.with_deadline(d);
        }
        if let Some(q) = self.budget.cost_quota {
            let left = q.saturating_sub(self.spent.load(Ordering::Relaxed));
            b = b.with_cost_quota(left);
        }
        Self::build(
            OnceLock::from(self.token().child_token()),
            b,
            Some(self.clone()),
        )
    }

    /// The budget.
    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Cancel this scope (and its children) for `reason`. The first reason wins.
    pub fn cancel(&self, reason: CancelReason) {
        let _ = self.reason.set(reason);
        self.cancelled.store(true, Ordering::SeqCst);
        // Paired with the fence in `token`: either this sees the token made there, or
        // that sees the flag set here (both may, and the token is cancelled twice).
        fence(Ordering::SeqCst);
        if let Some(t) = self.token.get() {
            t.cancel();
        }
    }

    /// The cancellation token of this scope.
    pub fn token(&self) -> &CancellationToken {
        if let Some(t) = self.token.get() {
            return t;
        }
        let t = self.token.get_or_init(CancellationToken::new);
        fence(Ordering::SeqCst);
        if self.cancelled.load(Ordering::SeqCst) {
            t.cancel();
        }
        t
    }

    /// Whether the scope is cancelled (itself or through the token it follows).
    fn token_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
            || self
                .token
                .get()
                .is_some_and(CancellationToken::is_cancelled)
    }

    /// Whether the scope is cancelled or past its deadline.
    pub fn is_cancelled(&self) -> bool {
        self.token_cancelled() || self.past_deadline()
    }

    fn past_deadline(&self) -> bool {
        self.budget.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// Why the scope was cancelled, if it was.
    pub fn cancel_reason(&self) -> Option<CancelReason> {
        if let Some(r) = self.reason.get() {
            return Some(r.clone());
        }
        if self.token_cancelled() {
            // Cancelled through a parent token.
            let mut p = self.parent.as_ref();
            while let Some(s) = p {
                if let Some(r) = s.reason.get() {
                    return Some(r.clone());
                }
                p = s.parent.as_ref();
            }
            return Some(CancelReason::ParentEnded);
        }
        self.past_deadline().then_some(CancelReason::Timeout)
    }

    /// `Err` once the scope is cancelled or its budget is spent. Call it between steps.
    pub fn checkpoint(&self) -> Result<(), Error> {
        match self.cancel_reason() {
            Some(r) => Err(r.to_error()),
            None => Ok(()),
        }
    }

    /// Draw `cost` from the cost quota; `Err` (timeout) when it is spent, or when cancelled.
    pub fn consume(&self, cost: u64) -> Result<(), Error> {
        self.checkpoint()?;
        let spent = self.spent.fetch_add(cost, Ordering::Relaxed) + cost;
        match self.budget.cost_quota {
            Some(q) if spent > q => {
                self.cancel(CancelReason::Timeout);
                Err(Error::timeout().with_data(serde_json::json!({"costQuota": q})))
            }
            _ => Ok(()),
        }
    }

    /// Run `fut` as a critical section that cancellation does not interrupt.
    pub async fn masked<F: Future>(&self, fut: F) -> F::Output {
        struct Unmask<'a>(&'a Scope);
        impl Drop for Unmask<'_> {
            fn drop(&mut self) {
                if self.0.masks.fetch_sub(1, Ordering::AcqRel) == 1 {
                    self.0.unmasked.notify_waiters();
                }
            }
        }
        self.masks.fetch_add(1, Ordering::AcqRel);
        let _guard = Unmask(self);
        fut.await
    }

    /// Whether code is inside a masked section right now.
    pub fn is_masked(&self) -> bool {
        self.masks.load(Ordering::Acquire) > 0
    }

    async fn until_unmasked(&self) {
        loop {
            let notified = self.unmasked.notified();
            if !self.is_masked() {
                return;
            }
            notified.await;
        }
    }

    /// Resolves when the scope is cancelled or its deadline passes (marking it timed out).
    pub async fn cancelled(&self) -> CancelReason {
        match self.budget.deadline {
            Some(d) => {
                tokio::select! {
                    _ = self.token().cancelled() => {}
                    _ = tokio::time::sleep_until(d) => self.cancel(CancelReason::Timeout),
                }
            }
            None => self.token().cancelled().await,
        }
        self.cancel_reason().unwrap_or(CancelReason::ParentEnded)
    }

    /// Spawn a child task tied to this scope: cancelled when the scope ends, awaited by
    /// [`Scope::close`].
    pub fn spawn<F>(&self, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let handle = self.tracker.get_or_init(TaskTracker::new).spawn(fut);
        let mut children = self
            .children
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        children.retain(|h| !h.is_finished());
        children.push(handle.abort_handle());
        handle
    }

    /// Run `fut` in this scope: it ends as `Ok`/`Err`, `Panicked` (the panic is caught) or
    /// `Cancelled`. After a cancellation the future gets `grace` to reach a checkpoint and
    /// return; then it is dropped, but never inside a masked section.
    pub async fn run<T, F>(&self, fut: F, grace: Duration) -> Outcome<T>
    where
        F: Future<Output = Result<T, Error>>,
    {
        let fut = AssertUnwindSafe(fut).catch_unwind();
        tokio::pin!(fut);
        // The future first, then the wait for cancellation, which is made (boxed) only if
        // the future did not finish: most handlers finish on their first poll, and the
        // wait, some hundred bytes, would otherwise be part of every request's future.
        let mut cancelled = None;
        let reason = match std::future::poll_fn(|cx| {
            if let Poll::Ready(r) = fut.as_mut().poll(cx) {
                return Poll::Ready(Err(r));
            }
            let wait = cancelled.get_or_insert_with(|| Box::pin(self.cancelled()));
            wait.as_mut().poll(cx).map(Ok)
        })
        .await
        {
            Err(r) => return self.settle(r),
            Ok(reason) => reason,
        };
        drop(cancelled);
        let mut hard_stop = Box::pin(async {
            tokio::time::sleep(grace).await;
            self.until_unmasked().await;
        });
        tokio::select! {
            biased;
            r = &mut fut => match self.settle(r) {
                Outcome::Err(e) if matches!(e.kind(), crate::ErrorKind::Cancelled | crate::ErrorKind::Timeout) => {
                    Outcome::Cancelled(reason)
                }
                other => other,
            },
            _ = &mut hard_stop => Outcome::Cancelled(reason),
        }
    }

    fn settle<T>(&self, r: std::thread::Result<Result<T, Error>>) -> Outcome<T> {
        match r {
            Ok(Ok(t)) => Outcome::Ok(t),
            Ok(Err(e)) => match (e.kind(), self.cancel_reason()) {
                (crate::ErrorKind::Cancelled | crate::ErrorKind::Timeout, Some(reason)) => {
                    Outcome::Cancelled(reason)
                }
                _ => Outcome::Err(e),
            },
            Err(payload) => Outcome::Panicked(panic_message(&*payload)),
        }
    }

    /// End the scope: cancel what still runs in it and wait for its children, aborting
    /// those still running after `grace`.
    pub async fn close(&self, grace: Duration) {
        if !self.token_cancelled() {
            self.cancel(CancelReason::ParentEnded);
        }
        // Nothing was spawned in it (most requests): no timer, no clock read.
        let Some(tracker) = self.tracker.get() else {
            return;
        };
        tracker.close();
        if tracker.is_empty() {
            return;
        }
        // Boxed: its timer and waits would otherwise be part of every request's future,
        // and most requests spawn nothing.
        Box::pin(self.await_children(tracker, grace)).await;
    }

    /// Wait for the children `tracker` tracks, aborting them after `grace`.
    async fn await_children(&self, tracker: &TaskTracker, grace: Duration) {
        if tokio::time::timeout(grace, tracker.wait()).await.is_err() {
            for h in self
                .children
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .drain(..)
            {
                h.abort();
            }
            tracker.wait().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    const GRACE: Duration = Duration::from_secs(1);

    #[tokio::test(start_paused = true)]
    async fn cancelled_handler_stops_at_its_next_checkpoint() {
        let scope = Scope::new(Budget::unlimited());
        let steps = Arc::new(AtomicUsize::new(0));
        let s2 = scope.clone();
        let st = steps.clone();
        let canceller = scope.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(250)).await;
            canceller.cancel(CancelReason::Requested(None));
        });
        let out = scope
            .run(
                async move {
                    for _ in 0..10 {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        s2.checkpoint()?;
                        st.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok::<_, Error>(())
                },
                GRACE,
            )
            .await;
        assert!(matches!(
            out,
            Outcome::Cancelled(CancelReason::Requested(None))
        ));
        // Steps at 100 and 200 ms ran; the checkpoint at 300 ms saw the cancellation.
        assert_eq!(steps.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn masked_section_completes_before_cancellation_takes_effect() {
        let scope = Scope::new(Budget::unlimited());
        let done = Arc::new(AtomicBool::new(false));
        let (s2, d2) = (scope.clone(), done.clone());
        let canceller = scope.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            canceller.cancel(CancelReason::Requested(None));
        });
        let out = scope
            .run(
                async move {
                    // Longer than the grace period: still not interrupted.
                    s2.masked(tokio::time::sleep(Duration::from_secs(5))).await;
                    d2.store(true, Ordering::SeqCst);
                    s2.checkpoint()?;
                    Ok::<_, Error>("finished")
                },
                GRACE,
            )
            .await;
        assert!(done.load(Ordering::SeqCst));
        assert!(out.is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn handler_without_checkpoints_is_dropped_after_grace() {
        let scope = Scope::new(Budget::unlimited());
        let c = scope.clone();
        tokio::spawn(async move { c.cancel(CancelReason::Shutdown) });
        let start = Instant::now();
        let out: Outcome<()> = scope
            .run(
                async {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    Ok(())
                },
                GRACE,
            )
            .await;
        assert!(matches!(out, Outcome::Cancelled(CancelReason::Shutdown)));
        assert!(start.elapsed() <= GRACE + Duration::from_millis(10));
    }

    #[tokio::test(start_paused = true)]
    async fn budget_deadline_times_out() {
        let scope = Scope::new(Budget::unlimited().with_timeout(Duration::from_millis(500)));
        let s2 = scope.clone();
        let out: Outcome<()> = scope
            .run(
                async move {
                    loop {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        s2.checkpoint()?;
                    }
                },
                GRACE,
            )
            .await;
        assert!(matches!(out, Outcome::Cancelled(CancelReason::Timeout)));
        assert_eq!(
            out.into_result().unwrap_err().kind(),
            crate::ErrorKind::Timeout
        );
    }

    #[tokio::test(start_paused = true)]
    async fn panics_are_caught() {
        let scope = Scope::new(Budget::unlimited());
        let out: Outcome<()> = scope.run(async { panic!("boom") }, GRACE).await;
        match out {
            Outcome::Panicked(m) => assert_eq!(m, "boom"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn cost_quota_is_enforced() {
        let scope = Scope::new(Budget::unlimited().with_cost_quota(3));
        assert!(scope.consume(2).is_ok());
        assert!(scope.consume(1).is_ok());
        assert_eq!(
            scope.consume(1).unwrap_err().kind(),
            crate::ErrorKind::Timeout
        );
        assert!(scope.checkpoint().is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn close_cancels_and_awaits_children() {
        let scope = Scope::new(Budget::unlimited());
        let cleaned = Arc::new(AtomicBool::new(false));
        let (child, c2) = (scope.child(Budget::unlimited()), cleaned.clone());
        scope.spawn(async move {
            child.cancelled().await;
            // Cleanup after cancellation, still awaited by close().
            tokio::time::sleep(Duration::from_millis(50)).await;
            c2.store(true, Ordering::SeqCst);
        });
        let stuck = scope.spawn(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        });
        scope.close(GRACE).await;
        assert!(cleaned.load(Ordering::SeqCst));
        assert!(stuck.await.unwrap_err().is_cancelled());
    }

    #[tokio::test(start_paused = true)]
    async fn child_inherits_what_is_left_of_the_budget() {
        let scope = Scope::new(Budget::unlimited().with_timeout(Duration::from_secs(2)));
        let child = scope.child(Budget::unlimited().with_timeout(Duration::from_secs(10)));
        assert!(child.budget().remaining().unwrap() <= Duration::from_secs(2));
        scope.cancel(CancelReason::Shutdown);
        assert_eq!(child.cancel_reason(), Some(CancelReason::Shutdown));
    }

    #[test]
    fn the_token_is_cancelled_whether_made_before_or_after_the_cancel() {
        // Made after: the scope was cancelled before anyone asked for its token.
        let scope = Scope::new(Budget::unlimited());
        assert!(!scope.is_cancelled());
        scope.cancel(CancelReason::Requested(None));
        assert!(scope.is_cancelled());
        assert!(scope.token().is_cancelled());
        // Made before: a clone taken earlier sees the cancel.
        let scope = Scope::new(Budget::unlimited());
        let token = scope.token().clone();
        assert!(!token.is_cancelled());
        scope.cancel(CancelReason::Shutdown);
        assert!(token.is_cancelled());
        assert_eq!(scope.cancel_reason(), Some(CancelReason::Shutdown));
    }

    #[test]
    fn a_scope_that_follows_a_token_is_cancelled_with_it() {
        let parent = CancellationToken::new();
        let scope = Scope::with_token(parent.child_token(), Budget::unlimited());
        assert!(!scope.is_cancelled());
        parent.cancel();
        assert!(scope.is_cancelled());
        assert_eq!(scope.cancel_reason(), Some(CancelReason::ParentEnded));
    }

    #[tokio::test]
    async fn a_cancel_from_another_thread_reaches_a_waiter_that_made_the_token() {
        for _ in 0..200 {
            let scope = Scope::new(Budget::unlimited());
            let s2 = scope.clone();
            let canceller = std::thread::spawn(move || s2.cancel(CancelReason::Shutdown));
            let waited = tokio::time::timeout(Duration::from_secs(5), scope.cancelled()).await;
            assert_eq!(waited, Ok(CancelReason::Shutdown));
            canceller.join().unwrap();
        }
    }

    #[tokio::test]
    async fn close_without_children_ends_the_scope_at_once() {
        let scope = Scope::new(Budget::unlimited());
        scope.close(GRACE).await;
        assert_eq!(scope.cancel_reason(), Some(CancelReason::ParentEnded));
        assert!(scope.token().is_cancelled());
    }
}
