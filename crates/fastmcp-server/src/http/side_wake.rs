//! Side futures of a task (a deadline, a shutdown signal) polled beside its main one only
//! when one of them woke the task, not on every wake-up of the main future. A connection's
//! task wakes a few times per request; polling a timer and a cancellation token each time
//! costs more than the check here (a `Sleep` is re-armed, a token's waiter list locked).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Wake, Waker};

use futures::task::AtomicWaker;

/// The waker the side futures are polled with, and whether it was woken since.
pub(crate) struct Side {
    inner: Arc<Inner>,
    waker: Waker,
}

struct Inner {
    woken: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Inner {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake();
    }
}

impl Side {
    /// Due at the first poll, so that the side futures register their wakers.
    pub(crate) fn new() -> Side {
        let inner = Arc::new(Inner {
            woken: AtomicBool::new(true),
            task: AtomicWaker::new(),
        });
        let waker = Waker::from(inner.clone());
        Side { inner, waker }
    }

    /// Called at each poll of the task, with its context: the context to poll the side
    /// futures with when they are due (woken since they were last polled), else `None`.
    /// The task's waker is registered first, so a wake-up that comes after the check is
    /// not lost: it wakes the task again.
    pub(crate) fn due(&self, cx: &Context<'_>) -> Option<Context<'_>> {
        self.inner.task.register(cx.waker());
        self.inner
            .woken
            .swap(false, Ordering::AcqRel)
            .then(|| Context::from_waker(&self.waker))
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::pin;
    use std::task::Poll;
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_side_future_is_polled_again_only_after_it_woke_the_task() {
        let side = Side::new();
        let mut sleep = pin!(tokio::time::sleep(Duration::from_secs(5)));
        let mut polls = 0;
        let mut main_wakes = 0;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let feeder = tokio::spawn(async move {
            for _ in 0..3 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                tx.send(()).unwrap();
            }
        });
        std::future::poll_fn(|cx| {
            // The main future: woken three times before the side's deadline.
            while let Poll::Ready(Some(())) = rx.poll_recv(cx) {
                main_wakes += 1;
            }
            if let Some(mut scx) = side.due(cx) {
                polls += 1;
                if sleep.as_mut().poll(&mut scx).is_ready() {
                    return Poll::Ready(());
                }
            }
            Poll::Pending
        })
        .await;
        feeder.await.unwrap();
        assert_eq!(main_wakes, 3);
        // Once to register, once when its deadline woke the task: not at the main wakes.
        assert_eq!(polls, 2);
    }
}
