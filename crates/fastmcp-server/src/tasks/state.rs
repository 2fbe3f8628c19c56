//! The running side of the server's tasks: the store, the runs in flight and their scopes,
//! the streams of running 2025-11-25 tasks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp_core::{CancelReason, Scope};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::slot::PeerSlot;
use super::store::TaskStore;
use crate::lock::lock;

/// The tasks of one server.
pub(crate) struct Tasks {
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) tracker: TaskTracker,
    /// Cancelled at the end of the shutdown grace (ends every run).
    pub(crate) root: CancellationToken,
    running: Mutex<HashMap<String, Arc<Scope>>>,
    /// Woken on every change this process makes to a task (for `tasks/result`).
    pub(crate) changed: Arc<Notify>,
    /// The streams of running 2025-11-25 tasks (where their requests to the client go).
    slots: Mutex<HashMap<String, Arc<PeerSlot>>>,
}

impl Tasks {
    pub(crate) fn new(store: Arc<dyn TaskStore>) -> Tasks {
        Tasks {
            store,
            tracker: TaskTracker::new(),
            root: CancellationToken::new(),
            running: Mutex::new(HashMap::new()),
            changed: Arc::new(Notify::new()),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// Let the runs in flight finish for `grace`, then cancel them and wait.
    pub(crate) async fn shutdown(&self, grace: Duration) {
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_err()
        {
            let scopes: Vec<_> = lock(&self.running).values().cloned().collect();
            for s in scopes {
                s.cancel(CancelReason::Shutdown);
            }
            self.root.cancel();
            self.tracker.wait().await;
        }
    }

    /// How many task runs are in flight.
    pub(crate) fn running(&self) -> usize {
        lock(&self.running).len()
    }

    pub(crate) fn started(&self, id: &str, scope: Arc<Scope>) {
        lock(&self.running).insert(id.to_owned(), scope);
    }

    pub(crate) fn ended(&self, id: &str, scope: &Arc<Scope>) {
        let mut running = lock(&self.running);
        if running.get(id).is_some_and(|s| Arc::ptr_eq(s, scope)) {
            running.remove(id);
        }
    }

    pub(crate) fn scope_of(&self, id: &str) -> Option<Arc<Scope>> {
        lock(&self.running).get(id).cloned()
    }

    pub(crate) fn slot(&self, id: &str) -> Option<Arc<PeerSlot>> {
        lock(&self.slots).get(id).cloned()
    }

    pub(crate) fn add_slot(&self, id: &str, slot: Arc<PeerSlot>) {
        lock(&self.slots).insert(id.to_owned(), slot);
    }

    pub(crate) fn remove_slot(&self, id: &str) {
        lock(&self.slots).remove(id);
    }
}
