//! The Streamable HTTP endpoint end to end, in process: the axum `Router` of a small
//! server (one tool with an `x-mcp-header` argument) gets arbitrary requests (method,
//! path, headers among those MCP reads, body) through `tower::ServiceExt::oneshot`, and
//! its whole response is read (with a time limit: a `GET` may open an endless stream).
//!
//! Checks: nothing panics; every status is one the endpoint documents (no 5xx but 503);
//! a JSON response body is JSON.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::Arbitrary;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use fastmcp_core::FnTool;
use fastmcp_protocol::{CallToolResult, Tool};
use fastmcp_server::{HttpOptions, RunningServer, Server};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use tower::ServiceExt;

/// The server, its router, the runtime that drives them and an initialized session.
struct Fixture {
    rt: tokio::runtime::Runtime,
    router: axum::Router,
    session: String,
    _running: RunningServer,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (running, router, session) = rt.block_on(async {
            let schema = json!({"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer"}}});
            let tool = FnTool::new(Tool::new("echo", schema), |_, args| async move {
                let text = args.raw().map(|r| r.get().to_owned()).unwrap_or_default();
                Ok(CallToolResult::text(text))
            });
            let running = Server::new("fuzz", "1.0.0")
                .tool(tool)
                .start()
                .await
                .expect("start");
            let router = running.streamable_http(HttpOptions::default());
            let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "fuzz", "version": "1"}}});
            let req = Request::post("/mcp")
                .header("host", "localhost")
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .body(Body::from(init.to_string()))
                .expect("request");
            let res = router.clone().oneshot(req).await.expect("infallible");
            let session = res.headers()["mcp-session-id"]
                .to_str()
                .expect("ASCII")
                .to_owned();
            (running, router, session)
        });
        Fixture {
            rt,
            router,
            session,
            _running: running,
        }
    })
}

/// Values that the server tells apart; the fuzzer adds its own.
const VALUES: &[&str] = &[
    "localhost",
    "127.0.0.1:8000",
    "[::1]:3000",
    "evil.example",
    "http://localhost:3000",
    "https://evil.example",
    "null",
    "application/json",
    "text/event-stream",
    "application/json, text/event-stream",
    "*/*",
    "text/plain",
    "application/json; charset=utf-8",
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
    "DRAFT-2026-v1",
    "initialize",
    "tools/call",
    "tools/list",
    "prompts/get",
    "resources/read",
    "tasks/get",
    "server/discover",
    "echo",
    "us-west1",
    "=?base64?dXMtd2VzdDE=?=",
    "=?base64?!!?=",
    "",
];

#[derive(Arbitrary, Debug)]
enum Value {
    Known(u8),
    /// The fixture's live session id.
    Session,
    Any(String),
}

#[derive(Arbitrary, Debug)]
enum Name {
    Host,
    Origin,
    Accept,
    ContentType,
    SessionId,
    ProtocolVersion,
    Method,
    McpName,
    Param(String),
    LastEventId,
    Authorization,
    ContentLength,
    Any(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    method: u8,
    path: Value,
    headers: Vec<(Name, Value)>,
    body: Vec<u8>,
}

fn value(f: &Fixture, v: &Value) -> String {
    match v {
        Value::Known(i) => VALUES[usize::from(*i) % VALUES.len()].to_owned(),
        Value::Session => f.session.clone(),
        Value::Any(s) => s.clone(),
    }
}

fn name(n: &Name) -> String {
    match n {
        Name::Host => "host".into(),
        Name::Origin => "origin".into(),
        Name::Accept => "accept".into(),
        Name::ContentType => "content-type".into(),
        Name::SessionId => "mcp-session-id".into(),
        Name::ProtocolVersion => "mcp-protocol-version".into(),
        Name::Method => "mcp-method".into(),
        Name::McpName => "mcp-name".into(),
        Name::Param(p) => format!("mcp-param-{p}"),
        Name::LastEventId => "last-event-id".into(),
        Name::Authorization => "authorization".into(),
        Name::ContentLength => "content-length".into(),
        Name::Any(s) => s.clone(),
    }
}

const METHODS: &[&str] = &["POST", "GET", "DELETE", "OPTIONS", "HEAD", "PUT", "PATCH"];

/// The request, or `None` when the parts do not make one (an invalid header name...).
fn request(f: &Fixture, input: &Input) -> Option<Request<Body>> {
    let path = match &input.path {
        Value::Known(i) => ["/mcp", "/mcp/", "/", "/mcp?x=1", "/sse"][usize::from(*i) % 5].into(),
        p => value(f, p),
    };
    let method = METHODS[usize::from(input.method) % METHODS.len()];
    let mut b = Request::builder().method(method).uri(path);
    for (n, v) in &input.headers {
        b = b.header(name(n), value(f, v));
    }
    b.body(Body::from(input.body.clone())).ok()
}

fuzz_target!(|input: Input| {
    let f = fixture();
    let Some(req) = request(f, &input) else {
        return;
    };
    f.rt.block_on(async {
        let res = f.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let json = res
            .headers()
            .get("content-type")
            .is_some_and(|c| c.as_bytes().starts_with(b"application/json"));
        let body = tokio::time::timeout(Duration::from_millis(50), res.into_body().collect()).await;
        assert!(
            matches!(
                status.as_u16(),
                200 | 202 | 204 | 400 | 401 | 403 | 404 | 405 | 406 | 409 | 413 | 415 | 422 | 503
            ),
            "unexpected status {status}"
        );
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        if let (true, Ok(Ok(body))) = (json, body) {
            let bytes = body.to_bytes();
            if !bytes.is_empty() {
                assert!(
                    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok(),
                    "a JSON response is not JSON: {bytes:?}"
                );
            }
        }
    });
});
