//! What a tool's run ends with, as a `tools/call` result: failures of the tool itself are
//! results with `isError: true`; protocol errors, cancellations and panics are errors.

use fastmcp_core::{Error, ErrorKind, Outcome};
use fastmcp_protocol::CallToolResult;

use crate::call::{Call, ToolFailure};
use crate::config::ServerConfig;

/// The result of tool `name`'s run, or the error the request ends with.
pub(crate) fn tool_outcome(
    config: &ServerConfig,
    name: &str,
    outcome: Outcome<CallToolResult>,
) -> Result<CallToolResult, Error> {
    tool_outcome_of(config, name, outcome, None)
}

/// [`tool_outcome`] for `call`: a failure of the tool that becomes a result is kept where
/// the call's middleware asked for it (see [`Call::tool_failure`]).
pub(crate) fn tool_outcome_for(
    config: &ServerConfig,
    name: &str,
    outcome: Outcome<CallToolResult>,
    call: &Call,
) -> Result<CallToolResult, Error> {
    tool_outcome_of(config, name, outcome, call.tool_failure.as_ref())
}

fn tool_outcome_of(
    config: &ServerConfig,
    name: &str,
    outcome: Outcome<CallToolResult>,
    keep: Option<&ToolFailure>,
) -> Result<CallToolResult, Error> {
    match outcome {
        Outcome::Ok(r) => Ok(r),
        Outcome::Err(e) => {
            let text = match e.kind() {
                ErrorKind::Tool | ErrorKind::InvalidParams | ErrorKind::Remote(_) => {
                    e.message().to_owned()
                }
                ErrorKind::Internal | ErrorKind::Transport if config.mask_error_details => {
                    format!("Error calling tool '{name}'")
                }
                ErrorKind::Internal | ErrorKind::Transport => {
                    format!("Error calling tool '{name}': {}", e.message())
                }
                _ => return Err(e),
            };
            if let Some(slot) = keep {
                *crate::lock::lock(slot) = Some(e);
            }
            Ok(CallToolResult::error_text(text))
        }
        other => Err(other
            .into_result()
            .err()
            .unwrap_or_else(|| Error::internal("a run ended without an outcome"))),
    }
}

/// A tool result stamped for the request's era.
pub(crate) fn tool_result(call: &Call, mut r: CallToolResult) -> CallToolResult {
    if call.stateless() {
        r.result_type = Some(fastmcp_protocol::ResultType::Complete);
    }
    r
}
