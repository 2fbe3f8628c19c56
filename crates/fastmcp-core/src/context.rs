//! The per-request context a handler receives.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    CallToolResult, ClientCapabilities, CreateMessageRequestParams, CreateMessageResult,
    ElicitResult, GetPromptResult, Implementation, ListRootsResult, LoggingLevel,
    ProgressNotificationParams, ProgressToken, ProtocolVersion, ReadResourceResult, RequestId,
    Root,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use tokio::task::JoinHandle;

use crate::elicit::{elicitation_schema, Elicited};
use crate::mrtr::InputRounds;
use crate::peer::{BoxFuture, Dispatch, NullPeer, Peer};
use crate::scope::{Budget, Scope};
use crate::session::Session;
use crate::{Error, ErrorKind};

/// Values of any type attached to a request by a transport or middleware (HTTP request
/// parts, auth claims, ...), looked up by type.
#[derive(Default)]
pub struct Extensions(HashMap<TypeId, Box<dyn Any + Send + Sync>>);

impl Extensions {
    /// Insert a value, replacing one of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.0.insert(TypeId::of::<T>(), Box::new(value));
    }

    /// Look up a value by type.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.0
            .get(&TypeId::of::<T>())
            .and_then(|b| b.downcast_ref())
    }
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Extensions({} values)", self.0.len())
    }
}

/// The task side of a call that may run as a task (tasks extension); the server sets it on
/// the context of such calls.
pub trait TaskControl: Send + Sync + 'static {
    /// The task id, once the call runs as a task.
    fn task_id(&self) -> Option<String>;

    /// Make the call a task from here on: the client gets a `CreateTaskResult` and the
    /// handler goes on in the background. Does nothing when it already is one.
    fn detach(&self) -> BoxFuture<'_, Result<(), Error>>;

    /// Set the task's status message (what `tasks/get` shows as `statusMessage`).
    fn set_status_message(&self, message: String) -> BoxFuture<'_, Result<(), Error>>;
}

struct Inner {
    scope: Arc<Scope>,
    request_id: Option<RequestId>,
    session: Arc<Session>,
    peer: Arc<dyn Peer>,
    progress_token: Option<ProgressToken>,
    rounds: Option<InputRounds>,
    dispatch: Option<Arc<dyn Dispatch>>,
    task: Option<Arc<dyn TaskControl>>,
    extensions: Extensions,
    grace: Duration,
}

/// What a handler knows of its request and what it can do: cancellation checkpoints and
/// masked sections, budget, structured child tasks, progress, logging, session state,
/// elicitation, sampling, roots, and calls to the server's other components.
///
/// Cheap to clone; every clone is the same request.
///
/// ```
/// use fastmcp_core::Context;
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let ctx = Context::for_testing();
/// ctx.checkpoint().unwrap();
/// ctx.set_state("visits", 1).unwrap();
/// assert_eq!(ctx.get_state::<i32>("visits"), Some(1));
/// # }
/// ```
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.inner.request_id)
            .field("session", &self.inner.session.id())
            .finish()
    }
}

/// Builds a [`Context`]; used by the server and by tests.
pub struct ContextBuilder {
    scope: Arc<Scope>,
    request_id: Option<RequestId>,
    session: Arc<Session>,
    peer: Arc<dyn Peer>,
    progress_token: Option<ProgressToken>,
    rounds: Option<InputRounds>,
    dispatch: Option<Arc<dyn Dispatch>>,
    task: Option<Arc<dyn TaskControl>>,
    extensions: Extensions,
    grace: Duration,
}

impl ContextBuilder {
    /// The request id.
    pub fn request_id(mut self, id: RequestId) -> Self {
        self.request_id = Some(id);
        self
    }

    /// The progress token the client sent.
    pub fn progress_token(mut self, token: Option<ProgressToken>) -> Self {
        self.progress_token = token;
        self
    }

    /// Stateless-era input rounds (MRTR).
    pub fn input_rounds(mut self, rounds: InputRounds) -> Self {
        self.rounds = Some(rounds);
        self
    }

    /// The dispatcher for nested calls.
    pub fn dispatch(mut self, d: Arc<dyn Dispatch>) -> Self {
        self.dispatch = Some(d);
        self
    }

    /// The task side of a call that may run as a task.
    pub fn task(mut self, t: Arc<dyn TaskControl>) -> Self {
        self.task = Some(t);
        self
    }

    /// The peer.
    pub fn peer(mut self, peer: Arc<dyn Peer>) -> Self {
        self.peer = peer;
        self
    }

    /// The grace period for children at the request's end.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Attach an extension value.
    pub fn extension<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.extensions.insert(value);
        self
    }

    /// Finish.
    pub fn build(self) -> Context {
        Context {
            inner: Arc::new(Inner {
                scope: self.scope,
                request_id: self.request_id,
                session: self.session,
                peer: self.peer,
                progress_token: self.progress_token,
                rounds: self.rounds,
                dispatch: self.dispatch,
                task: self.task,
                extensions: self.extensions,
                grace: self.grace,
            }),
        }
    }
}

impl Context {
    /// Start building a context for a request in `scope` of `session`.
    pub fn builder(scope: Arc<Scope>, session: Arc<Session>) -> ContextBuilder {
        ContextBuilder {
            scope,
            request_id: None,
            session,
            peer: Arc::new(NullPeer),
            progress_token: None,
            rounds: None,
            dispatch: None,
            task: None,
            extensions: Extensions::default(),
            grace: Duration::from_secs(2),
        }
    }

    /// A context with no connection behind it, for unit tests of handlers.
    pub fn for_testing() -> Context {
        let session = Session::handshake(None);
        session.initialize(
            ProtocolVersion::LATEST_HANDSHAKE,
            Implementation::new("test-client", "0.0.0"),
            ClientCapabilities::default(),
        );
        Context::builder(Scope::new(Budget::unlimited()), session).build()
    }

    // ----- identity -----

    /// The JSON-RPC id of the request.
    pub fn request_id(&self) -> Option<&RequestId> {
        self.inner.request_id.as_ref()
    }

    /// The session.
    pub fn session(&self) -> &Arc<Session> {
        &self.inner.session
    }

    /// The session id (HTTP sessions of the handshake era).
    pub fn session_id(&self) -> Option<&str> {
        self.inner.session.id()
    }

    /// The protocol version of this request.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.inner.session.protocol_version()
    }

    /// What the client said about itself.
    pub fn client_info(&self) -> Option<Implementation> {
        self.inner.session.client_info()
    }

    /// The client's capabilities.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        self.inner.session.client_capabilities()
    }

    /// A value a transport or middleware attached (e.g. HTTP request parts).
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner.extensions.get()
    }

    /// The peer of this request.
    pub fn peer(&self) -> &Arc<dyn Peer> {
        &self.inner.peer
    }

    // ----- cancellation and budget -----

    /// The cancellation scope of this request.
    pub fn scope(&self) -> &Arc<Scope> {
        &self.inner.scope
    }

    /// `Err` once the request is cancelled or its budget is spent.
    pub fn checkpoint(&self) -> Result<(), Error> {
        self.inner.scope.checkpoint()
    }

    /// Whether the request is cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.inner.scope.is_cancelled()
    }

    /// Resolves when the request is cancelled.
    pub async fn cancelled(&self) {
        self.inner.scope.cancelled().await;
    }

    /// Run a critical section that cancellation does not interrupt.
    pub async fn masked<F: Future>(&self, fut: F) -> F::Output {
        self.inner.scope.masked(fut).await
    }

    /// The budget of this request.
    pub fn budget(&self) -> Budget {
        self.inner.scope.budget()
    }

    /// Draw from the request's cost quota.
    pub fn consume(&self, cost: u64) -> Result<(), Error> {
        self.inner.scope.consume(cost)
    }

    /// Sleep, ending early with `Err` when the request is cancelled.
    pub async fn sleep(&self, d: Duration) -> Result<(), Error> {
        tokio::select! {
            _ = tokio::time::sleep(d) => self.checkpoint(),
            r = self.inner.scope.cancelled() => Err(r.to_error()),
        }
    }

    /// Spawn a child task tied to this request: when the request ends it is cancelled and
    /// awaited (aborted after the grace period).
    pub fn spawn<F>(&self, fut: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.scope.spawn(fut)
    }

    /// End the request's scope: cancel and await its children. The server calls this.
    pub async fn finish(&self) {
        self.inner.scope.close(self.inner.grace).await;
    }

    // ----- tasks (the tasks extension) -----

    /// The id of the task this call runs as, if it runs as one.
    pub fn task_id(&self) -> Option<String> {
        self.inner.task.as_ref().and_then(|t| t.task_id())
    }

    /// Go on as a task: the client gets a `CreateTaskResult` now and polls `tasks/get`
    /// for the rest, which runs in the background. Input asked for before this point was
    /// a synchronous exchange of the request (multi-round-trip); input asked for after it
    /// makes the task `input_required` until the client answers with `tasks/update`.
    ///
    /// Only tools with [`TaskStart::OnDetach`](crate::TaskStart::OnDetach) choose the
    /// moment; for the others the call is a task from the start and this does nothing.
    /// When the call cannot be a task (the client did not declare the tasks extension, the
    /// tool forbids tasks, a nested or handshake-era call) it does nothing either: the
    /// handler simply goes on synchronously.
    ///
    /// Handlers are replayed on every input round (stateless era), so code before the
    /// call runs again when the task resumes; `detach` is then a no-op.
    pub async fn detach(&self) -> Result<(), Error> {
        match &self.inner.task {
            Some(t) => t.detach().await,
            None => Ok(()),
        }
    }

    /// Set the status message of the task this call runs as (`statusMessage` on
    /// `tasks/get`); does nothing outside a task.
    pub async fn set_task_status(&self, message: &str) -> Result<(), Error> {
        match &self.inner.task {
            Some(t) if t.task_id().is_some() => t.set_status_message(message.to_owned()).await,
            _ => Ok(()),
        }
    }

    // ----- notifications -----

    /// Send a notification to the client.
    pub async fn notify(&self, method: &str, params: impl Serialize) -> Result<(), Error> {
        self.inner.peer.notify(method, to_raw(&params)).await
    }

    /// Report progress, when the client asked for it with a progress token.
    pub async fn report_progress(
        &self,
        progress: f64,
        total: Option<f64>,
        message: Option<&str>,
    ) -> Result<(), Error> {
        let Some(token) = &self.inner.progress_token else {
            return Ok(());
        };
        let p = ProgressNotificationParams {
            progress_token: token.clone(),
            progress,
            total,
            message: message.map(str::to_owned),
            meta: None,
        };
        self.notify("notifications/progress", p).await
    }

    /// Whether progress reports go anywhere.
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.inner.progress_token.as_ref()
    }

    /// Send a log message, if the client's level lets it through.
    pub async fn log(
        &self,
        level: LoggingLevel,
        logger: Option<&str>,
        data: impl Serialize,
    ) -> Result<(), Error> {
        if !self.inner.session.wants_log(level) {
            return Ok(());
        }
        let mut p = json!({ "level": level, "data": data });
        if let Some(l) = logger {
            p["logger"] = json!(l);
        }
        self.notify("notifications/message", p).await
    }

    /// Log at debug level.
    pub async fn debug(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Debug, None, message).await
    }

    /// Log at info level.
    pub async fn info(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Info, None, message).await
    }

    /// Log at warning level.
    pub async fn warning(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Warning, None, message).await
    }

    /// Log at error level.
    pub async fn error(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Error, None, message).await
    }

    // ----- session state -----

    /// Read session state.
    pub fn get_state<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.inner.session.get_state(key)
    }

    /// Write session state.
    pub fn set_state<T: Serialize>(&self, key: &str, value: T) -> Result<(), Error> {
        self.inner.session.set_state(key, value)
    }

    /// Remove session state.
    pub fn remove_state(&self, key: &str) -> bool {
        self.inner.session.remove_state(key)
    }

    // ----- client requests: real requests (handshake) or MRTR rounds (stateless) -----

    async fn ask(
        &self,
        key: Option<&str>,
        kind: &str,
        method: &str,
        params: Value,
    ) -> Result<Value, Error> {
        if let Some(rounds) = &self.inner.rounds {
            let request = json!({ "method": method, "params": params });
            return match key {
                Some(k) => rounds.ask_keyed(k.to_owned(), request),
                None => rounds.ask(kind, request),
            };
        }
        let raw = self.inner.peer.request(method, to_raw(&params)).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("bad {method} result: {e}")))
    }

    fn require(&self, present: bool, capability: Value) -> Result<(), Error> {
        if present {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::MissingClientCapability,
            format!("the client does not support {capability}"),
        )
        .with_data(json!({ "requiredCapabilities": capability })))
    }

    /// The client requests of this context under a key chosen by the handler: in the
    /// stateless era the input request appears as `inputRequests[key]` (instead of an
    /// automatic key such as `elicit-0`); in the handshake era the key is not used.
    ///
    /// ```
    /// # async fn f(ctx: fastmcp_core::Context) -> Result<(), fastmcp_core::Error> {
    /// let answer = ctx
    ///     .keyed("user_name")
    ///     .elicit_raw("Your name?", serde_json::json!({
    ///         "type": "object", "properties": {"name": {"type": "string"}}
    ///     }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn keyed<'a>(&'a self, key: &'a str) -> Keyed<'a> {
        Keyed { ctx: self, key }
    }

    /// Ask the user for input with a form (`requestedSchema` is a flat object schema).
    pub async fn elicit_raw(
        &self,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        self.elicit_raw_with(None, message, requested_schema).await
    }

    async fn elicit_raw_with(
        &self,
        key: Option<&str>,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        let caps = self.client_capabilities();
        self.require(caps.elicitation.is_some(), json!({ "elicitation": {} }))?;
        let params =
            json!({ "mode": "form", "message": message, "requestedSchema": requested_schema });
        let params = if self.protocol_version() < Some(ProtocolVersion::V2025_11_25) {
            json!({ "message": message, "requestedSchema": params["requestedSchema"] })
        } else {
            params
        };
        let v = self
            .ask(key, "elicit", "elicitation/create", params)
            .await?;
        serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad elicitation result: {e}")))
    }

    /// Ask the user for a value of type `T` (a struct of primitive fields); the form's schema
    /// is generated from `T`.
    pub async fn elicit<T>(&self, message: &str) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.elicit_with(None, message).await
    }

    async fn elicit_with<T>(&self, key: Option<&str>, message: &str) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        let result = self
            .elicit_raw_with(key, message, elicitation_schema::<T>())
            .await?;
        Elicited::from_result(result)
    }

    /// Ask the user to visit a URL (URL-mode elicitation, 2025-11-25 and later).
    pub async fn elicit_url(
        &self,
        message: &str,
        url: &str,
        elicitation_id: &str,
    ) -> Result<ElicitResult, Error> {
        let caps = self.client_capabilities();
        let url_ok = caps.elicitation.as_ref().is_some_and(|e| e.url.is_some());
        self.require(url_ok, json!({ "elicitation": { "url": {} } }))?;
        let params = json!({ "mode": "url", "message": message, "url": url, "elicitationId": elicitation_id });
        let v = self
            .ask(None, "elicit", "elicitation/create", params)
            .await?;
        serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad elicitation result: {e}")))
    }

    /// Ask the client's model for a completion.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.sample_with(None, params).await
    }

    async fn sample_with(
        &self,
        key: Option<&str>,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        let caps = self.client_capabilities();
        self.require(caps.sampling.is_some(), json!({ "sampling": {} }))?;
        let params = serde_json::to_value(params).map_err(|e| Error::internal(e.to_string()))?;
        let v = self
            .ask(key, "sample", "sampling/createMessage", params)
            .await?;
        serde_json::from_value(v).map_err(|e| Error::internal(format!("bad sampling result: {e}")))
    }

    /// Ask the client's model to answer a prompt; returns the text of its reply.
    pub async fn sample_text(&self, prompt: &str, max_tokens: u32) -> Result<String, Error> {
        let params: CreateMessageRequestParams = serde_json::from_value(json!({
            "messages": [{ "role": "user", "content": { "type": "text", "text": prompt } }],
            "maxTokens": max_tokens
        }))
        .map_err(|e| Error::internal(e.to_string()))?;
        let result = self.sample(params).await?;
        let v = serde_json::to_value(&result).map_err(|e| Error::internal(e.to_string()))?;
        let content = &v["content"];
        let text = if content.is_array() {
            &content[0]["text"]
        } else {
            &content["text"]
        };
        Ok(text.as_str().unwrap_or_default().to_owned())
    }

    /// The client's roots.
    pub async fn list_roots(&self) -> Result<Vec<Root>, Error> {
        self.list_roots_with(None).await
    }

    async fn list_roots_with(&self, key: Option<&str>) -> Result<Vec<Root>, Error> {
        let caps = self.client_capabilities();
        self.require(caps.roots.is_some(), json!({ "roots": {} }))?;
        let v = self.ask(key, "roots", "roots/list", json!({})).await?;
        let r: ListRootsResult = serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad roots result: {e}")))?;
        Ok(r.roots)
    }

    /// The input rounds of a stateless-era request (for the server).
    pub fn input_rounds(&self) -> Option<&InputRounds> {
        self.inner.rounds.as_ref()
    }

    // ----- nested calls into the same server -----

    async fn nested<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, Error> {
        let d = self
            .inner
            .dispatch
            .as_ref()
            .ok_or_else(|| Error::internal("no server to dispatch to"))?;
        let raw = d.dispatch(self, method, to_raw(&params)).await?;
        serde_json::from_str(raw.get()).map_err(|e| Error::internal(e.to_string()))
    }

    /// Call another tool of this server.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<CallToolResult, Error> {
        self.nested(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Read a resource of this server.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.nested("resources/read", json!({ "uri": uri })).await
    }

    /// Render a prompt of this server.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult, Error> {
        self.nested(
            "prompts/get",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Tell the client the tool list changed.
    pub async fn send_tool_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/tools/list_changed", json!({}))
            .await
    }

    /// Tell the client the resource list changed.
    pub async fn send_resource_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/resources/list_changed", json!({}))
            .await
    }

    /// Tell the client the prompt list changed.
    pub async fn send_prompt_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/prompts/list_changed", json!({}))
            .await
    }
}

/// Client requests under a handler-chosen input key; see [`Context::keyed`].
#[derive(Debug, Clone, Copy)]
pub struct Keyed<'a> {
    ctx: &'a Context,
    key: &'a str,
}

impl Keyed<'_> {
    /// [`Context::elicit_raw`] under this key.
    pub async fn elicit_raw(
        &self,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        self.ctx
            .elicit_raw_with(Some(self.key), message, requested_schema)
            .await
    }

    /// [`Context::elicit`] under this key.
    pub async fn elicit<T>(&self, message: &str) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.ctx.elicit_with(Some(self.key), message).await
    }

    /// [`Context::sample`] under this key.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.ctx.sample_with(Some(self.key), params).await
    }

    /// [`Context::list_roots`] under this key.
    pub async fn list_roots(&self) -> Result<Vec<Root>, Error> {
        self.ctx.list_roots_with(Some(self.key)).await
    }
}
