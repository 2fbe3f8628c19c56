//! Reading and recording how a request was answered: shared by the server's middleware and
//! the client's tracing.

use serde_json::value::RawValue;

use crate::Error;

/// Whether a `tools/call` result says `isError: true` (a tool error, answered as a result).
///
/// ```
/// use serde_json::value::RawValue;
/// let failed = RawValue::from_string(r#"{"content":[],"isError":true}"#.into()).unwrap();
/// assert!(fastmcp_core::is_tool_error(&failed));
/// let ok = RawValue::from_string(r#"{"content":[]}"#.into()).unwrap();
/// assert!(!fastmcp_core::is_tool_error(&ok));
/// ```
pub fn is_tool_error(result: &RawValue) -> bool {
    #[derive(serde::Deserialize)]
    struct Flag {
        #[serde(rename = "isError", default)]
        is_error: bool,
    }
    serde_json::from_str::<Flag>(result.get()).is_ok_and(|f| f.is_error)
}

/// Record on `span` how its request ended, with the field names of the OpenTelemetry
/// conventions: `error.type` (`tool_error` for a tool result with `isError`, else the
/// JSON-RPC code), `rpc.response.status_code` and `otel.status_*`. The span must have
/// declared those fields.
#[doc(hidden)]
pub fn record_answer(span: &tracing::Span, tool_call: bool, answer: &Result<Box<RawValue>, Error>) {
    match answer {
        Ok(result) if tool_call && is_tool_error(result) => {
            span.record("error.type", "tool_error");
            span.record("otel.status_code", "error");
        }
        Ok(_) => {}
        Err(e) => {
            let code = e.code().to_string();
            span.record("error.type", code.as_str());
            span.record("rpc.response.status_code", code.as_str());
            span.record("otel.status_description", e.message());
        }
    }
}

/// Record on `span` what a request of `method` is about, with the field names of the
/// OpenTelemetry conventions: `gen_ai.tool.name` and `gen_ai.operation.name` for a tool
/// call, `gen_ai.prompt.name` for a prompt, `mcp.resource.uri` for a resource (never in the
/// span's name: too many distinct values), and `otel.name` (`method` and the tool's or
/// prompt's `name`). The span must have declared those fields.
#[doc(hidden)]
pub fn record_target(span: &tracing::Span, method: &str, name: Option<&str>, uri: Option<&str>) {
    let target = match method {
        "tools/call" => name.inspect(|name| {
            span.record("gen_ai.tool.name", *name);
            span.record("gen_ai.operation.name", "execute_tool");
        }),
        "prompts/get" => name.inspect(|name| {
            span.record("gen_ai.prompt.name", *name);
        }),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
            if let Some(uri) = uri {
                span.record("mcp.resource.uri", uri);
            }
            None
        }
        _ => None,
    };
    match target {
        Some(t) => span.record("otel.name", format!("{method} {t}")),
        None => span.record("otel.name", method),
    };
}
