//! For server implementations: building a request's [`Context`] and ending it.
//!
//! A handler only ever sees `&Context`; what the server does around it (ending the
//! request's scope, collecting the input rounds of the stateless era, the session's
//! protocol-driven state) lives here, out of the handler's reach.
//!
//! ```
//! use fastmcp_core::runtime::RequestContext;
//! use fastmcp_core::{Budget, Scope, Session};
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let session = Session::handshake(None);
//! let mut b = RequestContext::builder(Scope::new(Budget::unlimited()), session);
//! b.grace(std::time::Duration::from_secs(1));
//! let (ctx, handle) = b.build();
//! ctx.checkpoint().unwrap();
//! handle.finish().await;
//! assert!(handle.input_rounds().is_none());
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use fastmcp_protocol::{ProgressToken, RequestId};

use crate::auth::{AuthInfo, HttpParts};
use crate::context::{Extensions, Inner, TaskControl};
use crate::mrtr::InputRounds;
use crate::peer::{Dispatch, NullPeer, Peer};
use crate::scope::Scope;
use crate::session::Session;
use crate::session_view::SessionView;
use crate::state::StateMap;
use crate::Context;

/// Builds the [`Context`] of one request, and the [`RequestHandle`] the server keeps. Its
/// setters take `&mut self` (a chain of by-value setters copied the whole builder at each
/// step, on every request).
pub struct RequestContext {
    scope: Arc<Scope>,
    request_id: Option<RequestId>,
    session: Arc<Session>,
    /// `None`: a [`NullPeer`], made only if no peer is given (an `Arc` of it allocates).
    peer: Option<Arc<dyn Peer>>,
    progress_token: Option<ProgressToken>,
    rounds: Option<Arc<InputRounds>>,
    dispatch: Option<Arc<dyn Dispatch>>,
    task: Option<Arc<dyn TaskControl>>,
    extensions: Extensions,
    server_state: Option<Arc<StateMap>>,
    grace: Duration,
    auth: Option<Arc<AuthInfo>>,
    http: Option<Arc<HttpParts>>,
}

impl RequestContext {
    /// Start building the context of a request in `scope` of `session`.
    #[inline]
    pub fn builder(scope: Arc<Scope>, session: Arc<Session>) -> RequestContext {
        RequestContext {
            scope,
            request_id: None,
            session,
            peer: None,
            progress_token: None,
            rounds: None,
            dispatch: None,
            task: None,
            extensions: Extensions::default(),
            server_state: None,
            grace: Duration::from_secs(2),
            auth: None,
            http: None,
        }
    }

    /// The session behind a context: what a server's dispatcher of nested calls needs.
    pub fn session_of(ctx: &Context) -> &Arc<Session> {
        ctx.inner.session.inner()
    }

    /// The cancellation scope behind a context.
    pub fn scope_of(ctx: &Context) -> &Arc<Scope> {
        &ctx.inner.scope
    }

    /// The peer behind a context.
    pub fn peer_of(ctx: &Context) -> &Arc<dyn Peer> {
        &ctx.inner.peer
    }

    /// The identity and HTTP parts behind a context, to hand to a nested call's context.
    pub fn caller_of(ctx: &Context) -> (Option<Arc<AuthInfo>>, Option<Arc<HttpParts>>) {
        (ctx.inner.auth.clone(), ctx.inner.http.clone())
    }

    /// The request id.
    #[inline]
    pub fn request_id(&mut self, id: RequestId) -> &mut Self {
        self.request_id = Some(id);
        self
    }

    /// The progress token the client sent.
    #[inline]
    pub fn progress_token(&mut self, token: Option<ProgressToken>) -> &mut Self {
        self.progress_token = token;
        self
    }

    /// Stateless-era input rounds (MRTR).
    #[inline]
    pub fn input_rounds(&mut self, rounds: InputRounds) -> &mut Self {
        self.rounds = Some(Arc::new(rounds));
        self
    }

    /// The dispatcher for nested calls.
    #[inline]
    pub fn dispatch(&mut self, d: Arc<dyn Dispatch>) -> &mut Self {
        self.dispatch = Some(d);
        self
    }

    /// The task side of a call that may run as a task.
    #[inline]
    pub fn task(&mut self, t: Arc<dyn TaskControl>) -> &mut Self {
        self.task = Some(t);
        self
    }

    /// The peer.
    #[inline]
    pub fn peer(&mut self, peer: Arc<dyn Peer>) -> &mut Self {
        self.peer = Some(peer);
        self
    }

    /// The grace period for children at the request's end.
    #[inline]
    pub fn grace(&mut self, grace: Duration) -> &mut Self {
        self.grace = grace;
        self
    }

    /// The server's typed state, for [`Context::server_state`].
    #[inline]
    pub fn server_state(&mut self, state: Arc<StateMap>) -> &mut Self {
        self.server_state = Some(state);
        self
    }

    /// The identity of a verified token, for [`Context::auth`].
    #[inline]
    pub fn auth(&mut self, auth: Option<Arc<AuthInfo>>) -> &mut Self {
        self.auth = auth;
        self
    }

    /// The HTTP request the message came in, for [`Context::http`].
    #[inline]
    pub fn http(&mut self, http: Option<Arc<HttpParts>>) -> &mut Self {
        self.http = http;
        self
    }

    /// The input rounds of the request this one runs for (a call a handler makes into
    /// its own server, or into a mounted one): its input requests become the outer
    /// request's, and the outer request's answers are its answers.
    #[inline]
    pub fn shared_input_rounds(&mut self, rounds: Option<Arc<InputRounds>>) -> &mut Self {
        self.rounds = rounds;
        self
    }

    /// The input rounds behind a context, to share with a call it makes.
    pub fn input_rounds_of(ctx: &Context) -> Option<Arc<InputRounds>> {
        ctx.inner.rounds.clone()
    }

    /// Attach an extension value.
    #[inline]
    pub fn extension<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.extensions.insert(value);
        self
    }

    /// The context the handler gets, and the handle the server keeps.
    #[inline]
    pub fn build(self) -> (Context, RequestHandle) {
        let ctx = Context {
            inner: Arc::new(Inner {
                scope: self.scope,
                request_id: self.request_id,
                session: SessionView::new(self.session),
                peer: self.peer.unwrap_or_else(|| Arc::new(NullPeer)),
                progress_token: self.progress_token,
                rounds: self.rounds,
                dispatch: self.dispatch,
                task: self.task,
                extensions: self.extensions,
                server_state: self.server_state,
                grace: self.grace,
                auth: self.auth,
                http: self.http,
            }),
        };
        let handle = RequestHandle { ctx: ctx.clone() };
        (ctx, handle)
    }
}

/// The server's side of one request: ends it and collects its input rounds.
#[derive(Debug)]
pub struct RequestHandle {
    ctx: Context,
}

impl RequestHandle {
    /// The context of the request.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// End the request's scope: cancel and await its children (aborted after the grace
    /// period).
    pub async fn finish(&self) {
        let inner = &self.ctx.inner;
        inner.scope.close(inner.grace).await;
    }

    /// The input rounds of a stateless-era request.
    pub fn input_rounds(&self) -> Option<&InputRounds> {
        self.ctx.inner.rounds.as_deref()
    }
}
