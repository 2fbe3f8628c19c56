//! What ties a run to its task: the task side of the run's context (its id, detaching,
//! status messages) and the peer that goes quiet once the call has become a task.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use fastmcp_core::{BoxFuture, Error, Peer, TaskControl};
use serde_json::value::RawValue;
use tokio::sync::{oneshot, Notify};

use super::store::{modify, TaskStore};
use crate::lock::lock;

/// Where the request answers a detach: `Ok` once the task exists.
pub(crate) type DetachAck = oneshot::Sender<Result<(), Error>>;

/// The task side of one run's context.
pub(crate) struct TaskLink {
    pub(crate) id: OnceLock<String>,
    /// Asks the request waiting for the run to make it a task (`TaskStart::OnDetach`).
    pub(crate) detach: Mutex<Option<oneshot::Sender<DetachAck>>>,
    store: Arc<dyn TaskStore>,
    changed: Arc<Notify>,
}

impl TaskLink {
    /// A link to task `id` (`None`: not a task yet).
    pub(crate) fn new(id: Option<String>, store: Arc<dyn TaskStore>, changed: Arc<Notify>) -> Self {
        TaskLink {
            id: id.map(OnceLock::from).unwrap_or_default(),
            detach: Mutex::new(None),
            store,
            changed,
        }
    }
}

impl TaskControl for TaskLink {
    fn task_id(&self) -> Option<String> {
        self.id.get().cloned()
    }

    fn detach(&self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            if self.id.get().is_some() {
                return Ok(());
            }
            let Some(tx) = lock(&self.detach).take() else {
                return Ok(());
            };
            let (ack_tx, ack_rx) = oneshot::channel();
            tx.send(ack_tx).map_err(|_| Error::cancelled())?;
            ack_rx.await.map_err(|_| Error::cancelled())?
        })
    }

    fn set_status_message(&self, message: String) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let Some(id) = self.id.get() else {
                return Ok(());
            };
            modify(&*self.store, id, |r| {
                if r.status.is_terminal() || r.status_message.as_ref() == Some(&message) {
                    return false;
                }
                r.status_message = Some(message.clone());
                true
            })
            .await?;
            self.changed.notify_waiters();
            Ok(())
        })
    }
}

/// The peer of a run: the request's until the call becomes a task, then nothing (a task
/// has no stream; progress and log notifications are not sent for tasks).
pub(crate) struct TaskPeer {
    inner: Arc<dyn Peer>,
    detached: AtomicBool,
}

impl TaskPeer {
    /// Sends to `inner` until [`TaskPeer::detach`] (or never, if `detached`).
    pub(crate) fn new(inner: Arc<dyn Peer>, detached: bool) -> Self {
        TaskPeer {
            inner,
            detached: AtomicBool::new(detached),
        }
    }

    /// Send nothing from now on.
    pub(crate) fn detach(&self) {
        self.detached.store(true, Ordering::Release);
    }
}

impl Peer for TaskPeer {
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        if self.detached.load(Ordering::Acquire) {
            return Box::pin(async { Ok(()) });
        }
        self.inner.notify(method, params)
    }

    fn request(
        &self,
        method: &str,
        params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        if self.detached.load(Ordering::Acquire) {
            let m = method.to_owned();
            return Box::pin(async move {
                Err(Error::transport(format!(
                    "a task has no stream to send {m} on"
                )))
            });
        }
        self.inner.request(method, params)
    }
}
