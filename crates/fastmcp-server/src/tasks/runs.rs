//! A task's runs: its handler runs in the background, in a scope of its own; how a run
//! ends is recorded in the store (or handed to the request still waiting for it); after
//! input arrives the handler is replayed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::runtime::RequestContext;
use fastmcp_core::{
    Budget, CancelReason, Error, InputRounds, NullPeer, Outcome, Peer, Scope, Session,
    ToolArguments, ToolHandler,
};
use fastmcp_protocol::{CallToolResult, ProgressToken, ProtocolVersion, RequestId, TaskStatus};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use super::link::{TaskLink, TaskPeer};
use super::store::{modify, now_ms, TaskRecord, TaskRequest};
use super::wire::new_task_id;
use crate::call::{Call, Caller};
use crate::runtime::Runtime;
use crate::tool_result::tool_outcome;

/// One run of a task's handler.
pub(crate) struct Run {
    pub(crate) tool: Arc<dyn ToolHandler>,
    pub(crate) args: ToolArguments,
    pub(crate) session: Arc<Session>,
    pub(crate) request_id: RequestId,
    pub(crate) progress_token: Option<ProgressToken>,
    /// The input answers known (stateless era: input requests are rounds); `None` in the
    /// handshake era, where they are real requests to the client.
    pub(crate) answers: Option<Map<String, Value>>,
    pub(crate) link: Arc<TaskLink>,
    pub(crate) peer: Arc<dyn Peer>,
    pub(crate) scope: Arc<Scope>,
    pub(crate) caller: Caller,
}

/// How a run ended.
pub(crate) struct RunEnd {
    pub(crate) outcome: Outcome<CallToolResult>,
    pub(crate) pending: BTreeMap<String, Value>,
    pub(crate) answers: Map<String, Value>,
}

/// A new task record for `request`, working.
pub(crate) fn new_record(
    rt: &Runtime,
    request: TaskRequest,
    answers: Map<String, Value>,
) -> TaskRecord {
    let now = now_ms();
    TaskRecord {
        task_id: new_task_id(),
        status: TaskStatus::Working,
        status_message: None,
        created_at_ms: now,
        last_updated_at_ms: now,
        ttl_ms: rt.config.task_ttl.map(|d| d.as_millis() as u64),
        poll_interval_ms: Some(rt.config.task_poll_interval.as_millis().max(1) as u64),
        result: None,
        error: None,
        input_requests: Map::new(),
        answers,
        request,
        owner: None,
        version: 0,
    }
}

/// What a task keeps of the `tools/call` that created it (`fallback` is the version to
/// record when the session negotiated none).
pub(crate) fn task_request(
    call: &Call,
    name: &str,
    args: &ToolArguments,
    fallback: ProtocolVersion,
) -> TaskRequest {
    TaskRequest {
        method: "tools/call".into(),
        name: name.to_owned(),
        arguments: args.raw().and_then(|r| serde_json::from_str(r.get()).ok()),
        protocol_version: call
            .session
            .protocol_version()
            .unwrap_or(fallback)
            .as_str()
            .to_owned(),
        client_info: call.session.client_info(),
        client_capabilities: call.session.client_capabilities(),
        progress_token: call.progress_token.clone(),
    }
}

/// Store task `rec` and mark it running (unless the limits on running tasks are reached):
/// the link its run reports through and the scope it runs in.
pub(crate) async fn begin(
    rt: &Runtime,
    tool: &dyn ToolHandler,
    rec: &TaskRecord,
) -> Result<(Arc<TaskLink>, Arc<Scope>), Error> {
    let id = rec.task_id.clone();
    let scope = run_scope(rt, tool, rec.created_at_ms, rec.ttl_ms);
    let limits = &rt.config.limits;
    rt.tasks
        .admit(&id, scope.clone(), rec.owner.as_deref(), limits)?;
    if let Err(e) = rt.tasks.store.create(rec.clone()).await {
        rt.tasks.ended(&id, &scope);
        return Err(e);
    }
    let link = TaskLink::new(Some(id), rt.tasks.store.clone(), rt.tasks.changed.clone());
    Ok((Arc::new(link), scope))
}

/// The scope of a run: the tool's timeout, and no longer than the task is kept.
pub(crate) fn run_scope(
    rt: &Runtime,
    tool: &dyn ToolHandler,
    created_at_ms: u64,
    ttl_ms: Option<u64>,
) -> Arc<Scope> {
    let mut budget = Budget::unlimited();
    if let Some(t) = tool.timeout() {
        budget = budget.with_timeout(t);
    }
    if let Some(ttl) = ttl_ms {
        let left = (created_at_ms + ttl).saturating_sub(now_ms());
        budget = budget.with_timeout(Duration::from_millis(left));
    }
    Scope::with_token(rt.tasks.root.child_token(), budget)
}

/// Run a task's handler in the background. Its end goes to `done` while the call is not a
/// task yet, to the store once it is.
pub(crate) fn spawn_run(rt: &Arc<Runtime>, run: Run, done: Option<oneshot::Sender<RunEnd>>) {
    let rt = rt.clone();
    let tracker = rt.tasks.tracker.clone();
    tracker.spawn(async move {
        let (link, scope) = (run.link.clone(), run.scope.clone());
        let name = run.tool.tool().name.clone();
        let end = execute(&rt, run).await;
        match link.id.get() {
            Some(id) => {
                rt.tasks.ended(id, &scope);
                settle(&rt, id, &name, end).await;
                rt.tasks.remove_slot(id);
            }
            None => {
                if let Some(tx) = done {
                    let _ = tx.send(end);
                }
            }
        }
    });
}

pub(crate) async fn execute(rt: &Runtime, run: Run) -> RunEnd {
    let grace = rt.config.cancel_grace;
    let mut b = RequestContext::builder(run.scope.clone(), run.session);
    b.request_id(run.request_id)
        .progress_token(run.progress_token)
        .peer(run.peer)
        .server_state(rt.state.clone())
        .grace(grace)
        .task(run.link);
    run.caller.apply(&mut b);
    if let Some(answers) = run.answers {
        b.input_rounds(InputRounds::new(answers));
    }
    if let Some(d) = rt.dispatcher() {
        b.dispatch(d);
    }
    let (ctx, handle) = b.build();
    let outcome = run.scope.run(run.tool.call(ctx, run.args), grace).await;
    handle.finish().await;
    let (pending, answers) = handle
        .input_rounds()
        .map(|r| (r.take_pending(), r.answers().clone()))
        .unwrap_or_default();
    RunEnd {
        outcome,
        pending,
        answers,
    }
}

/// What a task's record says once a run ended this way.
struct Settled {
    status: TaskStatus,
    message: Option<String>,
    result: Option<Map<String, Value>>,
    error: Option<fastmcp_protocol::ErrorObject>,
}

fn settled(rt: &Runtime, tool: &str, outcome: Outcome<CallToolResult>) -> Settled {
    let failed = |e: Error| Settled {
        status: TaskStatus::Failed,
        message: Some(e.message().to_owned()),
        result: None,
        error: Some(e.to_error_object()),
    };
    match outcome {
        Outcome::Cancelled(CancelReason::Timeout) => failed(Error::timeout()),
        Outcome::Cancelled(reason) => Settled {
            status: TaskStatus::Cancelled,
            message: Some(format!("Cancelled: {reason}")),
            result: None,
            error: None,
        },
        other => match tool_outcome(&rt.config, tool, other) {
            Ok(r) => Settled {
                status: TaskStatus::Completed,
                message: None,
                result: serde_json::to_value(r).ok().and_then(|v| match v {
                    Value::Object(m) => Some(m),
                    _ => None,
                }),
                error: None,
            },
            Err(e) => failed(e),
        },
    }
}

/// Record how a run of task `id` ended (unless the task already ended: cancelled).
pub(crate) async fn settle(rt: &Runtime, id: &str, tool: &str, end: RunEnd) {
    settle_until(rt, id, tool, end, None).await;
}

/// [`settle`], trying again while the store cannot be reached, until `give_up` (a worker:
/// the outcome of a run that happened must not be lost to a store restarting).
pub(crate) async fn settle_until(
    rt: &Runtime,
    id: &str,
    tool: &str,
    end: RunEnd,
    give_up: Option<&tokio_util::sync::CancellationToken>,
) {
    let RunEnd {
        outcome,
        pending,
        answers,
    } = end;
    let s = if pending.is_empty() {
        settled(rt, tool, outcome)
    } else {
        Settled {
            status: TaskStatus::InputRequired,
            message: None,
            result: None,
            error: None,
        }
    };
    let pending: Map<String, Value> = pending.into_iter().collect();
    let mut pause = Duration::from_millis(50);
    let r = loop {
        let r = modify(&*rt.tasks.store, id, |r| {
            if r.status.is_terminal() {
                return false;
            }
            r.status = s.status;
            r.status_message = s.message.clone();
            r.result = s.result.clone();
            r.error = s.error.clone();
            r.input_requests = pending.clone();
            r.answers = answers.clone();
            true
        })
        .await;
        match (r, give_up) {
            (Err(e), Some(stop)) if !stop.is_cancelled() => {
                tracing::debug!("task {id}: cannot record its end yet: {e}");
                tokio::select! {
                    _ = stop.cancelled() => {}
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            (r, _) => break r,
        }
    };
    rt.tasks.changed.notify_waiters();
    match r {
        Err(e) => tracing::warn!("task {id}: could not record its end: {e}"),
        Ok(Some(rec)) => {
            if let Some(slot) = rt.tasks.slot(id) {
                slot.send_status(&rec).await;
            }
        }
        Ok(None) => {}
    }
}

/// A run of stored task `rec`'s handler, sending to `peer`: the handler is replayed with
/// every answer known (stateless era), or asks the client through `peer` (handshake era:
/// a task with an owner). An unknown tool is how the run ends.
pub(crate) async fn replay(
    rt: &Runtime,
    rec: &TaskRecord,
    peer: Arc<dyn Peer>,
) -> Result<Run, RunEnd> {
    let tool = match rt.catalog.find_tool(&rec.request.name).await {
        Ok(Some(t)) => t.handler().clone(),
        found => {
            let e = match found {
                Err(e) => e,
                _ => Error::invalid_params(format!("Unknown tool: {}", rec.request.name)),
            };
            // An unknown tool is a protocol error: the task fails.
            return Err(RunEnd {
                outcome: Outcome::Err(e),
                pending: BTreeMap::new(),
                answers: rec.answers.clone(),
            });
        }
    };
    let version = rec
        .request
        .protocol_version
        .parse()
        .unwrap_or(ProtocolVersion::LATEST);
    let session = Session::stateless(
        version,
        rec.request.client_info.clone(),
        rec.request.client_capabilities.clone(),
        None,
    );
    let mut args = match &rec.request.arguments {
        Some(v) => ToolArguments::from_value(v.clone()),
        None => ToolArguments::new(None),
    };
    if rt.config.lenient_arguments {
        args = args.lenient_for(tool.clone());
    }
    let scope = run_scope(rt, &*tool, rec.created_at_ms, rec.ttl_ms);
    let id = rec.task_id.clone();
    let link = TaskLink::new(
        Some(id.clone()),
        rt.tasks.store.clone(),
        rt.tasks.changed.clone(),
    );
    let handshake = rec.owner.is_some();
    Ok(Run {
        tool,
        args,
        session,
        request_id: RequestId::String(id.as_str().into()),
        progress_token: rec.request.progress_token.clone(),
        answers: (!handshake).then(|| rec.answers.clone()),
        link: Arc::new(link),
        peer,
        scope,
        caller: Caller::default(),
    })
}

/// Replay a task's handler with every answer known (after `tasks/update`); with a task
/// queue, a worker does.
pub(crate) async fn resume(rt: &Arc<Runtime>, rec: TaskRecord) {
    let id = rec.task_id.clone();
    if let Some(queue) = &rt.tasks.queue {
        if let Err(e) = queue.push(&id).await {
            let end = RunEnd {
                outcome: Outcome::Err(e),
                pending: BTreeMap::new(),
                answers: rec.answers,
            };
            settle(rt, &id, &rec.request.name, end).await;
        }
        return;
    }
    let peer = Arc::new(TaskPeer::new(Arc::new(NullPeer), true));
    match replay(rt, &rec, peer).await {
        Ok(run) => {
            rt.tasks.started(&id, run.scope.clone());
            spawn_run(rt, run, None);
        }
        Err(end) => settle(rt, &id, "", end).await,
    }
}
