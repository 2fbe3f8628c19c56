//! Coalescing of change notifications: a burst of the same change becomes at most one
//! notification at once (the leading edge) and one at the end of the window (the trailing
//! edge), and a steady stream of it one per window. Used by [`crate::ChangeNotifier`] once
//! the server has started (see [`crate::Server::notification_debounce`]).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::lock::lock;

/// How many distinct changes (each list kind, each resource URI) may be held back at once.
/// A change past it is sent at once, not coalesced: nothing is lost and memory stays
/// bounded.
pub(crate) const MAX_PENDING: usize = 4096;

/// The changes sent within the current window, each with whether it happened again since.
struct State<E> {
    /// Change → changed again since it was last sent.
    dirty: HashMap<E, bool>,
    /// When each change's window ends, in order (every window is equally long, so the
    /// queue is sorted by construction).
    ends: VecDeque<(Instant, E)>,
}

/// Coalesces repeats of changes of type `E` (one key per distinct value).
pub(crate) struct Throttle<E> {
    window: Duration,
    state: Mutex<State<E>>,
    wake: Notify,
}

impl<E> std::fmt::Debug for Throttle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("window", &self.window)
            .finish()
    }
}

impl<E: Clone + Eq + Hash + Send + 'static> Throttle<E> {
    /// A throttle and the task that sends its trailing edges to `tx`; the task ends when
    /// `stop` is cancelled.
    pub(crate) fn start(
        window: Duration,
        tx: broadcast::Sender<E>,
        stop: CancellationToken,
    ) -> Arc<Throttle<E>> {
        let t = Arc::new(Throttle {
            window,
            state: Mutex::new(State {
                dirty: HashMap::new(),
                ends: VecDeque::new(),
            }),
            wake: Notify::new(),
        });
        tokio::spawn(t.clone().trailing(tx, stop));
        t
    }

    /// Whether `ev` goes out now; otherwise the end of its window sends it.
    pub(crate) fn offer(&self, ev: E) -> Option<E> {
        let mut s = lock(&self.state);
        if let Some(again) = s.dirty.get_mut(&ev) {
            *again = true;
            return None;
        }
        if s.dirty.len() >= MAX_PENDING {
            return Some(ev);
        }
        s.dirty.insert(ev.clone(), false);
        s.ends.push_back((Instant::now() + self.window, ev.clone()));
        if s.ends.len() == 1 {
            self.wake.notify_one();
        }
        Some(ev)
    }

    /// Send what changed again within its window when the window ends, and open a new
    /// window for it; forget changes whose window ended quietly.
    async fn trailing(self: Arc<Self>, tx: broadcast::Sender<E>, stop: CancellationToken) {
        loop {
            let next = lock(&self.state).ends.front().map(|(at, _)| *at);
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = self.wake.notified(), if next.is_none() => continue,
                _ = tokio::time::sleep_until(next.unwrap_or_else(Instant::now)), if next.is_some() => {}
            }
            for ev in self.due(Instant::now()) {
                let _ = tx.send(ev);
            }
        }
    }

    /// The changes whose window ended by `now` and that changed again within it.
    fn due(&self, now: Instant) -> Vec<E> {
        let mut s = lock(&self.state);
        let mut out = Vec::new();
        while s.ends.front().is_some_and(|(at, _)| *at <= now) {
            let Some((_, ev)) = s.ends.pop_front() else {
                break;
            };
            if s.dirty.get(&ev).copied().unwrap_or(false) {
                s.dirty.insert(ev.clone(), false);
                s.ends.push_back((now + self.window, ev.clone()));
                out.push(ev);
            } else {
                s.dirty.remove(&ev);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::changes::ServerEvent;

    fn uri(s: &str) -> ServerEvent {
        ServerEvent::ResourceUpdated(s.into())
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_sends_its_first_and_its_last() {
        let (tx, mut rx) = broadcast::channel(16);
        let stop = CancellationToken::new();
        let t = Throttle::start(Duration::from_millis(100), tx.clone(), stop.clone());
        let mut now_sent = 0;
        for _ in 0..1000 {
            if let Some(ev) = t.offer(uri("a")) {
                now_sent += 1;
                let _ = tx.send(ev);
            }
        }
        assert_eq!(now_sent, 1);
        assert_eq!(rx.recv().await.ok(), Some(uri("a")));
        // The trailing edge, at the end of the window.
        let start = Instant::now();
        assert_eq!(rx.recv().await.ok(), Some(uri("a")));
        assert_eq!(start.elapsed(), Duration::from_millis(100));
        // A quiet window after it: nothing more, and the change is forgotten.
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(rx.try_recv().is_err());
        assert!(lock(&t.state).dirty.is_empty());
        stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn steady_changes_go_out_once_per_window() {
        let (tx, mut rx) = broadcast::channel(64);
        let stop = CancellationToken::new();
        let t = Throttle::start(Duration::from_millis(100), tx.clone(), stop.clone());
        // A change every 10 ms for a second.
        let mut at = Vec::new();
        let start = Instant::now();
        for _ in 0..100 {
            if let Some(ev) = t.offer(ServerEvent::ToolsChanged) {
                let _ = tx.send(ev);
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            while rx.try_recv().is_ok() {
                at.push(start.elapsed());
            }
        }
        // Between 10 and 12 notifications, never two within a window minus a step, never
        // a gap past a window plus a step.
        assert!((10..=12).contains(&at.len()), "{at:?}");
        for w in at.windows(2) {
            assert!(w[1] - w[0] <= Duration::from_millis(110), "{at:?}");
            assert!(w[1] - w[0] >= Duration::from_millis(90), "{at:?}");
        }
        stop.cancel();
    }

    #[tokio::test(start_paused = true)]
    async fn past_the_cap_changes_go_out_at_once() {
        let (tx, _rx) = broadcast::channel(16);
        let stop = CancellationToken::new();
        let t = Throttle::start(Duration::from_millis(100), tx, stop.clone());
        for i in 0..MAX_PENDING {
            assert!(t.offer(uri(&i.to_string())).is_some());
        }
        // Held: a repeat within the window.
        assert!(t.offer(uri("0")).is_none());
        // Past the cap: sent at once, every time, and not remembered.
        assert!(t.offer(uri("new")).is_some());
        assert!(t.offer(uri("new")).is_some());
        assert_eq!(lock(&t.state).dirty.len(), MAX_PENDING);
        stop.cancel();
    }
}
