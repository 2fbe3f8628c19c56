//! The tasks of 2025-11-25 (handshake era), on the same runs and store as the extension.
//!
//! The client asks for a task with a `task` member on `tools/call` (for a tool whose
//! `execution.taskSupport` allows it; the server declares `capabilities.tasks`), gets a
//! `CreateTaskResult` (`{task}`), polls `tasks/get`, fetches the outcome with
//! `tasks/result` (which waits for the end), lists its session's tasks with `tasks/list`
//! and cancels with `tasks/cancel`. Tasks are owned by the session that created them.
//!
//! A running task's requests to the client (elicitation, sampling, roots) carry
//! `_meta["io.modelcontextprotocol/related-task"]`; the task is `input_required` while one
//! waits for its answer. They go to the stream of the creating request while it is open
//! (stdio, WebSocket: the connection), else to the stream of a `tasks/result` request
//! for the task, as soon as one arrives. Status changes are sent as
//! `notifications/tasks/status` on the same stream when there is one.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error, ErrorKind, Peer, Scope, ToolArguments, ToolHandler};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    CreateTaskResult, GetTaskResult, ListTasksResult, PaginatedRequestParams, ProtocolVersion,
    Task, TaskStatus, META_RELATED_TASK,
};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;

use super::store::modify;
use super::{
    iso8601, unknown_task, Run, TaskIdParams, TaskLink, TaskRecord, TaskRequest, TaskStore,
};
use crate::router::{parse, raw, Call, Router};

/// A task as 2025-11-25 writes it (`ttl`, `pollInterval`).
pub(crate) fn core_task(r: &TaskRecord) -> Task {
    Task {
        task_id: r.task_id.clone(),
        status: r.status,
        status_message: r.status_message.clone(),
        created_at: iso8601(r.created_at_ms),
        last_updated_at: iso8601(r.last_updated_at_ms),
        ttl: r.ttl_ms,
        poll_interval: r.poll_interval_ms,
    }
}

/// Where a running 2025-11-25 task's messages to the client go: the stream installed last
/// (the creating request's, then that of a `tasks/result`).
pub(crate) struct PeerSlot {
    task_id: String,
    current: Mutex<Option<Arc<dyn Peer>>>,
    installed: Notify,
    store: Arc<dyn TaskStore>,
    changed: Arc<Notify>,
    scope: Arc<Scope>,
}

impl PeerSlot {
    /// Send the task's messages to `peer` from now on.
    pub(crate) fn install(&self, peer: Arc<dyn Peer>) {
        *self.current.lock().expect("lock") = Some(peer);
        self.installed.notify_waiters();
    }

    /// Stop sending to `peer` (if it is still the current stream).
    pub(crate) fn uninstall(&self, peer: &Arc<dyn Peer>) {
        let mut cur = self.current.lock().expect("lock");
        if cur.as_ref().is_some_and(|c| Arc::ptr_eq(c, peer)) {
            *cur = None;
        }
    }

    fn peer(&self) -> Option<Arc<dyn Peer>> {
        self.current.lock().expect("lock").clone()
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

/// Params of `tasks/list`.
type ListParams = PaginatedRequestParams;

impl Router {
    /// Whether this handshake-era request may use the tasks of 2025-11-25.
    pub(crate) fn core_tasks(&self, call: &Call) -> bool {
        !call.stateless()
            && call
                .session
                .protocol_version()
                .is_some_and(|v| v >= ProtocolVersion::V2025_11_25)
            && self.has_task_tools()
    }

    /// `tools/call` with a `task` member: the task is created, its handler runs in the
    /// background, the client gets `{task}`.
    pub(crate) async fn call_tool_as_core_task(
        &self,
        call: &Call,
        tool: Arc<dyn ToolHandler>,
        args: ToolArguments,
        name: String,
        requested_ttl: Option<u64>,
    ) -> Result<Box<RawValue>, Error> {
        let me = self.me().ok_or_else(|| Error::internal("server is gone"))?;
        let request = TaskRequest {
            method: "tools/call".into(),
            name,
            arguments: args.raw().and_then(|r| serde_json::from_str(r.get()).ok()),
            protocol_version: call
                .session
                .protocol_version()
                .unwrap_or(ProtocolVersion::LATEST_HANDSHAKE)
                .as_str()
                .to_owned(),
            client_info: call.session.client_info(),
            client_capabilities: call.session.client_capabilities(),
        };
        let mut rec = self.new_record(request, Map::new());
        rec.owner = Some(call.session.key().to_owned());
        if let Some(req) = requested_ttl.filter(|t| *t > 0) {
            rec.ttl_ms = Some(rec.ttl_ms.map_or(req, |max| req.min(max)));
        }
        self.tasks.store.create(rec.clone()).await?;
        let id = rec.task_id.clone();
        let scope = self.run_scope(&*tool, rec.created_at_ms, rec.ttl_ms);
        let slot = Arc::new(PeerSlot {
            task_id: id.clone(),
            current: Mutex::new(Some(call.peer.clone())),
            installed: Notify::new(),
            store: self.tasks.store.clone(),
            changed: self.tasks.changed.clone(),
            scope: scope.clone(),
        });
        self.tasks
            .slots
            .lock()
            .expect("lock")
            .insert(id.clone(), slot.clone());
        self.tasks.started(&id, scope.clone());
        let link = Arc::new(TaskLink {
            id: OnceLock::from(id),
            detach: Mutex::new(None),
            store: self.tasks.store.clone(),
            changed: self.tasks.changed.clone(),
        });
        me.spawn_run(
            Run {
                tool,
                args,
                session: call.session.clone(),
                request_id: call.id.clone(),
                progress_token: call.progress_token.clone(),
                answers: None,
                link,
                peer: slot,
                scope,
            },
            None,
        );
        raw(&CreateTaskResult {
            task: core_task(&rec),
            meta: None,
        })
    }

    /// The record of a task of this session.
    async fn owned_task(&self, call: &Call, id: &str) -> Result<TaskRecord, Error> {
        self.tasks
            .store
            .get(id)
            .await?
            .filter(|r| r.owner.as_deref() == Some(call.session.key()))
            .ok_or_else(|| unknown_task(id))
    }

    /// `tasks/get` (2025-11-25).
    pub(crate) async fn core_tasks_get(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: TaskIdParams = parse(params)?;
        let rec = self.owned_task(call, &p.task_id).await?;
        raw(&GetTaskResult {
            task: core_task(&rec),
            meta: None,
        })
    }

    /// `tasks/result` (2025-11-25): waits for the task's end, then answers what the
    /// original request would have (its result, or its JSON-RPC error). While it waits,
    /// the task's requests to the client go on this request's stream.
    pub(crate) async fn core_tasks_result(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: TaskIdParams = parse(params)?;
        let mut installed = None;
        let rec = loop {
            let changed = self.tasks.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let rec = self.owned_task(call, &p.task_id).await?;
            if rec.status.is_terminal() {
                break rec;
            }
            if installed.is_none() {
                if let Some(slot) = self.tasks.slot(&p.task_id) {
                    slot.install(call.peer.clone());
                    installed = Some(slot);
                }
            }
            tokio::select! {
                _ = changed => {}
                // Another replica may change a shared store: look again now and then.
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                reason = call.scope.cancelled() => {
                    if let Some(slot) = &installed {
                        slot.uninstall(&call.peer);
                    }
                    return Err(reason.to_error());
                }
            }
        };
        if let Some(slot) = &installed {
            slot.uninstall(&call.peer);
        }
        let mut meta = Map::new();
        meta.insert(
            META_RELATED_TASK.to_owned(),
            json!({ "taskId": rec.task_id }),
        );
        match rec.status {
            TaskStatus::Completed => {
                let mut result = rec.result.unwrap_or_default();
                match result.get_mut("_meta") {
                    Some(Value::Object(m)) => m.extend(meta),
                    _ => {
                        result.insert("_meta".into(), Value::Object(meta));
                    }
                }
                raw(&result)
            }
            TaskStatus::Failed => {
                Err(Error::from_error_object(rec.error.unwrap_or_else(|| {
                    fastmcp_protocol::ErrorObject::new(-32603, "The task failed")
                })))
            }
            _ => Err(Error::new(
                ErrorKind::Cancelled,
                rec.status_message
                    .unwrap_or_else(|| "The task was cancelled".into()),
            )),
        }
    }

    /// `tasks/list` (2025-11-25): the tasks of this session, paginated.
    pub(crate) async fn core_tasks_list(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: ListParams = parse(params)?;
        let limit = self.config.page_size.unwrap_or(100);
        let (page, next) = self
            .tasks
            .store
            .list(call.session.key(), p.cursor.as_deref(), limit)
            .await?;
        raw(&ListTasksResult {
            tasks: page.iter().map(core_task).collect(),
            next_cursor: next,
            meta: None,
        })
    }

    /// `tasks/cancel` (2025-11-25): the task is `cancelled` before the answer (which is
    /// the task); a task that already ended is refused (-32602).
    pub(crate) async fn core_tasks_cancel(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let p: TaskIdParams = parse(params)?;
        let current = self.owned_task(call, &p.task_id).await?;
        let mut ended = None;
        let rec = modify(&*self.tasks.store, &current.task_id, |r| {
            if r.status.is_terminal() {
                ended = Some(r.status);
                return false;
            }
            ended = None;
            r.status = TaskStatus::Cancelled;
            r.status_message = Some("The task was cancelled by request.".into());
            true
        })
        .await?
        .ok_or_else(|| unknown_task(&p.task_id))?;
        if let Some(status) = ended {
            return Err(Error::invalid_params(format!(
                "Task {} is already {}: it cannot be cancelled",
                p.task_id,
                serde_json::to_value(status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()
            )));
        }
        self.tasks.changed.notify_waiters();
        if let Some(slot) = self.tasks.slot(&p.task_id) {
            slot.send_status(&rec).await;
        }
        if let Some(scope) = self.tasks.scope_of(&p.task_id) {
            scope.cancel(fastmcp_core::CancelReason::Requested(Some(
                "tasks/cancel".into(),
            )));
        }
        raw(&GetTaskResult {
            task: core_task(&rec),
            meta: None,
        })
    }
}
