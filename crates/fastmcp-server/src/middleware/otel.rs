//! [`Otel`]: one OpenTelemetry span per request, named and attributed as the OpenTelemetry
//! semantic conventions for MCP say, continuing the trace its client sent in `_meta`.

use std::borrow::Cow;
use std::collections::HashMap;

use fastmcp_core::{BoxFuture, Error};
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TraceContextExt;
use serde_json::value::RawValue;
use tracing::field::Empty;
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::{CallNext, Middleware};
use crate::service::McpRequest;

/// Traces every request with one `tracing` span of kind `SERVER` that a
/// `tracing-opentelemetry` layer exports as an OpenTelemetry span, with the names of the
/// OpenTelemetry semantic conventions for MCP (status *development*; the page "Semantic
/// conventions for Model Context Protocol (MCP)", `docs/gen-ai/mcp.md` of the repository
/// open-telemetry/semantic-conventions-genai, section "Server"):
///
/// - span name `{mcp.method.name} {target}`, the target being the tool or prompt name
///   (`tools/call add`), else `{mcp.method.name}` alone;
/// - `mcp.method.name`, `jsonrpc.request.id`, `mcp.session.id` (HTTP sessions),
///   `mcp.protocol.version`, `gen_ai.tool.name` and `gen_ai.operation.name` =
///   `execute_tool` (`tools/call`), `gen_ai.prompt.name` (`prompts/get`),
///   `mcp.resource.uri` (`resources/read`, `resources/subscribe`, `resources/unsubscribe`);
/// - on a JSON-RPC error: `error.type` and `rpc.response.status_code` set to its code
///   (`"-32602"`), and the span status `ERROR` with the error's message; on a tool result
///   with `isError: true`: `error.type` = `tool_error` and status `ERROR`.
///
/// The client's trace continues: the W3C trace context (`traceparent`, `tracestate`) that
/// it put in the request's `params._meta` is read with the global text-map propagator
/// (`opentelemetry::global::set_text_map_propagator`) and becomes the span's parent; the
/// span that was current when the request arrived (say, one of an HTTP layer) is linked.
/// Without a propagator set, or without trace context in `_meta`, the span's parent is the
/// current span, if any.
///
/// The spans have target `fastmcp::otel` and level `INFO`. Nothing is read from the request
/// when no subscriber takes them. Calls a handler makes into its own server
/// (`ctx.call_tool`) get no span of their own: they run inside the span of the request
/// that made them. Add `Otel` first, so that its span covers the other middleware.
///
/// ```
/// use fastmcp_server::{middleware::Otel, Server};
/// use opentelemetry_sdk::propagation::TraceContextPropagator;
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
/// use opentelemetry::trace::TracerProvider as _;
/// use tracing_subscriber::layer::SubscriberExt as _;
///
/// // W3C trace context in `_meta`, spans exported by the SDK (here to memory).
/// opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
/// let provider = SdkTracerProvider::builder()
///     .with_simple_exporter(InMemorySpanExporter::default())
///     .build();
/// let subscriber = tracing_subscriber::registry()
///     .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("my-server")));
/// tracing::subscriber::set_global_default(subscriber).unwrap();
///
/// let server = Server::new("demo", "1.0").middleware(Otel::new());
/// # let _ = server;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Otel {
    _private: (),
}

impl Otel {
    /// Trace every request.
    pub fn new() -> Self {
        Otel::default()
    }
}

impl Middleware for Otel {
    fn on_message(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        if req.is_nested() {
            return next.run(req);
        }
        let span = request_span(&req);
        if span.is_disabled() {
            return next.run(req);
        }
        let parent = remote_parent(req.params());
        if parent.span().span_context().is_valid() {
            let ambient = tracing::Span::current().context();
            let _ = span.set_parent(parent);
            let ambient = ambient.span().span_context().clone();
            span.add_link(ambient);
        }
        let session = req.session().clone();
        let tool_call = req.method() == "tools/call";
        Box::pin(async move {
            let answer = next.run(req).instrument(span.clone()).await;
            if let Some(v) = session.protocol_version() {
                span.record("mcp.protocol.version", v.as_str());
            }
            fastmcp_core::record_answer(&span, tool_call, &answer);
            answer
        })
    }
}

/// The request's span, with what is known before it runs (disabled when no subscriber
/// takes it).
fn request_span(req: &McpRequest) -> tracing::Span {
    let method = req.method();
    let span = tracing::info_span!(
        target: "fastmcp::otel",
        "mcp.server",
        otel.name = Empty,
        otel.kind = "server",
        otel.status_code = Empty,
        otel.status_description = Empty,
        "mcp.method.name" = method,
        "jsonrpc.request.id" = %req.id(),
        "mcp.session.id" = req.session().id(),
        "mcp.protocol.version" = Empty,
        "gen_ai.operation.name" = Empty,
        "gen_ai.tool.name" = Empty,
        "gen_ai.prompt.name" = Empty,
        "mcp.resource.uri" = Empty,
        "error.type" = Empty,
        "rpc.response.status_code" = Empty,
    );
    if span.is_disabled() {
        return span;
    }
    let (name, uri) = (req.tool_name(), req.resource_uri());
    fastmcp_core::record_target(&span, method, name.as_deref(), uri.as_deref());
    span
}

/// The trace context in `params._meta`, read by the global propagator (an empty context
/// when there is none).
fn remote_parent(params: Option<&RawValue>) -> opentelemetry::Context {
    let carrier = MetaCarrier::of(params);
    if carrier.0.is_empty() {
        return opentelemetry::Context::new();
    }
    opentelemetry::global::get_text_map_propagator(|p| p.extract(&carrier))
}

/// The string entries of a request's `params._meta`.
struct MetaCarrier(HashMap<String, String>);

impl MetaCarrier {
    fn of(params: Option<&RawValue>) -> MetaCarrier {
        #[derive(serde::Deserialize)]
        struct Params<'a> {
            #[serde(rename = "_meta", borrow, default)]
            meta: Option<HashMap<Cow<'a, str>, &'a RawValue>>,
        }
        let text = params.map_or("", RawValue::get);
        // Most requests carry no `_meta`: no parse for them.
        if memchr::memmem::find(text.as_bytes(), b"\"_meta\"").is_none() {
            return MetaCarrier(HashMap::new());
        }
        let meta = serde_json::from_str::<Params<'_>>(text)
            .ok()
            .and_then(|p| p.meta)
            .unwrap_or_default();
        let strings = meta
            .into_iter()
            .filter_map(|(k, v)| Some((k.into_owned(), serde_json::from_str(v.get()).ok()?)))
            .collect();
        MetaCarrier(strings)
    }
}

impl Extractor for MetaCarrier {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_owned()).unwrap()
    }

    #[test]
    fn the_carrier_holds_the_string_entries_of_meta() {
        let p =
            raw(r#"{"name":"x","_meta":{"traceparent":"00-ab","n":1,"o":{},"tracestate":"a=b"}}"#);
        let c = MetaCarrier::of(Some(&p));
        assert_eq!(c.get("traceparent"), Some("00-ab"));
        assert_eq!(c.get("tracestate"), Some("a=b"));
        assert_eq!(c.get("n"), None);
        assert_eq!(c.keys().len(), 2);
        for bad in [r#"{"_meta":3}"#, r#"{"_meta":null}"#, r#"["_meta"]"#, "{}"] {
            assert!(MetaCarrier::of(Some(&raw(bad))).0.is_empty(), "{bad}");
        }
        assert!(MetaCarrier::of(None).0.is_empty());
    }

    #[test]
    fn tool_errors_are_told_from_results() {
        assert!(fastmcp_core::is_tool_error(&raw(
            r#"{"content":[],"isError":true}"#
        )));
        assert!(!fastmcp_core::is_tool_error(&raw(
            r#"{"content":[{"type":"text","text":"\"isError\":true"}]}"#
        )));
        assert!(!fastmcp_core::is_tool_error(&raw(r#"{"isError":false}"#)));
    }
}
