//! OpenTelemetry traces (feature `otel`): the server's `Otel` middleware makes one SERVER
//! span per request with the attributes of the semantic conventions for MCP, and continues
//! the trace whose context the client sent in `params._meta`; our client makes CLIENT spans
//! and sends their context. Spans go through the `tracing-opentelemetry` bridge to the
//! SDK's in-memory exporter.
//!
//! Each test sets its subscriber for its own thread (`set_default`) and runs on tokio's
//! current-thread runtime, so the server's and the client's tasks (HTTP included) report
//! to it and to no other test.

mod support;

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::middleware::Otel;
use fastmcp::server::RunningServer;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::{prompt, resource, tool, Context, Error, Server};
use opentelemetry::trace::{
    SpanId, SpanKind, Status, TraceContextExt as _, TraceId, TracerProvider as _,
};
use opentelemetry::Value;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde_json::json;
use support::modes;
use tracing::subscriber::DefaultGuard;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::Layer;

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Always fails, as a tool error (a result with `isError`).
#[tool]
async fn fail() -> Result<String, Error> {
    Err(Error::tool("no luck"))
}

/// Calls `add` through its own server (a nested call: no span of its own).
#[tool]
async fn twice(ctx: &Context) -> Result<String, Error> {
    let r = ctx.call_tool("add", json!({"a": 1, "b": 1})).await?;
    Ok(serde_json::to_string(&r).unwrap())
}

/// Today's weather.
#[resource("notes://today")]
fn today() -> String {
    "sunny".into()
}

/// Greet someone.
#[prompt]
fn greet(name: String) -> String {
    format!("Hello {name}")
}

async fn server() -> RunningServer {
    Server::new("traced", "1.0.0")
        .middleware(Otel::new())
        .tool(add)
        .tool(fail)
        .tool(twice)
        .resource(today)
        .prompt(greet)
        .start()
        .await
        .unwrap()
}

/// The spans this test's thread ends, exported to memory.
struct Traces {
    exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _guard: DefaultGuard,
}

impl Traces {
    /// Trace everything (`client_spans: false`: the client's spans are not taken, so the
    /// client sends no trace context of its own).
    fn start(client_spans: bool) -> Traces {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("otel-test"))
            .with_filter(tracing_subscriber::filter::filter_fn(move |m| {
                client_spans || m.name() != "mcp.client"
            }));
        let guard = tracing::subscriber::set_default(tracing_subscriber::registry().with(layer));
        Traces {
            exporter,
            _provider: provider,
            _guard: guard,
        }
    }

    /// The ended spans of `kind`, oldest first.
    fn of(&self, kind: SpanKind) -> Vec<SpanData> {
        let mut v: Vec<SpanData> = self
            .exporter
            .get_finished_spans()
            .unwrap()
            .into_iter()
            .filter(|s| s.span_kind == kind)
            .collect();
        v.sort_by_key(|s| s.start_time);
        v
    }

    fn reset(&self) {
        self.exporter.reset();
    }
}

/// The string value of attribute `key` of `s`.
fn attr(s: &SpanData, key: &str) -> Option<String> {
    s.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| match &kv.value {
            Value::String(v) => v.as_str().to_owned(),
            other => other.to_string(),
        })
}

/// The one span named `name` among `spans`.
fn one<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found: Vec<&SpanData> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "one span {name}: {spans:#?}");
    found[0]
}

fn version(mode: Mode) -> &'static str {
    match mode {
        Mode::Handshake(v) | Mode::Stateless(v) => v.as_str(),
        Mode::Auto => ProtocolVersion::LATEST.as_str(),
    }
}

/// Every kind of request, once, in both eras: one server span each (its parent the
/// client's span of that request; none for a handler's nested call), with the
/// conventions' name, kind and attributes.
#[tokio::test]
async fn one_server_span_per_request_with_the_conventional_attributes() {
    let traces = Traces::start(true);
    let s = server().await;
    for mode in modes() {
        traces.reset();
        let c = Client::builder()
            .mode(mode)
            .connect(s.connect_in_memory())
            .await
            .unwrap();
        c.list_tools().await.unwrap();
        assert_eq!(
            c.call_tool_as::<i64>("add", json!({"a": 1, "b": 2}))
                .await
                .unwrap(),
            3
        );
        assert!(c.call_tool("fail", json!({})).await.unwrap().is_error());
        let unknown = c.call_tool("nope", json!({})).await;
        let unknown_code = match &unknown {
            Err(e) => e.code(),
            Ok(r) => panic!("an unknown tool must be a JSON-RPC error: {r:?}"),
        };
        assert!(!c.call_tool("twice", json!({})).await.unwrap().is_error());
        c.read_resource("notes://today").await.unwrap();
        c.get_prompt("greet", json!({"name": "Ada"})).await.unwrap();

        let server = traces.of(SpanKind::Server);
        let client = traces.of(SpanKind::Client);
        // Exactly one server span per request the client sent, each the child of that
        // request's client span.
        assert_eq!(
            server.len(),
            client.len(),
            "{mode:?}: {server:#?}\n{client:#?}"
        );
        for c in &client {
            let children: Vec<&SpanData> = server
                .iter()
                .filter(|s| s.parent_span_id == c.span_context.span_id())
                .collect();
            assert_eq!(
                children.len(),
                1,
                "{mode:?}: one server span for {}",
                c.name
            );
            let child = children[0];
            assert_eq!(child.name, c.name);
            assert_eq!(child.span_context.trace_id(), c.span_context.trace_id());
            assert!(child.parent_span_is_remote);
            assert_eq!(
                attr(child, "jsonrpc.request.id"),
                attr(c, "jsonrpc.request.id")
            );
            assert_eq!(
                attr(child, "mcp.protocol.version").as_deref(),
                Some(version(mode))
            );
            assert!(attr(child, "mcp.method.name").is_some());
        }

        let list = one(&server, "tools/list");
        assert_eq!(attr(list, "mcp.method.name").as_deref(), Some("tools/list"));
        assert_eq!(attr(list, "gen_ai.tool.name"), None);
        assert_eq!(list.status, Status::Unset);

        let add_span = one(&server, "tools/call add");
        assert_eq!(
            attr(add_span, "mcp.method.name").as_deref(),
            Some("tools/call")
        );
        assert_eq!(attr(add_span, "gen_ai.tool.name").as_deref(), Some("add"));
        assert_eq!(
            attr(add_span, "gen_ai.operation.name").as_deref(),
            Some("execute_tool")
        );
        assert_eq!(attr(add_span, "error.type"), None);
        assert_eq!(add_span.status, Status::Unset);

        let fail_span = one(&server, "tools/call fail");
        assert_eq!(attr(fail_span, "error.type").as_deref(), Some("tool_error"));
        assert_eq!(attr(fail_span, "rpc.response.status_code"), None);
        assert!(
            matches!(fail_span.status, Status::Error { .. }),
            "{:?}",
            fail_span.status
        );

        let nope = one(&server, "tools/call nope");
        let code = unknown_code.to_string();
        assert_eq!(attr(nope, "error.type").as_deref(), Some(code.as_str()));
        assert_eq!(
            attr(nope, "rpc.response.status_code").as_deref(),
            Some(code.as_str())
        );
        match &nope.status {
            Status::Error { description } => assert!(description.contains("nope"), "{description}"),
            other => panic!("{other:?}"),
        }
        // The client's span of the same request says the same.
        let nope_client = one(&client, "tools/call nope");
        assert_eq!(
            attr(nope_client, "error.type").as_deref(),
            Some(code.as_str())
        );
        assert!(matches!(nope_client.status, Status::Error { .. }));
        let fail_client = one(&client, "tools/call fail");
        assert_eq!(
            attr(fail_client, "error.type").as_deref(),
            Some("tool_error")
        );

        // The nested `add` of `twice` ran inside the span of `twice`: no span of its own.
        one(&server, "tools/call twice");
        let read = one(&server, "resources/read");
        assert_eq!(
            attr(read, "mcp.resource.uri").as_deref(),
            Some("notes://today")
        );

        let prompt = one(&server, "prompts/get greet");
        assert_eq!(attr(prompt, "gen_ai.prompt.name").as_deref(), Some("greet"));
        assert_eq!(attr(prompt, "gen_ai.tool.name"), None);

        if let Mode::Handshake(_) = mode {
            let init = one(&server, "initialize");
            assert_eq!(
                attr(init, "mcp.protocol.version").as_deref(),
                Some(version(mode))
            );
        }
        // No HTTP, no session id.
        assert!(server.iter().all(|s| attr(s, "mcp.session.id").is_none()));
    }
}

/// Over Streamable HTTP on 127.0.0.1, in both eras: a trace the test starts goes on in
/// our client's span and then in the server's span (same trace id, the client's span as
/// parent), and the server span names the HTTP session (handshake era).
#[tokio::test]
async fn a_client_trace_continues_in_the_server_over_streamable_http() {
    let traces = Traces::start(true);
    let s = server().await;
    let addr = support::serve_http(&s, Default::default()).await;
    for mode in modes() {
        let c = Client::builder()
            .mode(mode)
            .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
            .await
            .unwrap();
        traces.reset();
        let root = tracing::info_span!("test.root");
        let root_trace = root.context().span().span_context().trace_id();
        let call = async { c.call_tool("add", json!({"a": 2, "b": 3})).await };
        let result = tracing::Instrument::instrument(call, root.clone()).await;
        assert!(!result.unwrap().is_error());
        drop(root);

        let client = traces.of(SpanKind::Client);
        let server = traces.of(SpanKind::Server);
        let c_span = one(&client, "tools/call add");
        let s_span = one(&server, "tools/call add");
        assert_eq!(server.len(), 1, "{mode:?}: {server:#?}");
        assert_eq!(c_span.span_context.trace_id(), root_trace, "{mode:?}");
        assert_eq!(s_span.span_context.trace_id(), root_trace, "{mode:?}");
        assert_eq!(
            s_span.parent_span_id,
            c_span.span_context.span_id(),
            "{mode:?}"
        );
        assert!(s_span.parent_span_is_remote);
        assert_eq!(
            attr(s_span, "mcp.protocol.version").as_deref(),
            Some(version(mode))
        );
        assert_eq!(
            attr(c_span, "mcp.protocol.version").as_deref(),
            Some(version(mode))
        );
        match mode {
            Mode::Handshake(_) => {
                let id = c.session_id().expect("an HTTP session");
                assert_eq!(attr(s_span, "mcp.session.id").as_deref(), Some(id.as_str()));
                assert_eq!(attr(c_span, "mcp.session.id").as_deref(), Some(id.as_str()));
            }
            _ => assert_eq!(attr(s_span, "mcp.session.id"), None),
        }
        c.close().await.unwrap();
    }
}

/// The server reads W3C trace context that any client wrote in `_meta` (here by hand, our
/// client's spans being off): the span's trace id, parent and trace state are the sent
/// ones. Without trace context the span starts a trace of its own.
#[tokio::test]
async fn the_server_continues_trace_context_written_by_hand_in_meta() {
    let traces = Traces::start(false);
    let s = server().await;
    let addr = support::serve_http(&s, Default::default()).await;
    for mode in modes() {
        let c = Client::builder()
            .mode(mode)
            .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
            .await
            .unwrap();
        traces.reset();
        let meta = json!({
            "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "tracestate": "rojo=00f067aa0ba902b7"
        });
        let params = json!({"name": "add", "arguments": {"a": 1, "b": 1}, "_meta": meta});
        c.request_value("tools/call", params, None).await.unwrap();
        c.request_value(
            "tools/call",
            json!({"name": "add", "arguments": {"a": 1, "b": 1}}),
            None,
        )
        .await
        .unwrap();

        assert!(traces.of(SpanKind::Client).is_empty());
        let server = traces.of(SpanKind::Server);
        assert_eq!(server.len(), 2, "{mode:?}: {server:#?}");
        let (sent, own) = (&server[0], &server[1]);
        assert_eq!(
            sent.span_context.trace_id(),
            TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
        );
        assert_eq!(
            sent.parent_span_id,
            SpanId::from_hex("00f067aa0ba902b7").unwrap()
        );
        assert!(sent.parent_span_is_remote);
        assert_eq!(
            sent.span_context.trace_state().header(),
            "rojo=00f067aa0ba902b7"
        );
        assert_ne!(own.span_context.trace_id(), sent.span_context.trace_id());
        assert_eq!(own.parent_span_id, SpanId::INVALID);
        c.close().await.unwrap();
    }
}
