//! A tool's `structuredContent` checked against its output schema: the schema of the
//! version that ran (a versioned tool's versions may have different schemas).
//!
//! A result that does not fit becomes a tool error (`isError: true`) that says why, as
//! the specification requires structured results to conform to the declared schema. Tool
//! errors, results without `structuredContent` and tools without an output schema pass
//! unchanged. The schema is compiled once per tool version, on the first result checked.

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, TaskStart, ToolArguments, ToolHandler};
use fastmcp_protocol::{CallToolResult, TaskSupport, Tool};

use crate::provider::ToolEntry;

/// `entry`'s handler, its results checked like those of a direct call: for the runs that
/// leave the request (task-augmented calls). The handler itself when there is no output
/// schema to check.
pub(crate) fn checked_handler(entry: &ToolEntry) -> Arc<dyn ToolHandler> {
    let handler = entry.handler().clone();
    if handler.tool().output_schema.is_none() {
        return handler;
    }
    Arc::new(Checked(entry.clone()))
}

/// A tool whose results are checked against its output schema.
struct Checked(ToolEntry);

impl ToolHandler for Checked {
    fn tool(&self) -> &Tool {
        self.0.handler().tool()
    }

    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        let run = self.0.handler().clone().call(ctx, args);
        Box::pin(async move { run.await.map(|r| check_output(&self.0, r)) })
    }

    fn timeout(&self) -> Option<std::time::Duration> {
        self.0.handler().timeout()
    }

    fn task_support(&self) -> TaskSupport {
        self.0.handler().task_support()
    }

    fn task_start(&self) -> TaskStart {
        self.0.handler().task_start()
    }
}

/// `r` if it fits `entry`'s output schema, else a tool error naming the mismatch.
pub(crate) fn check_output(entry: &ToolEntry, r: CallToolResult) -> CallToolResult {
    if r.is_error == Some(true) {
        return r;
    }
    let Some(structured) = &r.structured_content else {
        return r;
    };
    let def = entry.handler().tool();
    let Some(schema) = &def.output_schema else {
        return r;
    };
    let validator = entry.output_validator.get_or_init(|| {
        jsonschema::validator_for(schema)
            .map_err(|e| tracing::warn!("tool {:?}: output schema not checked: {e}", def.name))
            .ok()
    });
    let Some(validator) = validator else {
        return r;
    };
    let Err(e) = validator.validate(structured) else {
        return r;
    };
    let version = entry
        .version()
        .map(|v| format!(" (version {v})"))
        .unwrap_or_default();
    let at = e.instance_path().to_string();
    let at = if at.is_empty() { "/".to_owned() } else { at };
    CallToolResult::error_text(format!(
        "Output validation error: the structured result of tool '{}'{version} does not \
         match its output schema at {at}: {e}",
        def.name
    ))
}
