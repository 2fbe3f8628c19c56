//! One request on its way through the methods, and the reading and writing of params and
//! results every method shares.

use std::sync::Arc;

use fastmcp_core::{AuthInfo, Error, HttpParts, Peer, Scope, Session};
use fastmcp_protocol::{Era, ProgressToken, RequestId};
use serde::Deserialize;
use serde::Serialize;
use serde_json::value::RawValue;

/// One request: who asked (session, peer), its id, its cancellation scope.
#[derive(Clone)]
pub(crate) struct Call {
    pub(crate) id: RequestId,
    pub(crate) session: Arc<Session>,
    pub(crate) peer: Arc<dyn Peer>,
    pub(crate) scope: Arc<Scope>,
    pub(crate) progress_token: Option<ProgressToken>,
    /// A call a handler made into its own server (`ctx.call_tool`): never a task.
    pub(crate) nested: bool,
    /// Where a tool's own failure is kept when a middleware asked for it (the `Retry`
    /// middleware: the result, `isError: true`, does not say whether it was transient).
    pub(crate) tool_failure: Option<ToolFailure>,
    /// Who sent it and through which HTTP request (none over stdio and in memory).
    pub(crate) caller: Caller,
    /// The stateless era's input rounds of the request this call runs for (a nested or
    /// mounted call): its handler's input requests and answers are that request's.
    pub(crate) rounds: Option<Arc<fastmcp_core::InputRounds>>,
}

/// Who sent a request: the identity of its verified token and the HTTP request it came in;
/// what [`Context::auth`](fastmcp_core::Context::auth) and
/// [`Context::http`](fastmcp_core::Context::http) read.
#[derive(Clone, Default)]
pub(crate) struct Caller {
    pub(crate) auth: Option<Arc<AuthInfo>>,
    pub(crate) http: Option<Arc<HttpParts>>,
}

impl Caller {
    /// The caller of the request `ctx` belongs to (a nested call is its parent's).
    pub(crate) fn of(ctx: &fastmcp_core::Context) -> Caller {
        let (auth, http) = fastmcp_core::runtime::RequestContext::caller_of(ctx);
        Caller { auth, http }
    }

    /// Hand the caller to a request's context.
    #[inline]
    pub(crate) fn apply(&self, b: &mut fastmcp_core::runtime::RequestContext) {
        b.auth(self.auth.clone()).http(self.http.clone());
    }
}

/// The error a tool failed with, once its run ended (see [`Call::tool_failure`]).
pub(crate) type ToolFailure = Arc<std::sync::Mutex<Option<fastmcp_core::Error>>>;

impl Call {
    /// A call made for the request `ctx` belongs to (a handler's call into its own
    /// server, or a mounted server's use): its session, peer, scope, caller and input
    /// rounds, never a task of its own.
    pub(crate) fn nested_in(
        ctx: &fastmcp_core::Context,
        progress_token: Option<ProgressToken>,
    ) -> Call {
        use fastmcp_core::runtime::RequestContext;
        Call {
            id: ctx.request_id().cloned().unwrap_or(RequestId::Number(0)),
            session: RequestContext::session_of(ctx).clone(),
            peer: RequestContext::peer_of(ctx).clone(),
            scope: RequestContext::scope_of(ctx).clone(),
            progress_token,
            nested: true,
            tool_failure: None,
            caller: Caller::of(ctx),
            rounds: RequestContext::input_rounds_of(ctx),
        }
    }

    /// Whether the request is of the stateless era (2026-07-28).
    pub(crate) fn stateless(&self) -> bool {
        self.session.era() == Era::Stateless
    }
}

/// Parse params (absent params read as `{}`).
pub(crate) fn parse<'a, T: Deserialize<'a>>(params: Option<&'a RawValue>) -> Result<T, Error> {
    let text = params.map_or("{}", RawValue::get);
    serde_json::from_str(text).map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

/// Serialize a result.
pub(crate) fn raw<T: Serialize>(v: &T) -> Result<Box<RawValue>, Error> {
    serde_json::value::to_raw_value(v).map_err(|e| Error::internal(e.to_string()))
}
