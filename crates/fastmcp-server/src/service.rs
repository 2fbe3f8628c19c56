//! The request pipeline: every request (and every nested call a handler makes) is an
//! [`McpRequest`] sent through a `tower::Service`, so middleware are `tower::Layer`s
//! around the service that runs the method ([`McpService`]).
//!
//! ```
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::{Arc, OnceLock};
//! use fastmcp_server::{McpRequest, Server};
//! use tower::ServiceExt;
//!
//! // Count every request with a plain tower layer.
//! let seen = Arc::new(AtomicUsize::new(0));
//! let counter = seen.clone();
//! let server = Server::new("demo", "1.0.0").layer(tower::layer::layer_fn(move |inner| {
//!     let counter = counter.clone();
//!     tower::service_fn(move |req: McpRequest| {
//!         counter.fetch_add(1, Ordering::Relaxed);
//!         tower::util::BoxCloneSyncService::clone(&inner).oneshot(req)
//!     })
//! }));
//! ```

use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};

use fastmcp_core::{BoxFuture, Context, Dispatch, Error, Peer, Scope, Session};
use fastmcp_protocol::jsonrpc::Method;
use fastmcp_protocol::{ProtocolVersion, RequestId};
use serde_json::value::RawValue;
use tower::util::BoxCloneSyncService;
use tower::Service;

use crate::call::Call;
use crate::methods;
use crate::runtime::Runtime;

/// A request on its way to its method: what middleware see and may change.
pub struct McpRequest {
    method: String,
    params: Option<Box<RawValue>>,
    pub(crate) call: Call,
    /// `name` and `uri` of the params, read once for every middleware that asks.
    target: OnceLock<Target>,
}

impl McpRequest {
    pub(crate) fn new(method: String, params: Option<Box<RawValue>>, call: Call) -> Self {
        McpRequest {
            method,
            params,
            call,
            target: OnceLock::new(),
        }
    }

    /// The method (`tools/call`, `resources/read`, ...).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The params, raw.
    pub fn params(&self) -> Option<&RawValue> {
        self.params.as_deref()
    }

    /// Replace the params.
    pub fn set_params(&mut self, params: Option<Box<RawValue>>) {
        self.params = params;
        self.target = OnceLock::new();
    }

    /// The JSON-RPC id.
    pub fn id(&self) -> &RequestId {
        &self.call.id
    }

    /// The session the request belongs to (for 2026-07-28, one built from its `_meta`).
    pub fn session(&self) -> &Arc<Session> {
        &self.call.session
    }

    /// The network address of the client ([`Session::remote_addr`]): known on Streamable
    /// HTTP (both eras), legacy HTTP+SSE and WebSocket; `None` on stdio and in memory.
    pub fn remote_addr(&self) -> Option<std::net::SocketAddr> {
        self.call.session.remote_addr()
    }

    /// Who sent the request: the identity of its verified token (HTTP with
    /// [`crate::HttpOptions::auth`]), or what a middleware set with
    /// [`McpRequest::set_auth`]. Handlers read it as [`fastmcp_core::Context::auth`].
    pub fn auth(&self) -> Option<&fastmcp_core::AuthInfo> {
        self.call.caller.auth.as_deref()
    }

    /// Set who sent the request: a middleware that authenticates callers another way
    /// (a stdio server trusting its parent, an API key header) gives them an identity,
    /// which per-component requirements and handlers then see.
    pub fn set_auth(&mut self, who: fastmcp_core::AuthInfo) {
        self.call.caller.auth = Some(std::sync::Arc::new(who));
    }

    /// The protocol version of the request's session (`None` before `initialize`).
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.call.session.protocol_version()
    }

    /// The request's cancellation scope (cancelled when the client cancels it, its
    /// connection closes or the server shuts down).
    pub fn scope(&self) -> &Arc<Scope> {
        &self.call.scope
    }

    /// Where notifications and server-to-client requests of this request go.
    pub fn peer(&self) -> &Arc<dyn Peer> {
        &self.call.peer
    }

    /// The `name` of a `tools/call` or `prompts/get` (`None` when absent or not a string).
    pub fn tool_name(&self) -> Option<String> {
        self.target().name.clone()
    }

    /// The `uri` of a `resources/read` or `resources/subscribe`.
    pub fn resource_uri(&self) -> Option<String> {
        self.target().uri.clone()
    }

    /// The `name` and `uri` of the params, the rest skipped without being built.
    fn target(&self) -> &Target {
        self.target.get_or_init(|| {
            self.params()
                .and_then(|p| serde_json::from_str(p.get()).ok())
                .unwrap_or_default()
        })
    }

    /// Whether a handler made this call into its own server (`ctx.call_tool`, ...).
    pub fn is_nested(&self) -> bool {
        self.call.nested
    }

    /// Ask for the error a `tools/call`'s tool fails with (a failure of the tool is an
    /// `isError` result, which does not say why): filled once the run has ended.
    pub(crate) fn keep_tool_failure(&mut self) -> crate::call::ToolFailure {
        let slot = crate::call::ToolFailure::default();
        self.call.tool_failure = Some(slot.clone());
        slot
    }

    /// A copy of the request for one more run of the rest of the chain (what
    /// [`crate::middleware::Retry`] runs): the same method, params, id, session and peer,
    /// in a child scope of this request's scope (cancelled with it, within what is left of
    /// its budget), because a run ends the scope it ran in.
    pub fn fork(&self) -> McpRequest {
        let mut call = self.call.clone();
        call.scope = self.call.scope.child(fastmcp_core::Budget::unlimited());
        McpRequest {
            method: self.method.clone(),
            params: self.params.clone(),
            call,
            target: self.target.clone(),
        }
    }
}

impl std::fmt::Debug for McpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpRequest")
            .field("method", &self.method)
            .field("id", &self.call.id)
            .field("nested", &self.call.nested)
            .finish_non_exhaustive()
    }
}

/// A notification from the client on its way in (`notifications/cancelled`,
/// `notifications/initialized`, `notifications/roots/list_changed`, ...): what
/// [`Middleware::on_notification`](crate::Middleware::on_notification) sees and may change
/// or drop.
pub struct McpNotification {
    method: String,
    params: Option<Box<RawValue>>,
    session: Arc<Session>,
}

impl McpNotification {
    pub(crate) fn new(
        method: String,
        params: Option<Box<RawValue>>,
        session: Arc<Session>,
    ) -> Self {
        McpNotification {
            method,
            params,
            session,
        }
    }

    pub(crate) fn into_parts(self) -> (String, Option<Box<RawValue>>) {
        (self.method, self.params)
    }

    /// The method (`notifications/cancelled`, ...).
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The params, raw.
    pub fn params(&self) -> Option<&RawValue> {
        self.params.as_deref()
    }

    /// Replace the params.
    pub fn set_params(&mut self, params: Option<Box<RawValue>>) {
        self.params = params;
    }

    /// The session it came on.
    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }
}

impl std::fmt::Debug for McpNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpNotification")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

/// One middleware's notification hook: the notification to pass on, or `None` to drop it.
pub(crate) type NotificationHook =
    Arc<dyn Fn(McpNotification) -> Option<McpNotification> + Send + Sync>;

/// The service that runs a request's method: the innermost service of the pipeline.
#[derive(Clone)]
pub struct McpService {
    rt: Arc<Runtime>,
}

impl Service<McpRequest> for McpService {
    type Response = Box<RawValue>;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Box<RawValue>, Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: McpRequest) -> Self::Future {
        self.run(req)
    }
}

impl McpService {
    /// Run `req`'s method (what [`Service::call`] does, without needing `&mut`).
    pub(crate) fn run(&self, req: McpRequest) -> BoxFuture<'static, Result<Box<RawValue>, Error>> {
        let rt = self.rt.clone();
        Box::pin(async move {
            let McpRequest {
                method,
                params,
                call,
                ..
            } = req;
            methods::dispatch(&rt, &call, &method, params).await
        })
    }
}

/// The pipeline as one boxed, cloneable service: what a middleware layer wraps.
pub type BoxMcpService = BoxCloneSyncService<McpRequest, Box<RawValue>, Error>;

/// Wraps the pipeline built so far in one more layer.
pub(crate) type LayerFn = Box<dyn FnOnce(BoxMcpService) -> BoxMcpService + Send>;

/// The way into a pipeline with layers: runs one request through all of them.
pub(crate) type Entry =
    Box<dyn Fn(McpRequest) -> BoxFuture<'static, Result<Box<RawValue>, Error>> + Send + Sync>;

/// Builds the layers of a pipeline around its method service: `None` when there are none.
pub(crate) type BuildLayers = Box<dyn FnOnce(McpService) -> Option<Entry> + Send>;

/// A server's request pipeline: the method service, wrapped in the layers when there are
/// any (without layers a request goes straight to its method, with no boxing).
pub(crate) struct Pipeline {
    pub(crate) rt: Arc<Runtime>,
    layered: Option<Entry>,
    /// The notification hooks of the middleware, outermost first.
    notification_hooks: Vec<NotificationHook>,
}

impl Pipeline {
    /// The pipeline of `rt`, with the layers `build` puts around its method service.
    pub(crate) fn new(
        rt: Arc<Runtime>,
        build: BuildLayers,
        notification_hooks: Vec<NotificationHook>,
    ) -> Arc<Pipeline> {
        let layered = build(McpService { rt: rt.clone() });
        let pipeline = Arc::new(Pipeline {
            rt,
            layered,
            notification_hooks,
        });
        let weak = Arc::downgrade(&pipeline);
        pipeline.rt.set_dispatcher(weak);
        pipeline
    }

    /// Run a client's notification through the middleware's hooks: what is left of it
    /// (`None` when a hook dropped it).
    pub(crate) fn notification(
        &self,
        method: Method,
        params: Option<Box<RawValue>>,
        session: &Arc<Session>,
    ) -> Option<(Method, Option<Box<RawValue>>)> {
        if self.notification_hooks.is_empty() {
            return Some((method, params));
        }
        let mut n = McpNotification::new(method.into_owned(), params, session.clone());
        for hook in &self.notification_hooks {
            n = hook(n)?;
        }
        let (method, params) = n.into_parts();
        Some((method.into(), params))
    }

    /// Run one request through the pipeline. Takes the request's parts, not an
    /// [`McpRequest`]: without layers they go straight to the method, and a request's future
    /// holds only them. An `async fn` (not a future picked by a `match` and returned): the
    /// future of the method is then built where it runs, in this one's state; a returned
    /// `Either` of the two was built beside it and copied in, a KB and a half per request,
    /// twice. Its body an `async` block, not an `async fn`: an `async fn` keeps each
    /// argument still used after an `.await` twice in its state (as received and as the
    /// local it is moved into), and the `Call` is 112 bytes.
    #[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
    pub(crate) fn call(
        &self,
        method: Method,
        params: Option<Box<RawValue>>,
        call: Call,
    ) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + '_ {
        async move {
            match &self.layered {
                None => methods::dispatch(&self.rt, &call, &method, params).await,
                Some(entry) => entry(McpRequest::new(method.into_owned(), params, call)).await,
            }
        }
    }
}

impl Dispatch for Pipeline {
    fn dispatch<'a>(
        &'a self,
        ctx: &'a Context,
        method: &'a str,
        params: Box<RawValue>,
    ) -> BoxFuture<'a, Result<Box<RawValue>, Error>> {
        let call = Call::nested_in(ctx, None);
        Box::pin(self.call(
            fastmcp_protocol::jsonrpc::method(method),
            Some(params),
            call,
        ))
    }
}

/// What [`McpRequest::tool_name`] and [`McpRequest::resource_uri`] read of the params.
#[derive(Default, Clone, serde::Deserialize)]
struct Target {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
}
