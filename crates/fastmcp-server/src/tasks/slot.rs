//! Where a running 2025-11-25 task's requests to the client go: the stream of the request
//! that created it while that is open, else that of a `tasks/result` waiting for it.

use std::sync::{Arc, Mutex};

use fastmcp_core::{BoxFuture, Error, ErrorKind, Peer, Scope};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{TaskStatus, META_RELATED_TASK};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;

use super::store::{modify, TaskRecord, TaskStore};
use super::wire::core_task;
use crate::lock::lock;

/// Where a running 2025-11-25 task's messages to the client go: the stream installed last
/// (the creating request's, then that of a `tasks/result`).
pub(crate) struct PeerSlot {
    pub(crate) task_id: String,
    pub(crate) current: Mutex<Option<Arc<dyn Peer>>>,
    pub(crate) installed: Notify,
    pub(crate) store: Arc<dyn TaskStore>,
    pub(crate) changed: Arc<Notify>,
    pub(crate) scope: Arc<Scope>,
}

impl PeerSlot {
    /// Send the task's messages to `peer` from now on.
    pub(crate) fn install(&self, peer: Arc<dyn Peer>) {
        *lock(&self.current) = Some(peer);
        self.installed.notify_waiters();
    }

    /// Stop sending to `peer` (if it is still the current stream).
    pub(crate) fn uninstall(&self, peer: &Arc<dyn Peer>) {
        let mut cur = lock(&self.current);
        if cur.as_ref().is_some_and(|c| Arc::ptr_eq(c, peer)) {
            *cur = None;
        }
    }

    fn peer(&self) -> Option<Arc<dyn Peer>> {
        lock(&self.current).clone()
    }

    /// `notifications/tasks/status` with the task as it is, if a stream is open.
    pub(crate) async fn send_status(&self, rec: &TaskRecord) {
        if let Some(p) = self.peer() {
            let _ = p
                .notify("notifications/tasks/status", to_raw(&core_task(rec)))
                .await;
        }
    }

    /// Move the task from `from` to `to` (nothing when it is in another status).
    async fn transition(&self, from: TaskStatus, to: TaskStatus) {
        let r = modify(&*self.store, &self.task_id, |r| {
            if r.status != from {
                return false;
            }
            r.status = to;
            true
        })
        .await;
        self.changed.notify_waiters();
        if let Ok(Some(rec)) = r {
            if rec.status == to {
                self.send_status(&rec).await;
            }
        }
    }
}

impl Peer for PeerSlot {
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let method = method.to_owned();
        Box::pin(async move {
            if let Some(p) = self.peer() {
                let _ = p.notify(&method, params).await;
            }
            Ok(())
        })
    }

    fn request(
        &self,
        method: &str,
        params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let method = method.to_owned();
        Box::pin(async move {
            let mut v: Value =
                serde_json::from_str(params.get()).map_err(|e| Error::internal(e.to_string()))?;
            if let Value::Object(m) = &mut v {
                let meta = m
                    .entry("_meta")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(meta) = meta {
                    meta.insert(
                        META_RELATED_TASK.to_owned(),
                        json!({ "taskId": self.task_id }),
                    );
                }
            }
            let params = to_raw(&v);
            self.transition(TaskStatus::Working, TaskStatus::InputRequired)
                .await;
            let r = loop {
                let installed = self.installed.notified();
                tokio::pin!(installed);
                installed.as_mut().enable();
                if let Some(p) = self.peer() {
                    match p.request(&method, params.clone()).await {
                        // That stream is gone: wait for another one (`tasks/result`).
                        Err(e) if e.kind() == ErrorKind::Transport => self.uninstall(&p),
                        r => break r,
                    }
                    continue;
                }
                tokio::select! {
                    _ = installed => {}
                    reason = self.scope.cancelled() => break Err(reason.to_error()),
                }
            };
            self.transition(TaskStatus::InputRequired, TaskStatus::Working)
                .await;
            r
        })
    }
}
