//! The downstream requests an upstream connection is serving right now, so that what the
//! upstream server asks or tells during one of them reaches that request's client.
//!
//! An upstream request made inside a call's own task (the stateless era's input rounds,
//! answered by the client's request loop) names its call exactly, through a task-local.
//! One that arrives on the connection's reading task (the handshake era) names none: it
//! goes to the newest call when every call in flight belongs to one downstream session,
//! and is refused when calls of several sessions share the connection, for a request
//! meant for one user must never reach another.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp_core::{Context, Error};
use fastmcp_protocol::{LoggingMessageNotificationParams, ProgressNotificationParams};
use tokio::sync::{mpsc, Notify};

tokio::task_local! {
    static CURRENT: u64;
}

/// Marks a downstream session: one per session, compared by address.
#[derive(Debug, Default)]
struct SessionMark;

/// The first input request of the stateless era that ends a downstream round, held for
/// the call that waits upstream: it ends with it instead of the upstream answer.
#[derive(Default)]
pub(crate) struct Held {
    error: Mutex<Option<Error>>,
    notify: Notify,
}

impl Held {
    /// Keep `e` (the first one only) and wake the call.
    pub(crate) fn hold(&self, e: &Error) {
        let mut slot = self.error.lock().unwrap_or_else(PoisonError::into_inner);
        if slot.is_none() {
            *slot = Some(copy(e));
            self.notify.notify_one();
        }
    }

    /// The held error, if any.
    pub(crate) fn take(&self) -> Option<Error> {
        self.error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Wait until an error is held, and take it.
    pub(crate) async fn wait(&self) -> Error {
        loop {
            let notified = self.notify.notified();
            if let Some(e) = self.take() {
                return e;
            }
            notified.await;
        }
    }
}

/// The same error again (errors are not `Clone`: their source is dropped).
pub(crate) fn copy(e: &Error) -> Error {
    let c = Error::new(e.kind(), e.message());
    match e.data() {
        Some(d) => c.with_data(d.clone()),
        None => c,
    }
}

/// What the upstream server tells during a call, sent on by the call itself (so that it
/// reaches the client before the call's answer).
pub(crate) enum Event {
    Progress(ProgressNotificationParams),
    Log(LoggingMessageNotificationParams),
}

struct Caller {
    id: u64,
    ctx: Context,
    session: Arc<SessionMark>,
    held: Arc<Held>,
    events: mpsc::Sender<Event>,
}

/// The call something upstream is for.
pub(crate) struct Picked {
    pub(crate) ctx: Context,
    pub(crate) held: Arc<Held>,
    pub(crate) events: mpsc::Sender<Event>,
}

impl Caller {
    fn picked(&self) -> Picked {
        Picked {
            ctx: self.ctx.clone(),
            held: self.held.clone(),
            events: self.events.clone(),
        }
    }
}

/// The calls in flight on one upstream connection.
#[derive(Default)]
pub(crate) struct Callers {
    next: AtomicU64,
    calls: Mutex<Vec<Caller>>,
}

/// A call registered with [`Callers::enter`]; leaves when dropped.
pub(crate) struct Entered {
    callers: Arc<Callers>,
    pub(crate) id: u64,
    pub(crate) held: Arc<Held>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        self.callers.lock().retain(|c| c.id != self.id);
    }
}

impl Callers {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Caller>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Register a call made for `ctx`, whose events go to `events`.
    pub(crate) fn enter(self: &Arc<Self>, ctx: &Context, events: mpsc::Sender<Event>) -> Entered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let held = Arc::new(Held::default());
        let session = ctx
            .session()
            .typed_state_or_insert_with(SessionMark::default);
        self.lock().push(Caller {
            id,
            ctx: ctx.clone(),
            session,
            held: held.clone(),
            events,
        });
        Entered {
            callers: self.clone(),
            id,
            held,
        }
    }

    /// Run `fut` as the call `id` (what it asks upstream is that call's).
    pub(crate) async fn scope<F: Future>(id: u64, fut: F) -> F::Output {
        CURRENT.scope(id, fut).await
    }

    /// The call an upstream request or notification is for: see the module docs.
    pub(crate) fn pick(&self) -> Result<Picked, Error> {
        let calls = self.lock();
        if let Ok(id) = CURRENT.try_with(|id| *id) {
            if let Some(c) = calls.iter().find(|c| c.id == id) {
                return Ok(c.picked());
            }
        }
        let Some(newest) = calls.last() else {
            return Err(Error::invalid_request(
                "the proxy has no request in flight that this could be for",
            ));
        };
        if calls
            .iter()
            .all(|c| Arc::ptr_eq(&c.session, &newest.session))
        {
            return Ok(newest.picked());
        }
        Err(Error::invalid_request(
            "the proxy serves several clients on this upstream connection and cannot tell \
             which one this request is for (use an upstream connection per session)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_is_found_by_its_scope_and_leaves_when_dropped() {
        let callers = Arc::new(Callers::default());
        assert!(callers.pick().is_err(), "nothing in flight");
        let (tx, _rx) = mpsc::channel(1);
        let first = callers.enter(&Context::for_testing(), tx.clone());
        let second = callers.enter(&Context::for_testing(), tx);
        // Two sessions share the connection: outside a call's scope nobody is chosen.
        let e = callers.pick().err().map(|e| e.message().to_owned());
        assert!(e.unwrap_or_default().contains("several clients"));
        let id = first.id;
        let c = callers.clone();
        let picked = Callers::scope(id, async move { c.pick() }).await.unwrap();
        assert!(Arc::ptr_eq(&picked.held, &first.held));
        drop(second);
        let picked = callers.pick().unwrap();
        assert!(
            Arc::ptr_eq(&picked.held, &first.held),
            "one session left: its newest call"
        );
        drop(first);
        assert!(callers.pick().is_err());
    }

    #[tokio::test]
    async fn a_held_error_wakes_the_waiting_call_once() {
        let held = Arc::new(Held::default());
        let h = held.clone();
        let waiter = tokio::spawn(async move { h.wait().await.message().to_owned() });
        held.hold(&Error::internal("first"));
        held.hold(&Error::internal("second"));
        assert_eq!(waiter.await.unwrap(), "first");
        assert!(held.take().is_none());
    }
}
