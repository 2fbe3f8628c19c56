//! Typed middleware (`Server::middleware`): hook order across two middleware,
//! short-circuits, list filtering, errors raised in a hook, nested calls; in memory, over
//! Streamable HTTP (both eras) and over stdio to a child process. The hooks' log is read
//! through the server's own `log` tool (which the middleware leave out), so the same checks
//! run against a server in another process.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fastmcp::client::Client;
use fastmcp::core::{BoxFuture, Context, Error, ErrorKind, FnTool};
use fastmcp::protocol::jsonrpc::to_raw;
use fastmcp::protocol::{CallToolResult, ListToolsResult};
use fastmcp::server::{CallNext, McpRequest, Middleware};
use fastmcp::{tool, Server};
use serde_json::json;
use serde_json::value::RawValue;

type Answer<'a> = BoxFuture<'a, Result<Box<RawValue>, Error>>;
type Log = Arc<Mutex<Vec<String>>>;

static HANDLED: AtomicUsize = AtomicUsize::new(0);

/// Says hello.
#[tool]
async fn hello() -> String {
    HANDLED.fetch_add(1, Ordering::SeqCst);
    "hello".into()
}

/// Never runs: the middleware answers for it.
#[tool]
async fn blocked() -> String {
    unreachable!("the middleware short-circuits this tool")
}

/// Hidden from lists by the middleware.
#[tool]
async fn admin_reset() -> String {
    "reset".into()
}

/// Calls `hello` through its own server.
#[tool]
async fn twice(ctx: &Context) -> Result<String, Error> {
    let r = ctx.call_tool("hello", json!({})).await?;
    Ok(format!("nested: {}", serde_json::to_string(&r).unwrap()))
}

/// Records its hooks in `log` under `name`.
struct Recording {
    name: &'static str,
    log: Log,
}

/// The `log` tool is left out of the log it reads.
fn quiet(req: &McpRequest) -> bool {
    req.tool_name().as_deref() == Some("log")
}

impl Recording {
    fn note(&self, what: &str, req: &McpRequest) {
        if quiet(req) {
            return;
        }
        let nested = if req.is_nested() { " (nested)" } else { "" };
        let entry = format!("{}:{what}{nested}", self.name);
        self.log.lock().unwrap().push(entry);
    }
}

impl Middleware for Recording {
    fn on_message(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        self.note("message", &req);
        let quiet = quiet(&req);
        Box::pin(async move {
            let r = next.run(req).await;
            if !quiet {
                self.log.lock().unwrap().push(format!("{}:done", self.name));
            }
            r
        })
    }

    fn on_request(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        self.note("request", &req);
        next.run(req)
    }

    fn on_call_tool(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        self.note("call_tool", &req);
        next.run(req)
    }
}

/// Short-circuits `blocked`, hides `admin_*`, refuses to read `secret://`.
struct Guard;

impl Middleware for Guard {
    fn on_call_tool(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        Box::pin(async move {
            if req.tool_name().as_deref() == Some("blocked") {
                return Ok(to_raw(&CallToolResult::text("intercepted")));
            }
            next.run(req).await
        })
    }

    fn on_list_tools(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        Box::pin(async move {
            let mut list: ListToolsResult = next.run_as(req).await?;
            list.tools.retain(|t| !t.name.starts_with("admin_"));
            Ok(to_raw(&list))
        })
    }

    fn on_read_resource(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        Box::pin(async move {
            if req
                .resource_uri()
                .is_some_and(|u| u.starts_with("secret://"))
            {
                return Err(Error::invalid_params("secret resources are not served"));
            }
            next.run(req).await
        })
    }
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn server(log: &Log) -> Server {
    let read = log.clone();
    Server::new("middleware", "0")
        .tool(FnTool::typed("log", "", move |_: Context, _: Empty| {
            let entries = std::mem::take(&mut *read.lock().unwrap());
            async move { entries.join("\n") }
        }))
        .tool(hello)
        .tool(blocked)
        .tool(admin_reset)
        .tool(twice)
        .middleware(Recording {
            name: "outer",
            log: log.clone(),
        })
        .middleware(Guard)
        .middleware(Recording {
            name: "inner",
            log: log.clone(),
        })
}

/// The hooks run since the last look, read through the `log` tool.
async fn take(c: &Client) -> Vec<String> {
    let r = c.call_tool("log", json!({})).await.unwrap();
    let v = serde_json::to_value(&r).unwrap();
    let text = v["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    text.lines().map(str::to_owned).collect()
}

/// Every check, against one client.
async fn exercise(name: &str, c: &Client) {
    take(c).await;
    let r = c.call_tool("hello", json!({})).await.unwrap();
    assert!(!r.is_error.unwrap_or(false), "{name}");
    assert_eq!(
        take(c).await,
        [
            "outer:message",
            "outer:request",
            "outer:call_tool",
            "inner:message",
            "inner:request",
            "inner:call_tool",
            "inner:done",
            "outer:done"
        ],
        "{name}: the first middleware added is outermost"
    );
    // Short-circuit: the handler never runs, the inner middleware sees nothing.
    let r = c.call_tool("blocked", json!({})).await.unwrap();
    assert!(
        serde_json::to_string(&r).unwrap().contains("intercepted"),
        "{name}"
    );
    let seen = take(c).await;
    assert!(
        !seen.is_empty() && !seen.iter().any(|e| e.starts_with("inner:")),
        "{name}: nothing past a short-circuit runs: {seen:?}"
    );
    // List filtering.
    let tools = c.list_tools().await.unwrap();
    let names: Vec<_> = tools.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"hello") && !names.contains(&"admin_reset"),
        "{name}: {names:?}"
    );
    // An error raised inside a middleware reaches the client as such.
    let e = c.read_resource("secret://x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParams, "{name}: {e}");
    assert!(e.message().contains("secret resources"), "{name}: {e}");
    // Nested calls of handlers go through the chain too.
    take(c).await;
    c.call_tool("twice", json!({})).await.unwrap();
    let seen = take(c).await;
    assert!(
        seen.contains(&"inner:call_tool (nested)".to_owned()),
        "{name}: {seen:?}"
    );
}

#[tokio::test]
async fn hooks_run_in_order_short_circuit_filter_and_fail_in_memory_and_over_http() {
    let log = Log::default();
    let s = server(&log).start().await.unwrap();
    let before = HANDLED.load(Ordering::SeqCst);
    for (name, c) in support::memory_and_http_clients(&s).await {
        exercise(&name, &c).await;
    }
    assert_eq!(
        HANDLED.load(Ordering::SeqCst),
        before + 8,
        "hello ran, nested included"
    );
}

/// The server of `over_stdio_to_a_child_process`, run when `MIDDLEWARE_CHILD` is set.
#[test]
fn child_stdio_server() {
    support::serve_stdio_when("MIDDLEWARE_CHILD", || server(&Log::default()));
}

#[tokio::test]
async fn hooks_run_the_same_over_stdio_to_a_child_process() {
    let c = Client::connect(support::child_server("MIDDLEWARE_CHILD"))
        .await
        .unwrap();
    exercise("stdio child", &c).await;
}

/// Says hi (counted nowhere: `HANDLED` is for the test that counts `hello`, and the tests
/// of a binary run at once).
#[tool]
async fn hi() -> String {
    "hi".into()
}

/// A tower layer that records `name:layer` and `name:layer done` in `log` around every
/// request but the `log` tool's.
fn recording_layer(
    name: &'static str,
    log: &Log,
) -> impl tower::Layer<
    fastmcp::server::BoxMcpService,
    Service = impl tower::Service<
        McpRequest,
        Response = Box<RawValue>,
        Error = Error,
        Future = impl Send + 'static,
    > + Clone
                  + Send
                  + Sync
                  + 'static,
> + Send
       + 'static {
    use tower::ServiceExt;
    let log = log.clone();
    tower::layer::layer_fn(move |inner: fastmcp::server::BoxMcpService| {
        let log = log.clone();
        tower::service_fn(move |req: McpRequest| {
            let (log, inner) = (log.clone(), inner.clone());
            async move {
                let quiet = quiet(&req);
                if !quiet {
                    log.lock().unwrap().push(format!("{name}:layer"));
                }
                let r = inner.oneshot(req).await;
                if !quiet {
                    log.lock().unwrap().push(format!("{name}:layer done"));
                }
                r
            }
        })
    })
}

#[tokio::test]
async fn middleware_and_tower_layers_run_in_the_order_they_were_added() {
    let log = Log::default();
    let read = log.clone();
    let rec = |name| Recording {
        name,
        log: log.clone(),
    };
    let s = Server::new("mixed", "0")
        .tool(FnTool::typed("log", "", move |_: Context, _: Empty| {
            let entries = std::mem::take(&mut *read.lock().unwrap());
            async move { entries.join("\n") }
        }))
        .tool(hi)
        .middleware(rec("a"))
        .layer(recording_layer("l1", &log))
        .middleware(rec("b"))
        .middleware(rec("c"))
        .layer(recording_layer("l2", &log))
        .start()
        .await
        .unwrap();
    let message = |n: &str| {
        [":message", ":request", ":call_tool"]
            .iter()
            .map(|h| format!("{n}{h}"))
            .collect::<Vec<_>>()
    };
    let mut want = message("a");
    want.push("l1:layer".into());
    want.extend(message("b"));
    want.extend(message("c"));
    want.extend(
        [
            "l2:layer",
            "l2:layer done",
            "c:done",
            "b:done",
            "l1:layer done",
            "a:done",
        ]
        .map(String::from),
    );
    for (name, c) in support::memory_and_http_clients(&s).await {
        take(&c).await;
        c.call_tool("hi", json!({})).await.unwrap();
        assert_eq!(take(&c).await, want, "{name}");
    }
}

/// Overrides nothing: every hook is the trait's default.
struct PassThrough;

impl Middleware for PassThrough {}

/// Delegates `on_call_tool` to `PassThrough`'s default for `hi`, and answers `blocked`
/// itself; its `on_request` calls its own default `on_list_tools` for lists.
struct Delegating(PassThrough);

impl Middleware for Delegating {
    fn on_request(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        if req.method() == "tools/list" {
            return self.on_list_tools(req, next);
        }
        next.run(req)
    }

    fn on_call_tool(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        if req.tool_name().as_deref() == Some("blocked") {
            return Box::pin(async { Ok(to_raw(&CallToolResult::text("answered by Delegating"))) });
        }
        self.0.on_call_tool(req, next)
    }
}

#[tokio::test]
async fn hooks_that_delegate_to_default_hooks_keep_running() {
    // Default hooks pass requests on unchanged, and the chain skips them once seen; a hook
    // that calls some default hook (another middleware's, or another of its own) is not
    // one of them.
    let log = Log::default();
    let s = Server::new("delegating", "0")
        .tool(hi)
        .tool(blocked)
        .middleware(PassThrough)
        .middleware(Delegating(PassThrough))
        .middleware(Recording {
            name: "inner",
            log: log.clone(),
        })
        .start()
        .await
        .unwrap();
    for (name, c) in support::memory_and_http_clients(&s).await {
        for round in 0..3 {
            c.call_tool("hi", json!({})).await.unwrap();
            c.list_tools().await.unwrap();
            let r = c.call_tool("blocked", json!({})).await.unwrap();
            assert!(
                serde_json::to_string(&r)
                    .unwrap()
                    .contains("answered by Delegating"),
                "{name}, round {round}: {r:?}"
            );
        }
        // Every request but the short-circuited ones reached the inner middleware.
        let seen = std::mem::take(&mut *log.lock().unwrap());
        let calls = seen.iter().filter(|e| *e == "inner:call_tool").count();
        let requests = seen.iter().filter(|e| *e == "inner:request").count();
        assert_eq!(calls, 3, "{name}: {seen:?}");
        assert!(requests >= 6, "{name}: {seen:?}");
    }
}
