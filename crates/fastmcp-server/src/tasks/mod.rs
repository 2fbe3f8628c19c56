//! Tasks: tool calls that run in the background while the client polls.
//!
//! The tasks extension of 2026-07-28 (`io.modelcontextprotocol/tasks`, SEP-2663): a client
//! that declares the extension in a request's `clientCapabilities` may get a
//! `CreateTaskResult` (`resultType: "task"`) for a `tools/call` of a tool that supports
//! tasks; it then polls `tasks/get` (the result, the JSON-RPC error or the pending input
//! requests are inlined), answers input requests with `tasks/update` and may
//! `tasks/cancel`.
//!
//! A task runs its handler detached from the request that created it: in the server's
//! task tracker, in a cancellation scope of its own (cancelled by `tasks/cancel`, drained
//! and then cancelled at shutdown). Its state lives in a [`TaskStore`]. Input works as in
//! multi-round-trip requests: the handler asks (`ctx.elicit`, `ctx.sample`,
//! `ctx.list_roots`), the run ends with the unanswered requests, the task becomes
//! `input_required`; once `tasks/update` has answered every one of them the handler is
//! replayed with all the answers known so far.

mod core;
mod store;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use fastmcp_core::runtime::RequestContext;
use fastmcp_core::{
    BoxFuture, Budget, CancelReason, Error, ErrorKind, InputRounds, NullPeer, Outcome, Peer, Scope,
    Session, TaskControl, TaskStart, ToolArguments, ToolHandler,
};
use fastmcp_protocol::{
    CallToolResult, CreateExtensionTaskResult, DetailedTask, EmptyResult, ExtensionTask,
    GetExtensionTaskResult, InputResponse, InputResponses, ProgressToken, ProtocolVersion,
    RequestId, ResultType, TaskStatus, TASKS_EXTENSION,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};
use tokio::sync::{oneshot, Notify};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use store::{MemoryTaskStore, TaskPage, TaskRecord, TaskRequest, TaskStore};

use crate::router::{parse, raw, Call, Router};
use store::{modify, now_ms};

/// The running side of the server's tasks: the store, the runs in flight and their
/// scopes.
pub(crate) struct Tasks {
    pub(crate) store: Arc<dyn TaskStore>,
    tracker: TaskTracker,
    root: CancellationToken,
    running: Mutex<HashMap<String, Arc<Scope>>>,
    /// Woken on every change this process makes to a task (for `tasks/result`).
    changed: Arc<Notify>,
    /// The streams of running 2025-11-25 tasks (where their requests to the client go).
    slots: Mutex<HashMap<String, Arc<core::PeerSlot>>>,
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
            let scopes: Vec<_> = self
                .running
                .lock()
                .expect("lock")
                .values()
                .cloned()
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
        self.running.lock().expect("lock").len()
    }

    fn started(&self, id: &str, scope: Arc<Scope>) {
        self.running
            .lock()
            .expect("lock")
            .insert(id.to_owned(), scope);
    }

    fn ended(&self, id: &str, scope: &Arc<Scope>) {
        let mut running = self.running.lock().expect("lock");
        if running.get(id).is_some_and(|s| Arc::ptr_eq(s, scope)) {
            running.remove(id);
        }
    }

    fn scope_of(&self, id: &str) -> Option<Arc<Scope>> {
        self.running.lock().expect("lock").get(id).cloned()
    }

    fn slot(&self, id: &str) -> Option<Arc<core::PeerSlot>> {
        self.slots.lock().expect("lock").get(id).cloned()
    }
}

/// ISO 8601 (UTC, milliseconds) of a time in milliseconds since the Unix epoch.
pub(crate) fn iso8601(ms: u64) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Days since 1970-01-01 to a proleptic Gregorian date, in 400-year eras.
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}.{:03}Z",
        ms % 1000
    )
}

/// A new unguessable task id (a random UUID).
fn new_task_id() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The error for a request that needs the tasks extension from a client that did not
/// declare it (-32021).
pub(crate) fn missing_tasks_extension() -> Error {
    Error::new(
        ErrorKind::MissingClientCapability,
        format!("Missing required client capability: the {TASKS_EXTENSION} extension"),
    )
    .with_data(json!({ "requiredCapabilities": { "extensions": { TASKS_EXTENSION: {} } } }))
}

fn unknown_task(id: &str) -> Error {
    Error::invalid_params(format!("Failed to retrieve task: Task not found: {id}"))
}

/// Whether the client declared the tasks extension on this request.
pub(crate) fn declares_tasks(session: &Session) -> bool {
    session
        .client_capabilities()
        .extensions
        .as_ref()
        .is_some_and(|e| e.contains_key(TASKS_EXTENSION))
}

/// Where the request answers a detach: `Ok` once the task exists.
type DetachAck = oneshot::Sender<Result<(), Error>>;

/// The task side of one run's context.
struct TaskLink {
    id: OnceLock<String>,
    /// Asks the request waiting for the run to make it a task (`TaskStart::OnDetach`).
    detach: Mutex<Option<oneshot::Sender<DetachAck>>>,
    store: Arc<dyn TaskStore>,
    changed: Arc<Notify>,
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
            let Some(tx) = self.detach.lock().expect("lock").take() else {
                return Ok(());
            };
            let (ack_tx, ack_rx) = oneshot::channel();
            let gone = || Error::cancelled();
            tx.send(ack_tx).map_err(|_| gone())?;
            ack_rx.await.map_err(|_| gone())?
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
struct TaskPeer {
    inner: Arc<dyn Peer>,
    detached: AtomicBool,
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

/// One run of a task's handler.
struct Run {
    tool: Arc<dyn ToolHandler>,
    args: ToolArguments,
    session: Arc<Session>,
    request_id: RequestId,
    progress_token: Option<ProgressToken>,
    /// The input answers known (stateless era: input requests are rounds); `None` in the
    /// handshake era, where they are real requests to the client.
    answers: Option<Map<String, Value>>,
    link: Arc<TaskLink>,
    peer: Arc<dyn Peer>,
    scope: Arc<Scope>,
}

/// How a run ended.
struct RunEnd {
    outcome: Outcome<CallToolResult>,
    pending: BTreeMap<String, Value>,
    answers: Map<String, Value>,
}

/// Params of `tasks/get` and `tasks/cancel`.
#[derive(Deserialize)]
struct TaskIdParams {
    #[serde(rename = "taskId")]
    task_id: String,
}

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

impl Router {
    /// The task as the tasks extension writes it.
    fn ext_task(&self, r: &TaskRecord) -> ExtensionTask {
        ExtensionTask {
            task_id: r.task_id.clone(),
            status: r.status,
            status_message: r.status_message.clone(),
            created_at: iso8601(r.created_at_ms),
            last_updated_at: iso8601(r.last_updated_at_ms),
            ttl_ms: r.ttl_ms,
            poll_interval_ms: r.poll_interval_ms,
        }
    }

    fn detailed_task(&self, r: &TaskRecord) -> DetailedTask {
        let input_requests = (r.status == TaskStatus::InputRequired)
            .then(|| serde_json::from_value(Value::Object(r.input_requests.clone())).ok())
            .flatten();
        DetailedTask {
            task: self.ext_task(r),
            result: r
                .result
                .clone()
                .filter(|_| r.status == TaskStatus::Completed),
            error: r.error.clone().filter(|_| r.status == TaskStatus::Failed),
            input_requests,
        }
    }

    fn new_record(&self, request: TaskRequest, answers: Map<String, Value>) -> TaskRecord {
        let now = now_ms();
        TaskRecord {
            task_id: new_task_id(),
            status: TaskStatus::Working,
            status_message: None,
            created_at_ms: now,
            last_updated_at_ms: now,
            ttl_ms: self.config.task_ttl.map(|d| d.as_millis() as u64),
            poll_interval_ms: Some(self.config.task_poll_interval.as_millis().max(1) as u64),
            result: None,
            error: None,
            input_requests: Map::new(),
            answers,
            request,
            owner: None,
            version: 0,
        }
    }

    /// The budget of a run: the tool's timeout, and no longer than the task is kept.
    fn run_scope(
        &self,
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
        Scope::with_token(self.tasks.root.child_token(), budget)
    }

    /// `tools/call` of a task-supporting tool from a client that declared the tasks
    /// extension: a task now ([`TaskStart::Immediate`]), or a synchronous call that becomes
    /// one when the handler detaches ([`TaskStart::OnDetach`]).
    pub(crate) async fn call_tool_as_task(
        &self,
        call: &Call,
        tool: Arc<dyn ToolHandler>,
        args: ToolArguments,
        name: String,
        answers: Map<String, Value>,
    ) -> Result<Box<RawValue>, Error> {
        let me = self.me().ok_or_else(|| Error::internal("server is gone"))?;
        let request = TaskRequest {
            method: "tools/call".into(),
            name: name.clone(),
            arguments: args.raw().and_then(|r| serde_json::from_str(r.get()).ok()),
            protocol_version: call
                .session
                .protocol_version()
                .unwrap_or(ProtocolVersion::LATEST)
                .as_str()
                .to_owned(),
            client_info: call.session.client_info(),
            client_capabilities: call.session.client_capabilities(),
        };
        let link = Arc::new(TaskLink {
            id: OnceLock::new(),
            detach: Mutex::new(None),
            store: self.tasks.store.clone(),
            changed: self.tasks.changed.clone(),
        });
        if tool.task_start() == TaskStart::Immediate {
            let rec = self.new_record(request, answers.clone());
            self.tasks.store.create(rec.clone()).await?;
            let _ = link.id.set(rec.task_id.clone());
            let scope = self.run_scope(&*tool, rec.created_at_ms, rec.ttl_ms);
            self.tasks.started(&rec.task_id, scope.clone());
            me.spawn_run(
                Run {
                    tool,
                    args,
                    session: call.session.clone(),
                    request_id: call.id.clone(),
                    progress_token: None,
                    answers: Some(answers),
                    link,
                    peer: Arc::new(TaskPeer {
                        inner: Arc::new(NullPeer),
                        detached: AtomicBool::new(true),
                    }),
                    scope,
                },
                None,
            );
            return raw(&CreateExtensionTaskResult::new(self.ext_task(&rec)));
        }

        // OnDetach: run now, answer like a synchronous call unless the handler detaches.
        let (detach_tx, detach_rx) = oneshot::channel();
        *link.detach.lock().expect("lock") = Some(detach_tx);
        let (done_tx, mut done_rx) = oneshot::channel();
        let peer = Arc::new(TaskPeer {
            inner: call.peer.clone(),
            detached: AtomicBool::new(false),
        });
        let ttl_ms = self.config.task_ttl.map(|d| d.as_millis() as u64);
        let scope = self.run_scope(&*tool, now_ms(), ttl_ms);
        me.spawn_run(
            Run {
                tool,
                args,
                session: call.session.clone(),
                request_id: call.id.clone(),
                progress_token: call.progress_token.clone(),
                answers: Some(answers.clone()),
                link: link.clone(),
                peer: peer.clone(),
                scope: scope.clone(),
            },
            Some(done_tx),
        );
        let binding = format!("tools/call:{name}");
        let end = tokio::select! {
            biased;
            end = &mut done_rx => end,
            ack = detach_rx => match ack {
                Ok(ack) => {
                    let rec = self.new_record(request, answers);
                    if let Err(e) = self.tasks.store.create(rec.clone()).await {
                        let _ = ack.send(Err(Error::internal(e.message().to_owned())));
                        scope.cancel(CancelReason::ParentEnded);
                        return Err(e);
                    }
                    let _ = link.id.set(rec.task_id.clone());
                    peer.detached.store(true, Ordering::Release);
                    self.tasks.started(&rec.task_id, scope);
                    let _ = ack.send(Ok(()));
                    return raw(&CreateExtensionTaskResult::new(self.ext_task(&rec)));
                }
                // The run ended without detaching.
                Err(_) => done_rx.await,
            },
            reason = call.scope.cancelled() => {
                scope.cancel(reason.clone());
                return Err(reason.to_error());
            }
        };
        let end = end.map_err(|_| Error::internal("the tool's run ended without an outcome"))?;
        if !end.pending.is_empty() {
            return raw(&self.input_required_result(&end.answers, binding, end.pending)?);
        }
        let result = self.tool_outcome(&name, end.outcome)?;
        raw(&self.tool_result(call, result))
    }

    /// Run a task's handler in the background. Its end goes to `done` while the call is
    /// not a task yet, to the store once it is.
    fn spawn_run(self: Arc<Self>, run: Run, done: Option<oneshot::Sender<RunEnd>>) {
        let tracker = self.tasks.tracker.clone();
        tracker.spawn(async move {
            let (link, scope, name) = (
                run.link.clone(),
                run.scope.clone(),
                run.tool.tool().name.clone(),
            );
            let end = self.execute(run).await;
            match link.id.get() {
                Some(id) => {
                    self.tasks.ended(id, &scope);
                    self.settle(id, &name, end).await;
                    self.tasks.slots.lock().expect("lock").remove(id);
                }
                None => {
                    if let Some(tx) = done {
                        let _ = tx.send(end);
                    }
                }
            }
        });
    }

    async fn execute(&self, run: Run) -> RunEnd {
        let grace = self.config.cancel_grace;
        let mut b = RequestContext::builder(run.scope.clone(), run.session)
            .request_id(run.request_id)
            .progress_token(run.progress_token)
            .peer(run.peer)
            .grace(grace)
            .task(run.link);
        if let Some(answers) = run.answers {
            b = b.input_rounds(InputRounds::new(answers));
        }
        if let Some(me) = self.me() {
            b = b.dispatch(me);
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

    /// Record how a run of task `id` ended (unless the task already ended: cancelled).
    async fn settle(&self, id: &str, tool: &str, end: RunEnd) {
        let RunEnd {
            outcome,
            pending,
            answers,
        } = end;
        let mut result = None;
        let mut error = None;
        let mut message = None;
        let status = if !pending.is_empty() {
            TaskStatus::InputRequired
        } else {
            match outcome {
                Outcome::Cancelled(CancelReason::Timeout) => {
                    let e = Error::timeout();
                    message = Some(e.message().to_owned());
                    error = Some(e.to_error_object());
                    TaskStatus::Failed
                }
                Outcome::Cancelled(reason) => {
                    message = Some(format!("Cancelled: {reason}"));
                    TaskStatus::Cancelled
                }
                other => match self.tool_outcome(tool, other) {
                    Ok(r) => {
                        result = serde_json::to_value(r).ok().and_then(|v| match v {
                            Value::Object(m) => Some(m),
                            _ => None,
                        });
                        TaskStatus::Completed
                    }
                    Err(e) => {
                        message = Some(e.message().to_owned());
                        error = Some(e.to_error_object());
                        TaskStatus::Failed
                    }
                },
            }
        };
        let pending: Map<String, Value> = pending.into_iter().collect();
        let r = modify(&*self.tasks.store, id, |r| {
            if r.status.is_terminal() {
                return false;
            }
            r.status = status;
            r.status_message = message.clone();
            r.result = result.clone();
            r.error = error.clone();
            r.input_requests = pending.clone();
            r.answers = answers.clone();
            true
        })
        .await;
        self.tasks.changed.notify_waiters();
        match r {
            Err(e) => tracing::warn!("task {id}: could not record its end: {e}"),
            Ok(Some(rec)) => {
                if let Some(slot) = self.tasks.slot(id) {
                    slot.send_status(&rec).await;
                }
            }
            Ok(None) => {}
        }
    }

    /// Replay a task's handler with every answer known (after `tasks/update`).
    async fn resume(&self, rec: TaskRecord) {
        let id = rec.task_id.clone();
        let Some(tool) = self.registry.tool(&rec.request.name) else {
            let e = Error::invalid_params(format!("Unknown tool: {}", rec.request.name));
            let end = RunEnd {
                outcome: Outcome::Err(e),
                pending: BTreeMap::new(),
                answers: rec.answers,
            };
            // An unknown tool is a protocol error: the task fails.
            return self.settle(&id, "", end).await;
        };
        let Some(me) = self.me() else { return };
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
        if self.config.lenient_arguments {
            args = args.lenient_for(tool.clone());
        }
        let scope = self.run_scope(&*tool, rec.created_at_ms, rec.ttl_ms);
        let link = Arc::new(TaskLink {
            id: OnceLock::from(id.clone()),
            detach: Mutex::new(None),
            store: self.tasks.store.clone(),
            changed: self.tasks.changed.clone(),
        });
        self.tasks.started(&id, scope.clone());
        me.spawn_run(
            Run {
                tool,
                args,
                session,
                request_id: RequestId::String(id.as_str().into()),
                progress_token: None,
                answers: Some(rec.answers),
                link,
                peer: Arc::new(TaskPeer {
                    inner: Arc::new(NullPeer),
                    detached: AtomicBool::new(true),
                }),
                scope,
            },
            None,
        );
    }

    fn require_tasks(&self, call: &Call) -> Result<(), Error> {
        if declares_tasks(&call.session) {
            Ok(())
        } else {
            Err(missing_tasks_extension())
        }
    }

    /// The record of a task of the extension (tasks of 2025-11-25 belong to their session
    /// and are not seen here).
    async fn extension_task(&self, id: &str) -> Result<TaskRecord, Error> {
        self.tasks
            .store
            .get(id)
            .await?
            .filter(|r| r.owner.is_none())
            .ok_or_else(|| unknown_task(id))
    }

    /// `tasks/get`: the task with its result, error or pending input requests.
    pub(crate) async fn tasks_get(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        self.require_tasks(call)?;
        let p: TaskIdParams = parse(params)?;
        let rec = self.extension_task(&p.task_id).await?;
        raw(&GetExtensionTaskResult {
            result_type: ResultType::Complete,
            task: self.detailed_task(&rec),
            meta: None,
        })
    }

    /// `tasks/update`: answers to pending input requests; the handler is replayed once
    /// every pending request is answered.
    pub(crate) async fn tasks_update(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        self.require_tasks(call)?;
        let p: UpdateParams = parse(params)?;
        let given = p.input_responses.unwrap_or_default();
        let current = self.extension_task(&p.task_id).await?;
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
        let rec = modify(&*self.tasks.store, &p.task_id, |r| {
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
        self.tasks.changed.notify_waiters();
        if let (true, Some(rec)) = (resumed, rec) {
            self.resume(rec).await;
        }
        ack()
    }

    /// `tasks/cancel`: the task ends `cancelled` (unless it already ended) and its run is
    /// cancelled. Acknowledged with an empty result, also for a task that already ended.
    pub(crate) async fn tasks_cancel(
        &self,
        call: &Call,
        params: Option<&RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        self.require_tasks(call)?;
        let p: TaskIdParams = parse(params)?;
        self.extension_task(&p.task_id).await?;
        modify(&*self.tasks.store, &p.task_id, |r| {
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
        self.tasks.changed.notify_waiters();
        if let Some(scope) = self.tasks.scope_of(&p.task_id) {
            scope.cancel(CancelReason::Requested(Some("tasks/cancel".into())));
        }
        ack()
    }
}

/// Answers of earlier rounds given as `InputResponses` (typed), as stored values.
pub(crate) fn answer_values(responses: InputResponses) -> Result<Map<String, Value>, Error> {
    responses
        .into_iter()
        .map(|(k, v)| {
            serde_json::to_value(v)
                .map(|v| (k, v))
                .map_err(|e| Error::internal(e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_767_225_599_999), "2025-12-31T23:59:59.999Z");
        assert_eq!(iso8601(1_785_196_800_123), "2026-07-28T00:00:00.123Z");
    }

    #[test]
    fn task_ids_are_uuids() {
        let a = new_task_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_task_id());
    }
}
