//! Fixtures of the tasks extension scenarios (`tasks-*`, `io.modelcontextprotocol/tasks`,
//! SEP-2663, 2026-07-28, not scored). The framework has no task support yet, so only the
//! synchronous tool is here; the task-supporting ones (`slow_compute`, `failing_job`,
//! `protocol_error_job`, `confirm_delete`, `multi_input`, `test_tool_with_task`) wait for
//! it (see SUITE_STATUS.md).

use fastmcp::prelude::*;

/// Greets someone; the synchronous (never a task) tool of the tasks scenarios.
#[tool]
async fn greet(#[arg(description = "Who to greet")] name: String) -> String {
    format!("Hello, {name}!")
}

/// Register the fixtures of this module.
pub fn register(server: Server) -> Server {
    server.tool(greet)
}
