//! The per-request context a handler receives.
//!
//! One concept per file: typed extensions (`extensions.rs`), the task side (`task.rs`),
//! notifications (`notify.rs`), input from the client (`input.rs`), sampling
//! (`sampling.rs`) and nested calls (`nested.rs`). Servers build contexts with
//! [`RequestContext`](crate::runtime::RequestContext); a handler only gets `&Context`.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_protocol::{
    ClientCapabilities, Implementation, ProgressToken, ProtocolVersion, RequestId,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::auth::{AuthInfo, HttpParts};
use crate::mrtr::InputRounds;
use crate::peer::{Dispatch, Peer};
use crate::runtime::RequestContext;
use crate::scope::{Budget, Scope};
use crate::session::Session;
use crate::session_view::SessionView;
use crate::state::StateMap;
use crate::{CancelReason, Error};

mod extensions;
mod input;
mod nested;
mod notify;
mod sampling;
mod task;

pub use extensions::Extensions;
pub use input::Keyed;
pub use task::TaskControl;

/// What a request's context holds; built by [`RequestContext`].
pub(crate) struct Inner {
    pub(crate) scope: Arc<Scope>,
    pub(crate) request_id: Option<RequestId>,
    pub(crate) session: SessionView,
    pub(crate) peer: Arc<dyn Peer>,
    pub(crate) progress_token: Option<ProgressToken>,
    pub(crate) rounds: Option<Arc<InputRounds>>,
    pub(crate) dispatch: Option<Arc<dyn Dispatch>>,
    pub(crate) task: Option<Arc<dyn TaskControl>>,
    pub(crate) extensions: Extensions,
    pub(crate) server_state: Option<Arc<StateMap>>,
    pub(crate) grace: Duration,
    pub(crate) auth: Option<Arc<AuthInfo>>,
    pub(crate) http: Option<Arc<HttpParts>>,
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
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("request_id", &self.inner.request_id)
            .field("session", &self.inner.session.id())
            .finish()
    }
}

impl Context {
    /// A context with no connection behind it, for unit tests of handlers.
    pub fn for_testing() -> Context {
        let session = Session::handshake(None);
        session.initialize(
            ProtocolVersion::LATEST_HANDSHAKE,
            Implementation::new("test-client", "0.0.0"),
            ClientCapabilities::default(),
        );
        RequestContext::builder(Scope::new(Budget::unlimited()), session)
            .build()
            .0
    }

    // ----- identity -----

    /// Who sent the request: the identity behind its verified access token, on a server
    /// that requires one (HTTP with a token verifier). `None` over stdio, in memory, or on
    /// a server without auth.
    pub fn auth(&self) -> Option<&AuthInfo> {
        self.inner.auth.as_deref()
    }

    /// The HTTP request the message came in (method, URI, headers without
    /// `Authorization`, peer address). `None` for a message that came over stdio or in
    /// memory. Over WebSocket and on a legacy SSE stream it is the request that opened
    /// the connection.
    pub fn http(&self) -> Option<&HttpParts> {
        self.inner.http.as_deref()
    }

    /// The JSON-RPC id of the request.
    pub fn request_id(&self) -> Option<&RequestId> {
        self.inner.request_id.as_ref()
    }

    /// What the handler may see and do of its session: version, client, log level,
    /// session state, subscriptions (read-only) and per-session visibility.
    pub fn session(&self) -> &SessionView {
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

    /// The server's state of type `T` (registered with `Server::state` or made by
    /// `Server::lifespan`); in `#[tool]` functions, a [`State<T>`](crate::State)
    /// parameter says the same.
    pub fn server_state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.inner.server_state.as_ref().and_then(|s| s.get())
    }

    // ----- cancellation and budget -----

    /// The cancellation scope of this request (servers reach it through
    /// [`RequestContext::scope_of`]).
    pub(crate) fn scope(&self) -> &Arc<Scope> {
        &self.inner.scope
    }

    /// Why the request was cancelled, once it is.
    pub fn cancel_reason(&self) -> Option<CancelReason> {
        self.inner.scope.cancel_reason()
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
}
