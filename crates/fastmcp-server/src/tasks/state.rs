//! The running side of the server's tasks: the store, the runs in flight and their scopes,
//! the streams of running 2025-11-25 tasks.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp_core::{CancelReason, Error, Scope};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::queue::TaskQueue;
use super::slot::PeerSlot;
use super::store::TaskStore;
use crate::limits::Limits;
use crate::lock::lock;

/// A task whose handler runs now: its scope, and the session it belongs to (if any).
struct RunningTask {
    scope: Arc<Scope>,
    owner: Option<String>,
}

/// The tasks of one server.
pub(crate) struct Tasks {
    pub(crate) store: Arc<dyn TaskStore>,
    /// Where new tasks go when worker processes run them ([`crate::Server::task_queue`]).
    pub(crate) queue: Option<Arc<dyn TaskQueue>>,
    pub(crate) tracker: TaskTracker,
    /// Cancelled at the end of the shutdown grace (ends every run).
    pub(crate) root: CancellationToken,
    running: Mutex<HashMap<String, RunningTask>>,
    /// Woken on every change this process makes to a task (for `tasks/result`).
    pub(crate) changed: Arc<Notify>,
    /// The streams of running 2025-11-25 tasks (where their requests to the client go).
    slots: Mutex<HashMap<String, Arc<PeerSlot>>>,
}

impl Tasks {
    pub(crate) fn new(store: Arc<dyn TaskStore>, queue: Option<Arc<dyn TaskQueue>>) -> Tasks {
        Tasks {
            store,
            queue,
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
            let scopes: Vec<_> = lock(&self.running)
                .values()
                .map(|r| r.scope.clone())
                .collect();
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

    /// A run of a task that already exists (resumed after input) starts.
    pub(crate) fn started(&self, id: &str, scope: Arc<Scope>) {
        let task = RunningTask { scope, owner: None };
        lock(&self.running).insert(id.to_owned(), task);
    }

    /// A new task of `owner` starts running, unless that would pass the limits on running
    /// tasks (of the server, of the session).
    pub(crate) fn admit(
        &self,
        id: &str,
        scope: Arc<Scope>,
        owner: Option<&str>,
        limits: &Limits,
    ) -> Result<(), Error> {
        let mut running = lock(&self.running);
        let max = limits.max_running_tasks;
        if running.len() >= max {
            return Err(Error::limit_exceeded(format!(
                "Too many tasks running: the server runs at most {max} at once; retry later"
            )));
        }
        if let Some(owner) = owner {
            let max = limits.max_running_tasks_per_session;
            let mine = running
                .values()
                .filter(|r| r.owner.as_deref() == Some(owner))
                .count();
            if mine >= max {
                return Err(Error::limit_exceeded(format!(
                    "Too many tasks running: a session may run {max} at once; \
                     wait for one to finish or cancel one"
                )));
            }
        }
        let owner = owner.map(str::to_owned);
        running.insert(id.to_owned(), RunningTask { scope, owner });
        Ok(())
    }

    pub(crate) fn ended(&self, id: &str, scope: &Arc<Scope>) {
        let mut running = lock(&self.running);
        if running
            .get(id)
            .is_some_and(|r| Arc::ptr_eq(&r.scope, scope))
        {
            running.remove(id);
        }
    }

    pub(crate) fn scope_of(&self, id: &str) -> Option<Arc<Scope>> {
        lock(&self.running).get(id).map(|r| r.scope.clone())
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
