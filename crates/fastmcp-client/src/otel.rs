//! OpenTelemetry traces of the client (feature `otel`): one `CLIENT` span per request,
//! whose trace context goes to the server in the request's `params._meta`.
//!
//! The span follows the OpenTelemetry semantic conventions for MCP (status *development*;
//! the page "Semantic conventions for Model Context Protocol (MCP)", `docs/gen-ai/mcp.md`
//! of the repository open-telemetry/semantic-conventions-genai, sections "Client" and
//! "Context propagation"): name `{mcp.method.name} {target}` (the tool or prompt name),
//! kind `CLIENT`, attributes `mcp.method.name`, `jsonrpc.request.id`, `mcp.session.id`,
//! `mcp.protocol.version`, `gen_ai.tool.name`, `gen_ai.operation.name`,
//! `gen_ai.prompt.name`, `mcp.resource.uri`, and on failure `error.type`,
//! `rpc.response.status_code` and status `ERROR`. It is a `tracing` span (target
//! `fastmcp::otel`, level `INFO`) that a `tracing-opentelemetry` layer exports; its parent
//! is the current span. The context is written by the global text-map propagator
//! (`opentelemetry::global::set_text_map_propagator`), so with `TraceContextPropagator`
//! the request carries `traceparent` (and `tracestate`) in `_meta`.

use std::borrow::Cow;
use std::future::Future;

use fastmcp_core::Error;
use fastmcp_protocol::{ProtocolVersion, RequestId};
use opentelemetry::propagation::Injector;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tracing::field::Empty;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// What a request's span is made of.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) id: &'a RequestId,
    pub(crate) session_id: Option<String>,
    pub(crate) version: ProtocolVersion,
}

/// The span of a request and its params with the span's trace context in `_meta` (the
/// params unchanged when no subscriber takes the span).
pub(crate) fn start<'p>(r: Request<'_>, params: &'p Value) -> (tracing::Span, Cow<'p, Value>) {
    let method = r.method;
    let span = tracing::info_span!(
        target: "fastmcp::otel",
        "mcp.client",
        otel.name = Empty,
        otel.kind = "client",
        otel.status_code = Empty,
        otel.status_description = Empty,
        "mcp.method.name" = method,
        "jsonrpc.request.id" = %r.id,
        "mcp.session.id" = r.session_id.as_deref(),
        "mcp.protocol.version" = r.version.as_str(),
        "gen_ai.operation.name" = Empty,
        "gen_ai.tool.name" = Empty,
        "gen_ai.prompt.name" = Empty,
        "mcp.resource.uri" = Empty,
        "error.type" = Empty,
        "rpc.response.status_code" = Empty,
    );
    if span.is_disabled() {
        return (span, Cow::Borrowed(params));
    }
    let text = |k: &str| params.get(k).and_then(Value::as_str);
    fastmcp_core::record_target(&span, method, text("name"), text("uri"));
    let mut meta = MetaInjector(Map::new());
    let cx = span.context();
    opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&cx, &mut meta));
    if meta.0.is_empty() {
        return (span, Cow::Borrowed(params));
    }
    let mut params = params.clone();
    match params.get_mut("_meta").and_then(Value::as_object_mut) {
        Some(m) => m.extend(meta.0),
        None => params["_meta"] = Value::Object(meta.0),
    }
    (span, Cow::Owned(params))
}

/// Run the request `fut` in its span, and record how it ended.
pub(crate) async fn traced(
    span: tracing::Span,
    method: &str,
    fut: impl Future<Output = Result<Box<RawValue>, Error>>,
) -> Result<Box<RawValue>, Error> {
    let answer = fut.instrument(span.clone()).await;
    fastmcp_core::record_answer(&span, method == "tools/call", &answer);
    answer
}

/// Writes the propagator's entries into a `_meta` object.
struct MetaInjector(Map<String, Value>);

impl Injector for MetaInjector {
    fn set(&mut self, key: &str, value: String) {
        self.0.insert(key.to_owned(), Value::String(value));
    }
}
