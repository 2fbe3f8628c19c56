//! Who may use tasks, and the errors and params the `tasks/*` methods share.

use fastmcp_core::{Error, ErrorKind, Session};
use fastmcp_protocol::{ProtocolVersion, TASKS_EXTENSION};
use serde::Deserialize;
use serde_json::json;

use crate::call::Call;
use crate::runtime::Runtime;

/// Whether this handshake-era request may use the tasks of 2025-11-25.
pub(crate) fn core_tasks_allowed(rt: &Runtime, call: &Call) -> bool {
    !call.stateless()
        && call
            .session
            .protocol_version()
            .is_some_and(|v| v >= ProtocolVersion::V2025_11_25)
        && rt.kinds().task_tools
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

pub(crate) fn unknown_task(id: &str) -> Error {
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

/// Params of `tasks/get`, `tasks/result` and `tasks/cancel`.
#[derive(Deserialize)]
pub(crate) struct TaskIdParams {
    #[serde(rename = "taskId")]
    pub(crate) task_id: String,
}
