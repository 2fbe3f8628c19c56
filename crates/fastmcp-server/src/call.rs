//! One request on its way through the methods, and the reading and writing of params and
//! results every method shares.

use std::sync::Arc;

use fastmcp_core::{Error, Peer, Scope, Session};
use fastmcp_protocol::{Era, ProgressToken, RequestId};
use serde::de::DeserializeOwned;
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
}

/// The error a tool failed with, once its run ended (see [`Call::tool_failure`]).
pub(crate) type ToolFailure = Arc<std::sync::Mutex<Option<fastmcp_core::Error>>>;

impl Call {
    /// Whether the request is of the stateless era (2026-07-28).
    pub(crate) fn stateless(&self) -> bool {
        self.session.era() == Era::Stateless
    }
}

/// Parse params (absent params read as `{}`).
pub(crate) fn parse<T: DeserializeOwned>(params: Option<&RawValue>) -> Result<T, Error> {
    let text = params.map_or("{}", RawValue::get);
    serde_json::from_str(text).map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))
}

/// Serialize a result.
pub(crate) fn raw<T: Serialize>(v: &T) -> Result<Box<RawValue>, Error> {
    serde_json::value::to_raw_value(v).map_err(|e| Error::internal(e.to_string()))
}
