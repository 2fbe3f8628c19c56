//! A tool's `structuredContent` checked against its output schema: the schema of the
//! version that ran (a versioned tool's versions may have different schemas).
//!
//! A result that does not fit becomes a tool error (`isError: true`) that says why, as
//! the specification requires structured results to conform to the declared schema. Tool
//! errors, results without `structuredContent` and tools without an output schema pass
//! unchanged. The schema is compiled once per tool version, on the first result checked.

use fastmcp_protocol::CallToolResult;

use crate::provider::ToolEntry;

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
