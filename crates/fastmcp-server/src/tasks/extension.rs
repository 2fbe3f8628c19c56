//! The tasks extension of 2026-07-28: `tools/call` answered with a task, `tasks/get`,
//! `tasks/update` and `tasks/cancel`.

use std::sync::Arc;

use fastmcp_core::{CancelReason, Error, NullPeer, TaskStart, ToolArguments, ToolHandler};
use fastmcp_protocol::{
    CreateExtensionTaskResult, EmptyResult, GetExtensionTaskResult, InputResponse, ProtocolVersion,
    ResultType, TaskStatus,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::access::{declares_tasks, missing_tasks_extension, unknown_task, TaskIdParams};
use super::link::{TaskLink, TaskPeer};
use super::queued::enqueue;
use super::runs::{begin, new_record, resume, run_scope, spawn_run, task_request, Run, RunEnd};
use super::store::{modify, now_ms, TaskRecord};
use super::wire::{detailed_task, ext_task};
use crate::call::{parse, raw, Call};
use crate::invoke::input_required;
use crate::runtime::Runtime;
use crate::tool_result::{tool_outcome, tool_result};

/// Params of `tasks/update`, read loosely: answers under keys that are not pending are
/// ignored whatever they hold.
#[derive(Deserialize)]
struct UpdateParams {
    #[serde(rename = "taskId")]
    task_id: String,
    #[serde(rename = "inputResponses", default)]
    input_responses: Option<Map<String, Value>>,
}

fn ack() -> Result<Box<RawValue>, Error> {
    raw(&EmptyResult {
        result_type: Some(ResultType::Complete),
        ..Default::default()
    })
}

/// `tools/call` of a task-supporting tool from a client that declared the tasks
/// extension: a task now ([`TaskStart::Immediate`]), or a synchronous call that becomes
/// one when the handler detaches ([`TaskStart::OnDetach`]).
pub(crate) async fn call_as_task(
    rt: &Arc<Runtime>,
    call: &Call,
    tool: Arc<dyn ToolHandler>,
    args: ToolArguments,
    name: String,
    answers: Map<String, Value>,
) -> Result<Box<RawValue>, Error> {
    let request = task_request(call, &name, &args, ProtocolVersion::LATEST);
    let (store, changed) = (rt.tasks.store.clone(), rt.tasks.changed.clone());
    if tool.task_start() == TaskStart::Immediate {
        let rec = new_record(rt, request, answers.clone());
        if let Some(queue) = &rt.tasks.queue {
            enqueue(rt, queue, &rec, None).await?;
            return raw(&CreateExtensionTaskResult::new(ext_task(&rec)));
        }
        let (link, scope) = begin(rt, &*tool, &rec).await?;
        let run = Run {
            tool,
            args,
            session: call.session.clone(),
            request_id: call.id.clone(),
            progress_token: None,
            answers: Some(answers),
            link,
            peer: Arc::new(TaskPeer::new(Arc::new(NullPeer), true)),
            scope,
            caller: call.caller.clone(),
        };
        spawn_run(rt, run, None);
        return raw(&CreateExtensionTaskResult::new(ext_task(&rec)));
    }
    // OnDetach: run now, answer like a synchronous call unless the handler detaches.
    let link = Arc::new(TaskLink::new(None, store, changed));
    let (detach_tx, detach_rx) = oneshot::channel();
    *crate::lock::lock(&link.detach) = Some(detach_tx);
    let (done_tx, mut done_rx) = oneshot::channel();
    let peer = Arc::new(TaskPeer::new(call.peer.clone(), false));
    let ttl_ms = rt.config.task_ttl.map(|d| d.as_millis() as u64);
    let scope = run_scope(rt, &*tool, now_ms(), ttl_ms);
    let run = Run {
        tool,
        args,
        session: call.session.clone(),
        request_id: call.id.clone(),
        progress_token: call.progress_token.clone(),
        answers: Some(answers.clone()),
        link: link.clone(),
        peer: peer.clone(),
        scope: scope.clone(),
        caller: call.caller.clone(),
    };
    spawn_run(rt, run, Some(done_tx));
    let end = tokio::select! {
        biased;
        end = &mut done_rx => end,
        ack = detach_rx => match ack {
            Ok(ack) => {
                let rec = new_record(rt, request, answers);
                let limits = &rt.config.limits;
                let admitted = rt.tasks.admit(&rec.task_id, scope.clone(), None, limits);
                if let Err(e) = admitted {
                    let _ = ack.send(Err(Error::limit_exceeded(e.message().to_owned())));
                    scope.cancel(CancelReason::ParentEnded);
                    return Err(e);
                }
                if let Err(e) = rt.tasks.store.create(rec.clone()).await {
                    rt.tasks.ended(&rec.task_id, &scope);
                    let _ = ack.send(Err(Error::internal(e.message().to_owned())));
                    scope.cancel(CancelReason::ParentEnded);
                    return Err(e);
                }
                let _ = link.id.set(rec.task_id.clone());
                peer.detach();
                let _ = ack.send(Ok(()));
                return raw(&CreateExtensionTaskResult::new(ext_task(&rec)));
            }
            // The run ended without detaching.
            Err(_) => done_rx.await,
        },
        reason = call.scope.cancelled() => {
            scope.cancel(reason.clone());
            return Err(reason.to_error());
        }
    };
    finished(rt, call, &name, end)
}

/// The answer of a call that ended without becoming a task.
fn finished(
    rt: &Runtime,
    call: &Call,
    name: &str,
    end: Result<RunEnd, oneshot::error::RecvError>,
) -> Result<Box<RawValue>, Error> {
    let end = end.map_err(|_| Error::internal("the tool's run ended without an outcome"))?;
    if !end.pending.is_empty() {
        let binding = format!("tools/call:{name}");
        return raw(&input_required(rt, &end.answers, binding, end.pending)?);
    }
    let result = tool_outcome(&rt.config, name, end.outcome)?;
    Ok(tool_result(call, result).to_raw())
}

fn require_tasks(call: &Call) -> Result<(), Error> {
    if declares_tasks(&call.session) {
        Ok(())
    } else {
        Err(missing_tasks_extension())
    }
}

/// The record of a task of the extension (tasks of 2025-11-25 belong to their session and
/// are not seen here).
async fn extension_task(rt: &Runtime, id: &str) -> Result<TaskRecord, Error> {
    rt.tasks
        .store
        .get(id)
        .await?
        .filter(|r| r.owner.is_none())
        .ok_or_else(|| unknown_task(id))
}

/// `tasks/get`: the task with its result, error or pending input requests.
pub(crate) async fn get(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    require_tasks(call)?;
    let p: TaskIdParams = parse(params)?;
    let rec = extension_task(rt, &p.task_id).await?;
    raw(&GetExtensionTaskResult {
        result_type: ResultType::Complete,
        task: detailed_task(&rec),
        meta: None,
    })
}

/// `tasks/update`: answers to pending input requests; the handler is replayed once every
/// pending request is answered.
pub(crate) async fn update(
    rt: &Arc<Runtime>,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    require_tasks(call)?;
    let p: UpdateParams = parse(params)?;
    let given = p.input_responses.unwrap_or_default();
    let current = extension_task(rt, &p.task_id).await?;
    let mut answers = Map::new();
    for (k, v) in given {
        if !current.input_requests.contains_key(&k) {
            continue; // not outstanding: ignored
        }
        let parsed: InputResponse = serde_json::from_value(v)
            .map_err(|e| Error::invalid_params(format!("Invalid input response `{k}`: {e}")))?;
        let v = serde_json::to_value(parsed).map_err(|e| Error::internal(e.to_string()))?;
        answers.insert(k, v);
    }
    if answers.is_empty() {
        return ack();
    }
    let mut resumed = false;
    let rec = modify(&*rt.tasks.store, &p.task_id, |r| {
        resumed = false;
        if r.status != TaskStatus::InputRequired {
            return false;
        }
        let mut changed = false;
        for (k, v) in &answers {
            if r.input_requests.remove(k).is_some() {
                r.answers.insert(k.clone(), v.clone());
                changed = true;
            }
        }
        if r.input_requests.is_empty() {
            r.status = TaskStatus::Working;
            r.status_message = None;
            resumed = true;
        }
        changed
    })
    .await?;
    rt.tasks.changed.notify_waiters();
    if let (true, Some(rec)) = (resumed, rec) {
        resume(rt, rec).await;
    }
    ack()
}

/// `tasks/cancel`: the task ends `cancelled` (unless it already ended) and its run is
/// cancelled. Acknowledged with an empty result, also for a task that already ended.
pub(crate) async fn cancel(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    require_tasks(call)?;
    let p: TaskIdParams = parse(params)?;
    extension_task(rt, &p.task_id).await?;
    modify(&*rt.tasks.store, &p.task_id, |r| {
        if r.status.is_terminal() {
            return false;
        }
        r.status = TaskStatus::Cancelled;
        r.status_message = Some("Cancelled by the client".into());
        r.input_requests.clear();
        true
    })
    .await?
    .ok_or_else(|| unknown_task(&p.task_id))?;
    rt.tasks.changed.notify_waiters();
    if let Some(queue) = &rt.tasks.queue {
        let m = super::queued::status_changed(TaskStatus::Cancelled);
        let _ = queue.publish(&p.task_id, m).await;
    }
    if let Err(e) = rt.tasks.store.announce_cancel(&p.task_id).await {
        tracing::warn!("cannot announce the cancellation of a task to other replicas: {e}");
    }
    if let Some(scope) = rt.tasks.scope_of(&p.task_id) {
        scope.cancel(CancelReason::Requested(Some("tasks/cancel".into())));
    }
    ack()
}
