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

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp_core::{Error, ErrorKind, TaskStart, ToolArguments, ToolHandler};
use fastmcp_protocol::{
    CreateTaskResult, GetTaskResult, ListTasksResult, PaginatedRequestParams, ProtocolVersion,
    TaskStatus, META_RELATED_TASK,
};
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::Notify;

use super::access::{unknown_task, TaskIdParams};
use super::queued::{enqueue, follow_remote, next, pass_to};
use super::runs::{begin, new_record, spawn_run, task_request, Run};
use super::slot::PeerSlot;
use super::store::{modify, TaskRecord};
use super::wire::core_task;
use crate::call::{parse, raw, Call};
use crate::runtime::Runtime;

/// Params of `tasks/list`.
type ListParams = PaginatedRequestParams;

/// `tools/call` with a `task` member: the task is created, its handler runs in the
/// background, the client gets `{task}`.
pub(crate) async fn call_as_core_task(
    rt: &Arc<Runtime>,
    call: &Call,
    tool: Arc<dyn ToolHandler>,
    args: ToolArguments,
    name: String,
    requested_ttl: Option<u64>,
) -> Result<Box<RawValue>, Error> {
    let request = task_request(call, &name, &args, ProtocolVersion::LATEST_HANDSHAKE);
    let mut rec = new_record(rt, request, Map::new());
    rec.owner = Some(call.session.key().to_owned());
    if let Some(req) = requested_ttl.filter(|t| *t > 0) {
        rec.ttl_ms = Some(rec.ttl_ms.map_or(req, |max| req.min(max)));
    }
    if let Some(queue) = &rt.tasks.queue {
        if tool.task_start() == TaskStart::Immediate {
            let slot = Arc::new(PeerSlot {
                task_id: rec.task_id.clone(),
                current: Mutex::new(Some(call.peer.clone())),
                installed: Notify::new(),
                store: rt.tasks.store.clone(),
                changed: rt.tasks.changed.clone(),
                scope: fastmcp_core::Scope::with_token(
                    rt.tasks.root.child_token(),
                    fastmcp_core::Budget::unlimited(),
                ),
            });
            enqueue(rt, queue, &rec, Some(slot)).await?;
            return raw(&CreateTaskResult {
                task: core_task(&rec),
                meta: None,
            });
        }
    }
    let (link, scope) = begin(rt, &*tool, &rec).await?;
    let id = rec.task_id.clone();
    let slot = Arc::new(PeerSlot {
        task_id: id.clone(),
        current: Mutex::new(Some(call.peer.clone())),
        installed: Notify::new(),
        store: rt.tasks.store.clone(),
        changed: rt.tasks.changed.clone(),
        scope: scope.clone(),
    });
    rt.tasks.add_slot(&id, slot.clone());
    let run = Run {
        tool,
        args,
        session: call.session.clone(),
        request_id: call.id.clone(),
        progress_token: call.progress_token.clone(),
        answers: None,
        link,
        peer: slot,
        scope,
        caller: call.caller.clone(),
    };
    spawn_run(rt, run, None);
    raw(&CreateTaskResult {
        task: core_task(&rec),
        meta: None,
    })
}

/// The record of a task of this session.
async fn owned_task(rt: &Runtime, call: &Call, id: &str) -> Result<TaskRecord, Error> {
    rt.tasks
        .store
        .get(id)
        .await?
        .filter(|r| r.owner.as_deref() == Some(call.session.key()))
        .ok_or_else(|| unknown_task(id))
}

/// `tasks/get` (2025-11-25).
pub(crate) async fn get(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: TaskIdParams = parse(params)?;
    let rec = owned_task(rt, call, &p.task_id).await?;
    raw(&GetTaskResult {
        task: core_task(&rec),
        meta: None,
    })
}

/// `tasks/result` (2025-11-25): waits for the task's end, then answers what the
/// original request would have (its result, or its JSON-RPC error). While it waits,
/// the task's requests to the client go on this request's stream.
pub(crate) async fn result(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: TaskIdParams = parse(params)?;
    let mut installed = None;
    // A task run by a worker, not followed on this replica: follow its channel here.
    let mut channel = follow_remote(rt, &p.task_id).await;
    let rec = loop {
        let changed = rt.tasks.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let rec = owned_task(rt, call, &p.task_id).await?;
        if rec.status.is_terminal() {
            break rec;
        }
        if installed.is_none() {
            if let Some(slot) = rt.tasks.slot(&p.task_id) {
                slot.install(call.peer.clone());
                installed = Some(slot);
            }
        }
        tokio::select! {
            _ = changed => {}
            m = next(&mut channel) => match m {
                Some(m) => pass_to(&call.peer, &m).await,
                None => channel = None,
            },
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
pub(crate) async fn list(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: ListParams = parse(params)?;
    let limit = rt.config.page_size.unwrap_or(100);
    let (page, next) = rt
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
pub(crate) async fn cancel(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let p: TaskIdParams = parse(params)?;
    let current = owned_task(rt, call, &p.task_id).await?;
    let mut ended = None;
    let rec = modify(&*rt.tasks.store, &current.task_id, |r| {
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
    rt.tasks.changed.notify_waiters();
    if let Some(slot) = rt.tasks.slot(&p.task_id) {
        slot.send_status(&rec).await;
    }
    if let Some(queue) = &rt.tasks.queue {
        let m = super::queued::status_changed(TaskStatus::Cancelled);
        let _ = queue.publish(&p.task_id, m).await;
    }
    if let Err(e) = rt.tasks.store.announce_cancel(&p.task_id).await {
        tracing::warn!("cannot announce the cancellation of a task to other replicas: {e}");
    }
    if let Some(scope) = rt.tasks.scope_of(&p.task_id) {
        scope.cancel(fastmcp_core::CancelReason::Requested(Some(
            "tasks/cancel".into(),
        )));
    }
    raw(&GetTaskResult {
        task: core_task(&rec),
        meta: None,
    })
}
