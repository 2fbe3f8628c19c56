//! Composition (`Server::mount`, `Server::import_server`): three servers mounted into one,
//! listed, called, read and completed through every transport (in memory, Streamable HTTP
//! in both eras, legacy HTTP+SSE, WebSocket, stdio to a child process); a child's
//! list_changed and resource updates reach the parent's clients; the middleware of parent
//! and child both run; a child's lifespan runs with its parent's; a static copy; collision
//! and namespace rules.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{BoxFuture, Error};
use fastmcp::prelude::*;
use fastmcp::protocol::jsonrpc::to_raw;
use fastmcp::protocol::{CallToolResult, ProtocolVersion};
use fastmcp::server::{CallNext, McpRequest, Middleware, OnDuplicate, ServerHandle};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use serde_json::json;
use serde_json::value::RawValue;
use support::{child_server, serve_http, serve_stdio_when, tool_names, Recorder};

/// Adds a line naming itself to every tool result that passes it.
struct Mark(&'static str);

impl Middleware for Mark {
    fn on_call_tool(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        Box::pin(async move {
            // An `input_required` answer (stateless era) passes as it is.
            let mut r: serde_json::Value = next.run_as(req).await?;
            if let Some(content) = r["content"].as_array_mut() {
                content.push(json!({"type": "text", "text": format!("via {}", self.0)}));
            }
            Ok(to_raw(&r))
        })
    }
}

/// Tomorrow's weather in a city.
#[tool]
async fn forecast(ctx: Context, city: String) -> Result<String, Error> {
    ctx.report_progress(0.5, Some(1.0), Some("looking")).await?;
    ctx.info(format!("forecast for {city}")).await?;
    Ok(format!("Sunny in {city}"))
}

/// Asks the client's model, then the user.
#[tool]
async fn ask(ctx: Context) -> Result<String, Error> {
    let said = ctx.sample_text("Which city?", 10).await?;
    let schema = json!({"type": "object", "properties": {}});
    let answer = ctx.elicit_raw("Confirm?", schema).await?;
    Ok(format!("{said}; {:?}", answer.action))
}

/// The cities with a forecast.
#[resource("weather://cities", mime_type = "text/plain")]
fn cities() -> String {
    "Paris, Oslo".into()
}

/// One city's page.
#[resource("weather://city/{name}")]
fn city_page(name: String) -> String {
    format!("page of {name}")
}

fn weather_topics(prefix: &str) -> Vec<String> {
    ["rain", "sun", "snow"]
        .iter()
        .filter(|t| t.starts_with(prefix))
        .map(|t| t.to_string())
        .collect()
}

/// A weather briefing.
#[prompt]
fn brief(#[arg(complete = weather_topics)] topic: String) -> String {
    format!("Brief me on {topic}")
}

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// The math server's handle, for `grow`.
static MATH: OnceLock<ServerHandle> = OnceLock::new();

/// Adds a tool to the math server (its clients hear list_changed).
#[tool]
async fn grow() -> String {
    MATH.get().unwrap().add_tool(double).unwrap();
    "grown".into()
}

/// Double a number.
#[tool]
async fn double(x: i64) -> i64 {
    2 * x
}

/// What the notes server's lifespan put in its state.
struct NotesDb(&'static str);

static NOTES_STOPPED: AtomicBool = AtomicBool::new(false);

/// Whether the notes server's lifespan ran (reads the notes server's state).
#[tool]
async fn db(notes: State<NotesDb>) -> String {
    let NotesDb(name) = &*notes;
    (*name).to_owned()
}

fn weather() -> Server {
    Server::new("weather", "1.0.0")
        .middleware(Mark("weather"))
        .tool(forecast)
        .tool(ask)
        .resource(cities)
        .resource(city_page)
        .prompt(brief)
}

fn math() -> Server {
    let s = Server::new("math", "1.0.0").tool(add).tool(grow);
    let _ = MATH.set(s.handle());
    s
}

fn notes() -> Server {
    Server::new("notes", "1.0.0").tool(db).lifespan(
        || async { Ok(NotesDb("notes-db-open")) },
        |_db: Arc<NotesDb>| async {
            NOTES_STOPPED.store(true, Ordering::SeqCst);
            Ok(())
        },
    )
}

fn composed() -> Server {
    Server::new("app", "1.0.0")
        .middleware(Mark("app"))
        .mount(weather(), "weather")
        .mount(math(), "math")
        .mount(notes(), "notes")
}

#[test]
fn child_stdio_server() {
    serve_stdio_when("FASTMCP_MOUNT_CHILD", composed);
}

fn texts(r: &CallToolResult) -> Vec<String> {
    let v = serde_json::to_value(&r.content).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["text"].as_str().map(str::to_owned))
        .collect()
}

/// Everything a client of the composed server sees, checked on `c`.
async fn exercise(c: &Client, label: &str) {
    let tools = tool_names(c).await;
    assert_eq!(
        tools,
        [
            "math_add",
            "math_grow",
            "notes_db",
            "weather_ask",
            "weather_forecast"
        ],
        "{label}"
    );
    let seen = Arc::new(Mutex::new(vec![]));
    let s = seen.clone();
    let r = c
        .call_tool_with_progress("weather_forecast", json!({"city": "Paris"}), move |p| {
            s.lock().unwrap().push(p.progress)
        })
        .await
        .unwrap();
    // The child's middleware runs inside the parent's.
    assert_eq!(
        texts(&r),
        ["Sunny in Paris", "via weather", "via app"],
        "{label}"
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [0.5],
        "{label}: the child's progress"
    );
    // The child's sampling and elicitation requests reach the parent's client (in the
    // stateless era as input requests of the parent's request).
    let r = c.call_tool("weather_ask", json!({})).await.unwrap();
    assert_eq!(
        texts(&r)[0],
        "sampled 1 message(s); Accept",
        "{label}: {r:?}"
    );
    let r = c
        .call_tool("math_add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert_eq!(texts(&r), ["5", "via app"], "{label}");
    let r = c.call_tool("notes_db", json!({})).await.unwrap();
    assert_eq!(
        texts(&r)[0],
        "notes-db-open",
        "{label}: the child's lifespan state"
    );
    let err = c.call_tool("add", json!({"a": 1, "b": 1})).await;
    assert!(
        err.is_err() || err.unwrap().is_error == Some(true),
        "{label}: un-namespaced"
    );

    let resources = c.list_resources().await.unwrap();
    let uris: Vec<_> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(uris, ["weather://weather/cities"], "{label}");
    let templates = c.list_resource_templates().await.unwrap();
    let t: Vec<_> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(t, ["weather://weather/city/{name}"], "{label}");
    let read = c.read_resource("weather://weather/cities").await.unwrap();
    let v = serde_json::to_value(&read.contents).unwrap();
    assert_eq!(v[0]["uri"], "weather://weather/cities", "{label}");
    assert_eq!(v[0]["text"], "Paris, Oslo", "{label}");
    let read = c
        .read_resource("weather://weather/city/oslo")
        .await
        .unwrap();
    let v = serde_json::to_value(&read.contents).unwrap();
    assert_eq!(v[0]["uri"], "weather://weather/city/oslo", "{label}");
    assert_eq!(v[0]["text"], "page of oslo", "{label}");
    assert!(
        c.read_resource("weather://cities").await.is_err(),
        "{label}"
    );

    let prompts = c.list_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "weather_brief", "{label}");
    let got = c
        .get_prompt("weather_brief", json!({"topic": "rain"}))
        .await
        .unwrap();
    let v = serde_json::to_value(&got.messages).unwrap();
    assert_eq!(v[0]["content"]["text"], "Brief me on rain", "{label}");
    let done = c
        .complete_prompt("weather_brief", "topic", "s")
        .await
        .unwrap();
    assert_eq!(done.completion.values, ["sun", "snow"], "{label}");
}

async fn builder(mode: Mode) -> fastmcp::client::ClientBuilder {
    Client::builder().mode(mode).handler(Recorder::default())
}

#[tokio::test]
async fn three_mounted_servers_serve_through_every_transport() {
    let running = composed().start().await.unwrap();
    let addr = serve_http(&running, Default::default()).await;
    for mode in support::modes() {
        let c = support::client(&running, mode, Recorder::default()).await;
        exercise(&c, &format!("in-memory {mode:?}")).await;
        let url = format!("http://{addr}/mcp");
        let c = builder(mode)
            .await
            .connect(StreamableHttp::new(&url))
            .await
            .unwrap();
        exercise(&c, &format!("HTTP {mode:?}")).await;
        let url = format!("ws://{addr}/ws");
        let c = builder(mode)
            .await
            .connect(WebSocket::new(&url))
            .await
            .unwrap();
        exercise(&c, &format!("WebSocket {mode:?}")).await;
    }
    let mode = Mode::Handshake(ProtocolVersion::V2025_11_25);
    let sse = LegacySse::new(format!("http://{addr}/sse"));
    let c = builder(mode).await.connect(sse).await.unwrap();
    exercise(&c, "legacy SSE").await;
    let c = builder(mode)
        .await
        .connect(child_server("FASTMCP_MOUNT_CHILD"))
        .await
        .unwrap();
    exercise(&c, "stdio").await;
    c.close().await.unwrap();
    running.shutdown().await.unwrap();
    assert!(
        NOTES_STOPPED.load(Ordering::SeqCst),
        "the child's lifespan ended"
    );
}

/// Records notifications with their params.
#[derive(Default, Clone)]
struct Notes(Arc<Mutex<Vec<(String, String)>>>);

impl ClientHandler for Notes {
    fn on_notification(&self, method: &str, params: Option<&RawValue>) {
        let p = params.map_or(String::new(), |p| p.get().to_owned());
        self.0.lock().unwrap().push((method.to_owned(), p));
    }
}

impl Notes {
    async fn wait(&self, method: &str) -> String {
        for _ in 0..500 {
            let found = self
                .0
                .lock()
                .unwrap()
                .iter()
                .find(|(m, _)| m == method)
                .cloned();
            if let Some((_, p)) = found {
                return p;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no {method} within 5 s: {:?}", self.0.lock().unwrap());
    }
}

#[tokio::test]
async fn a_childs_changes_reach_the_parents_clients() {
    let child = Server::new("child", "1.0.0").resource(cities);
    let handle = child.handle();
    let running = Server::new("app", "1.0.0")
        .mount(child, "w")
        .start()
        .await
        .unwrap();
    let addr = serve_http(&running, Default::default()).await;
    let mode = Mode::Handshake(ProtocolVersion::V2025_11_25);
    for (label, c, notes) in [
        {
            let n = Notes::default();
            let c = Client::builder().mode(mode).handler(n.clone());
            (
                "in-memory",
                c.connect(running.connect_in_memory()).await.unwrap(),
                n,
            )
        },
        {
            let n = Notes::default();
            let c = Client::builder().mode(mode).handler(n.clone());
            let t = StreamableHttp::new(format!("http://{addr}/mcp"));
            ("HTTP", c.connect(t).await.unwrap(), n)
        },
    ] {
        c.subscribe("weather://w/cities").await.unwrap();
        assert!(c.list_tools().await.unwrap().is_empty(), "{label}");
        handle.add_tool(add).unwrap();
        notes.wait("notifications/tools/list_changed").await;
        let tools = c.list_tools().await.unwrap();
        assert_eq!(tools[0].name, "w_add", "{label}");
        assert!(handle.remove_tool("add"));
        handle.notify_resource_updated("weather://cities");
        let p = notes.wait("notifications/resources/updated").await;
        let p: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!(p["uri"], "weather://w/cities", "{label}: the parent's URI");
        // Let the removal's list_changed pass before the next client starts.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_childs_tool_list_change_from_a_call_reaches_the_caller() {
    let running = composed().start().await.unwrap();
    let notes = Notes::default();
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(notes.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    c.call_tool("math_grow", json!({})).await.unwrap();
    notes.wait("notifications/tools/list_changed").await;
    let r = c.call_tool("math_double", json!({"x": 21})).await.unwrap();
    assert_eq!(texts(&r)[0], "42");
    running.shutdown().await.unwrap();
}

static PARENT_HITS: AtomicUsize = AtomicUsize::new(0);

/// The parent's own tool, named like a mounted one.
#[tool(name = "w_add")]
async fn own_add() -> String {
    PARENT_HITS.fetch_add(1, Ordering::SeqCst);
    "the parent's".into()
}

#[tokio::test]
async fn the_parents_own_components_win_and_the_first_mount_wins() {
    let first = Server::new("a", "1.0.0").tool(add);
    let second = Server::new("b", "1.0.0").tool(double).tool(add);
    let running = Server::new("app", "1.0.0")
        .tool(own_add)
        .mount(first, "w")
        .mount(second, "w")
        .start()
        .await
        .unwrap();
    let c = support::client(&running, support::modes()[0], Recorder::default()).await;
    let names = tool_names(&c).await;
    assert_eq!(names, ["w_add", "w_double"], "each name once");
    let r = c.call_tool("w_add", json!({})).await.unwrap();
    assert_eq!(texts(&r)[0], "the parent's");
    let r = c.call_tool("w_double", json!({"x": 4})).await.unwrap();
    assert_eq!(texts(&r)[0], "8");
    assert_eq!(PARENT_HITS.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_static_copy_runs_as_the_parents_own() {
    let running = Server::new("app", "1.0.0")
        .middleware(Mark("app"))
        .import_server(weather(), "copy")
        .import_server(math(), "")
        .start()
        .await
        .unwrap();
    for mode in support::modes() {
        let c = support::client(&running, mode, Recorder::default()).await;
        let names = tool_names(&c).await;
        assert_eq!(names, ["add", "copy_ask", "copy_forecast", "grow"]);
        let r = c
            .call_tool("copy_forecast", json!({"city": "Rome"}))
            .await
            .unwrap();
        // The copy runs without the child's middleware.
        assert_eq!(texts(&r), ["Sunny in Rome", "via app"]);
        let read = c.read_resource("weather://copy/city/rome").await.unwrap();
        let v = serde_json::to_value(&read.contents).unwrap();
        assert_eq!(v[0]["uri"], "weather://copy/city/rome");
        assert_eq!(v[0]["text"], "page of rome");
        let read = c.read_resource("weather://copy/cities").await.unwrap();
        let v = serde_json::to_value(&read.contents).unwrap();
        assert_eq!(v[0]["uri"], "weather://copy/cities");
        let done = c.complete_prompt("copy_brief", "topic", "r").await.unwrap();
        assert_eq!(done.completion.values, ["rain"]);
    }
}

#[tokio::test]
async fn a_collision_in_a_static_copy_follows_the_parents_policy() {
    let err = Server::new("app", "1.0.0")
        .on_duplicate(OnDuplicate::Error)
        .tool(add)
        .import_server(Server::new("m", "1.0.0").tool(add), "")
        .start()
        .await
        .err()
        .expect("a duplicate is an error");
    assert!(err.message().contains("\"add\""), "{}", err.message());
}

#[tokio::test]
async fn bad_namespaces_and_children_that_fail_stop_the_start() {
    for bad in ["a_b", "a/b", "x:y"] {
        let err = Server::new("app", "1.0.0")
            .mount(math(), bad)
            .start()
            .await
            .err()
            .expect("an ambiguous namespace is refused");
        assert!(
            err.message().contains("invalid namespace"),
            "{}",
            err.message()
        );
    }
    let failing = Server::new("f", "1.0.0")
        .on_startup(|| async { Err(Error::internal("database unreachable")) });
    let err = Server::new("app", "1.0.0")
        .mount(failing, "f")
        .start()
        .await
        .err()
        .expect("a child that fails to start fails its parent");
    assert!(
        err.message().contains("mounted as \"f\""),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("database unreachable"),
        "{}",
        err.message()
    );
}

static STEPS: AtomicUsize = AtomicUsize::new(0);
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Counts steps until cancelled.
#[tool]
async fn steps(ctx: Context) -> Result<String, Error> {
    loop {
        if ctx.sleep(Duration::from_millis(20)).await.is_err() {
            STOPPED.store(true, Ordering::SeqCst);
            return Err(Error::internal("cancelled"));
        }
        STEPS.fetch_add(1, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn cancelling_a_call_cancels_the_mounted_servers_work() {
    let running = Server::new("app", "1.0.0")
        .mount(Server::new("w", "1.0.0").tool(steps), "w")
        .start()
        .await
        .unwrap();
    let c = support::client(&running, support::modes()[0], Recorder::default()).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("w_steps", json!({})).await }
    });
    while STEPS.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    call.abort(); // the client sends notifications/cancelled
    for _ in 0..500 {
        if STOPPED.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        STOPPED.load(Ordering::SeqCst),
        "the child's handler saw the cancellation"
    );
    c.ping().await.unwrap();
}

/// Version 1 of `calc`.
#[tool(name = "calc", version = "1.0.0")]
async fn calc_v1() -> String {
    "calc 1".into()
}

/// Version 2 of `calc`.
#[tool(name = "calc", version = "2.0.0")]
async fn calc_v2() -> String {
    "calc 2".into()
}

#[tokio::test]
async fn a_mounted_or_copied_tools_versions_are_callable_by_version() {
    let versions = || Server::new("v", "1.0.0").tool(calc_v1).tool(calc_v2);
    let running = Server::new("app", "1.0.0")
        .mount(versions(), "live")
        .import_server(versions(), "copy")
        .start()
        .await
        .unwrap();
    for mode in support::modes() {
        let c = support::client(&running, mode, Recorder::default()).await;
        let tools = c.list_tools().await.unwrap();
        assert_eq!(tools.len(), 2, "one entry per name");
        for t in &tools {
            let meta = serde_json::to_value(&t.meta).unwrap();
            assert_eq!(meta["fastmcp/version"], "2.0.0", "{}", t.name);
            assert_eq!(
                meta["fastmcp/versions"],
                json!(["2.0.0", "1.0.0"]),
                "{}",
                t.name
            );
        }
        for name in ["live_calc", "copy_calc"] {
            let r = c.call_tool(name, json!({})).await.unwrap();
            assert_eq!(texts(&r)[0], "calc 2", "{name}: the default");
            let r: CallToolResult = c
                .request(
                    "tools/call",
                    json!({"name": name, "arguments": {}, "_meta": {"fastmcp/version": "1.0.0"}}),
                )
                .await
                .unwrap();
            assert_eq!(texts(&r)[0], "calc 1", "{name}: version 1.0.0");
        }
    }
}
