//! What a tool's run ends with, as a `tools/call` result: failures of the tool itself are
//! results with `isError: true`; protocol errors, cancellations and panics are errors.

use fastmcp_core::{Error, ErrorKind, Outcome};
use fastmcp_protocol::CallToolResult;

use crate::call::Call;
use crate::config::ServerConfig;

/// The result of tool `name`'s run, or the error the request ends with.
pub(crate) fn tool_outcome(
    config: &ServerConfig,
    name: &str,
    outcome: Outcome<CallToolResult>,
) -> Result<CallToolResult, Error> {
    match outcome {
        Outcome::Ok(r) => Ok(r),
        Outcome::Err(e) => match e.kind() {
            ErrorKind::Tool | ErrorKind::InvalidParams | ErrorKind::Remote(_) => {
                Ok(CallToolResult::error_text(e.message().to_owned()))
            }
            ErrorKind::Internal | ErrorKind::Transport => {
                let msg = if config.mask_error_details {
                    format!("Error calling tool '{name}'")
                } else {
                    format!("Error calling tool '{name}': {}", e.message())
                };
                Ok(CallToolResult::error_text(msg))
            }
            _ => Err(e),
        },
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
