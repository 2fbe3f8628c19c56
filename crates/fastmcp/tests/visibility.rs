//! Tags, visibility and versions of components (feature S9): tags in `_meta`, include and
//! exclude by tag (on the server and on one provider), global enable and disable with
//! list_changed reaching clients, per-session hiding, several versions of one tool (the
//! default, explicit selection through `_meta`, unknown versions, the chosen version's
//! output schema). In memory and over Streamable HTTP, in both eras.

mod support;

use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, Error, FnTool, IntoTool, Json};
use fastmcp::protocol::{CallToolResult, Tool};
use fastmcp::server::{
    ChangeNotifier, LocalProvider, OnDuplicate, RunningServer, TagFilter, Transformed,
};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::{prompt, resource, tool, Server};
use serde_json::{json, Value};
use support::{modes, Recorder};

/// Says hello.
#[tool(tags = ["public"])]
async fn greet() -> String {
    "hello".into()
}

/// Resets everything.
#[tool(tags = ["admin", "beta"])]
async fn reset() -> String {
    "reset".into()
}

/// Has no tag.
#[tool]
async fn plain() -> String {
    "plain".into()
}

/// Public data.
#[resource("data://public", tags = ["public"])]
fn public_data() -> String {
    "public".into()
}

/// Internal data.
#[resource("data://internal", tags("internal"))]
fn internal_data() -> String {
    "internal".into()
}

/// A user.
#[resource("users://{id}", tags = ["public"])]
fn user(id: u64) -> String {
    format!("user {id}")
}

/// An introduction.
#[prompt(tags = ["public"])]
fn intro() -> String {
    "Introduce yourself.".into()
}

/// A draft prompt.
#[prompt(tags = ["beta"])]
fn draft() -> String {
    "Draft.".into()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn report() -> FnTool {
    FnTool::typed("report", "A report.", |_: Context, _: Empty| async {
        "report"
    })
    .with_tags(["admin"])
}

/// In memory and over Streamable HTTP, in both eras, each with its recorder.
async fn clients(s: &RunningServer) -> Vec<(String, Client, Recorder)> {
    let addr = support::serve_http(s, Default::default()).await;
    let mut out = vec![];
    for mode in modes() {
        let rec = Recorder::default();
        let memory = Client::builder()
            .mode(mode)
            .handler(rec.clone())
            .connect(s.connect_in_memory())
            .await
            .unwrap();
        out.push((format!("in-memory {mode:?}"), memory, rec));
        let rec = Recorder::default();
        let http = Client::builder()
            .mode(mode)
            .handler(rec.clone())
            .connect(StreamableHttp::new(format!("http://{addr}/mcp")))
            .await
            .unwrap();
        out.push((format!("HTTP {mode:?}"), http, rec));
    }
    out
}

fn names(tools: &[Tool]) -> Vec<&str> {
    tools.iter().map(|t| t.name.as_str()).collect()
}

/// The code and message of an error, with the name replaced, to compare the error of a
/// hidden component with that of a missing one.
fn shape(e: &Error, name: &str) -> (i32, String) {
    (e.code(), e.message().replace(name, "NAME"))
}

async fn tool_error(c: &Client, name: &str) -> (i32, String) {
    let e = c.call_tool(name, json!({})).await.unwrap_err();
    shape(&e, name)
}

async fn read_error(c: &Client, uri: &str) -> (i32, String) {
    let e = c.read_resource(uri).await.unwrap_err();
    shape(&e, uri)
}

async fn prompt_error(c: &Client, name: &str) -> (i32, String) {
    let e = c.get_prompt(name, json!({})).await.unwrap_err();
    shape(&e, name)
}

#[tokio::test]
async fn tags_are_listed_and_include_exclude_filter_lists_and_calls() {
    let running = Server::new("tags", "1.0.0")
        .tool(greet)
        .tool(reset)
        .tool(plain)
        .tool(report())
        .resource(public_data)
        .resource(internal_data)
        .resource(user)
        .prompt(intro)
        .prompt(draft)
        .include_tags(["public"])
        .include_tags(["admin"])
        .exclude_tags(["beta"])
        .start()
        .await
        .unwrap();
    for (how, c, _) in clients(&running).await {
        let tools = c.list_tools().await.unwrap();
        assert_eq!(names(&tools), ["greet", "report"], "{how}");
        let meta = |t: &Tool| Value::Object(t.meta.clone().unwrap_or_default());
        assert_eq!(meta(&tools[0])["fastmcp/tags"], json!(["public"]), "{how}");
        assert_eq!(meta(&tools[1])["fastmcp/tags"], json!(["admin"]), "{how}");
        assert!(c.call_tool("greet", json!({})).await.is_ok(), "{how}");

        // Excluded (exclude wins over the included `admin`) and untagged: unknown, with
        // the same error as a tool that does not exist.
        let missing = tool_error(&c, "nope").await;
        assert_eq!(missing.0, -32602, "{how}");
        assert_eq!(tool_error(&c, "reset").await, missing, "{how}");
        assert_eq!(tool_error(&c, "plain").await, missing, "{how}");

        let resources = c.list_resources().await.unwrap();
        let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
        assert_eq!(uris, ["data://public"], "{how}");
        let tags = &resources[0].meta.as_ref().unwrap()["fastmcp/tags"];
        assert_eq!(tags, &json!(["public"]), "{how}");
        let templates = c.list_resource_templates().await.unwrap();
        assert_eq!(templates.len(), 1, "{how}");
        let tags = &templates[0].meta.as_ref().unwrap()["fastmcp/tags"];
        assert_eq!(tags, &json!(["public"]), "{how}");
        assert!(c.read_resource("users://7").await.is_ok(), "{how}");
        assert!(c.read_resource("data://public").await.is_ok(), "{how}");
        let missing = read_error(&c, "data://missing").await;
        assert_eq!(read_error(&c, "data://internal").await, missing, "{how}");

        let prompts = c.list_prompts().await.unwrap();
        let pnames: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(pnames, ["intro"], "{how}");
        let tags = &prompts[0].meta.as_ref().unwrap()["fastmcp/tags"];
        assert_eq!(tags, &json!(["public"]), "{how}");
        let missing = prompt_error(&c, "nope").await;
        assert_eq!(prompt_error(&c, "draft").await, missing, "{how}");
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_tag_filter_works_on_one_provider() {
    let provider = LocalProvider::new(ChangeNotifier::new());
    provider.add_tool(greet.into_tool()).unwrap();
    provider.add_tool(reset.into_tool()).unwrap();
    provider.add_tool(plain.into_tool()).unwrap();
    let filtered = Transformed::new(provider).with(TagFilter::new().exclude(["beta"]));
    // The server's own `report` is not filtered: the filter is the provider's.
    let running = Server::new("mounted", "1.0.0")
        .tool(report().with_tags(["beta"]))
        .provider(filtered)
        .start()
        .await
        .unwrap();
    for mode in modes() {
        let c = support::client(&running, mode, Recorder::default()).await;
        let tools = c.list_tools().await.unwrap();
        assert_eq!(names(&tools), ["report", "greet", "plain"], "{mode:?}");
        let missing = tool_error(&c, "nope").await;
        assert_eq!(tool_error(&c, "reset").await, missing, "{mode:?}");
        assert!(c.call_tool("report", json!({})).await.is_ok());
    }
    running.shutdown().await.unwrap();
}

/// How often `rec` heard `method`.
fn heard(rec: &Recorder, method: &str) -> usize {
    rec.other
        .lock()
        .unwrap()
        .iter()
        .filter(|m| *m == method)
        .count()
}

/// Waits (up to 20 s, a bound no healthy run nears) until `rec` heard `method` `n` times.
async fn hear(rec: &Recorder, method: &str, n: usize) -> bool {
    for _ in 0..2000 {
        if heard(rec, method) >= n {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn global_disable_and_enable_reach_every_client_with_list_changed() {
    let running = Server::new("toggles", "1.0.0")
        // Every toggle is counted below: no coalescing of repeats (see debounce.rs).
        .notification_debounce(std::time::Duration::ZERO)
        .tool(greet)
        .tool(reset)
        .resource(public_data)
        .prompt(intro)
        .prompt(draft)
        .start()
        .await
        .unwrap();
    let clients = clients(&running).await;
    // Stateless-era clients hear notifications through `subscriptions/listen`.
    let mut listens = vec![];
    for (_, c, rec) in &clients {
        if matches!(c.mode(), Mode::Stateless(_)) {
            let c = c.clone();
            listens.push(tokio::spawn(async move {
                let n = json!({"notifications": {
                    "toolsListChanged": true,
                    "resourcesListChanged": true,
                    "promptsListChanged": true
                }});
                c.request_value("subscriptions/listen", n, None).await
            }));
            assert!(hear(rec, "notifications/subscriptions/acknowledged", 1).await);
        }
    }
    let v = running.visibility();
    let tools_changed = "notifications/tools/list_changed";

    assert!(v.disable_tool("greet"));
    assert!(!v.disable_tool("greet"), "already disabled: no change");
    for (how, c, rec) in &clients {
        assert!(hear(rec, tools_changed, 1).await, "{how}");
        assert_eq!(names(&c.list_tools().await.unwrap()), ["reset"], "{how}");
        let missing = tool_error(c, "nope").await;
        assert_eq!(tool_error(c, "greet").await, missing, "{how}");
    }

    assert!(v.disable_tag("beta"));
    for (how, c, rec) in &clients {
        assert!(hear(rec, tools_changed, 2).await, "{how}");
        assert!(
            hear(rec, "notifications/prompts/list_changed", 1).await,
            "{how}"
        );
        assert!(c.list_tools().await.unwrap().is_empty(), "{how}");
        let prompts = c.list_prompts().await.unwrap();
        assert_eq!(prompts.len(), 1, "{how}: draft is tagged beta");
        let missing = prompt_error(c, "nope").await;
        assert_eq!(prompt_error(c, "draft").await, missing, "{how}");
    }

    assert!(v.disable_resource("data://public"));
    assert!(v.disable_prompt("intro"));
    for (how, c, rec) in &clients {
        assert!(
            hear(rec, "notifications/resources/list_changed", 2).await,
            "{how}"
        );
        assert!(c.list_resources().await.unwrap().is_empty(), "{how}");
        assert!(c.list_prompts().await.unwrap().is_empty(), "{how}");
        let missing = read_error(c, "data://missing").await;
        assert_eq!(read_error(c, "data://public").await, missing, "{how}");
    }

    assert!(v.enable_tool("greet"));
    assert!(v.enable_tag("beta"));
    assert!(v.enable_resource("data://public"));
    assert!(v.enable_prompt("intro"));
    for (how, c, rec) in &clients {
        assert!(hear(rec, tools_changed, 4).await, "{how}");
        let tools = c.list_tools().await.unwrap();
        assert_eq!(names(&tools), ["greet", "reset"], "{how}");
        assert!(c.call_tool("greet", json!({})).await.is_ok(), "{how}");
        assert_eq!(c.list_resources().await.unwrap().len(), 1, "{how}");
        assert_eq!(c.list_prompts().await.unwrap().len(), 2, "{how}");
    }
    for l in listens {
        l.abort();
    }
    running.shutdown().await.unwrap();
}

/// Hides `greet`, the `beta` tag, a resource and a prompt from its own session, then
/// tries them through nested calls (the same session) and says what it could reach.
#[tool]
async fn hide(ctx: &Context) -> Result<String, Error> {
    let s = ctx.session();
    s.disable("tool:greet");
    s.disable("tag:beta");
    s.disable("resource:data://public");
    s.disable("prompt:intro");
    s.disable("resource:users://7");
    let through_template = ctx.read_resource("users://7").await.is_ok();
    let other_uri = ctx.read_resource("users://8").await.is_ok();
    if through_template || !other_uri {
        return Err(Error::tool(
            "one URI of a template is hidden, the others are not",
        ));
    }
    let tool = ctx.call_tool("greet", json!({})).await.is_ok();
    let tagged = ctx.call_tool("reset", json!({})).await.is_ok();
    let resource = ctx.read_resource("data://public").await.is_ok();
    let prompt = ctx.get_prompt("intro", json!({})).await.is_ok();
    Ok(format!("{tool} {tagged} {resource} {prompt}"))
}

fn text(r: &CallToolResult) -> String {
    serde_json::to_value(r).unwrap()["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_session_hides_components_from_itself_only() {
    let running = Server::new("sessions", "1.0.0")
        .tool(greet)
        .tool(reset)
        .tool(hide)
        .resource(public_data)
        .resource(user)
        .prompt(intro)
        .start()
        .await
        .unwrap();
    let addr = support::serve_http(&running, Default::default()).await;
    for mode in modes() {
        for over_http in [false, true] {
            let build = || Client::builder().mode(mode);
            let url = format!("http://{addr}/mcp");
            let (a, b) = if over_http {
                (
                    build().connect(StreamableHttp::new(&url)).await.unwrap(),
                    build().connect(StreamableHttp::new(&url)).await.unwrap(),
                )
            } else {
                (
                    build().connect(running.connect_in_memory()).await.unwrap(),
                    build().connect(running.connect_in_memory()).await.unwrap(),
                )
            };
            let how = format!("{mode:?} http={over_http}");
            // Within the hiding request (nested calls share its session) nothing is reached.
            let r = a.call_tool("hide", json!({})).await.unwrap();
            assert_eq!(text(&r), "false false false false", "{how}");
            if matches!(mode, Mode::Handshake(_)) {
                // The session lasts: later requests of `a` do not see them either.
                assert_eq!(names(&a.list_tools().await.unwrap()), ["hide"], "{how}");
                assert!(a.list_resources().await.unwrap().is_empty(), "{how}");
                assert!(a.list_prompts().await.unwrap().is_empty(), "{how}");
                let missing = tool_error(&a, "nope").await;
                assert_eq!(tool_error(&a, "greet").await, missing, "{how}");
            }
            // Another session sees everything.
            let tools = b.list_tools().await.unwrap();
            assert_eq!(names(&tools), ["greet", "reset", "hide"], "{how}");
            assert!(b.call_tool("greet", json!({})).await.is_ok(), "{how}");
            assert!(b.read_resource("data://public").await.is_ok(), "{how}");
            assert!(b.read_resource("users://7").await.is_ok(), "{how}");
            assert!(b.get_prompt("intro", json!({})).await.is_ok(), "{how}");
        }
    }
    running.shutdown().await.unwrap();
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Sum {
    sum: i64,
}

/// Adds two numbers (version 1: `{"sum": ...}`).
#[tool(name = "add", version = "1.0.0", tags = ["math"])]
async fn add_v1(a: i64, b: i64) -> Json<Sum> {
    Json(Sum { sum: a + b })
}

/// Version 2 of `add` declares `{"total": ...}` but (a bug) returns v1's shape when asked,
/// so that the same structured result meets both schemas.
fn add_v2() -> FnTool {
    let schema = json!({
        "type": "object",
        "properties": {"total": {"type": "integer"}},
        "required": ["total"]
    });
    let mut def = Tool::new(
        "add",
        json!({"type": "object", "properties": {"a": {}, "b": {}, "old_shape": {}}}),
    );
    def.output_schema = Some(schema);
    FnTool::new(def, |_, args| async move {
        let m = args.to_map()?;
        let n = |k: &str| m.get(k).and_then(Value::as_i64).unwrap_or(0);
        let key = if m.get("old_shape") == Some(&json!(true)) {
            "sum"
        } else {
            "total"
        };
        let out = json!({ key: n("a") + n("b") });
        let mut r = CallToolResult::text(out.to_string());
        r.structured_content = Some(out);
        Ok(r)
    })
    .with_version("2.0.0")
}

/// Calls `add` in `version` (none: the default).
async fn add(c: &Client, version: Option<&str>, args: Value) -> Result<Value, Error> {
    let mut params = json!({"name": "add", "arguments": args});
    if let Some(v) = version {
        params["_meta"] = json!({"fastmcp/version": v});
    }
    c.request_value("tools/call", params, None).await
}

#[tokio::test]
async fn versions_default_selection_unknown_and_output_schema_of_the_chosen_one() {
    let running = Server::new("versions", "1.0.0")
        .tool(add_v2())
        .tool(add_v1)
        .tool(greet)
        .start()
        .await
        .unwrap();
    for (how, c, _) in clients(&running).await {
        let tools = c.list_tools().await.unwrap();
        assert_eq!(names(&tools), ["add", "greet"], "{how}: one entry per name");
        let meta = tools[0].meta.clone().unwrap();
        assert_eq!(meta["fastmcp/version"], "2.0.0", "{how}: the highest");
        assert_eq!(meta["fastmcp/versions"], json!(["2.0.0", "1.0.0"]), "{how}");
        assert!(tools[0].output_schema.as_ref().unwrap()["required"] == json!(["total"]));

        // The default is 2.0.0.
        let r = add(&c, None, json!({"a": 1, "b": 2})).await.unwrap();
        assert_eq!(r["structuredContent"], json!({"total": 3}), "{how}");
        // Version 1 chosen explicitly.
        let r = add(&c, Some("1.0.0"), json!({"a": 1, "b": 2}))
            .await
            .unwrap();
        assert_eq!(r["structuredContent"], json!({"sum": 3}), "{how}");
        assert_eq!(r["isError"], Value::Null, "{how}");

        // `{"sum": 3}` fits 1.0.0's schema (above) but not 2.0.0's: refused there.
        let args = json!({"a": 1, "b": 2, "old_shape": true});
        for v in [Some("2.0.0"), None] {
            let r = add(&c, v, args.clone()).await.unwrap();
            assert_eq!(r["isError"], true, "{how} {v:?}: {r}");
            let msg = r["content"][0]["text"].as_str().unwrap();
            assert!(msg.contains("Output validation error"), "{how}: {msg}");
            assert!(msg.contains("version 2.0.0"), "{how}: {msg}");
        }

        // An unknown version: invalid params naming the versions there are.
        let e = add(&c, Some("3.0.0"), json!({"a": 1, "b": 2}))
            .await
            .unwrap_err();
        assert_eq!(e.code(), -32602, "{how}");
        assert!(
            e.message().contains("2.0.0, 1.0.0"),
            "{how}: {}",
            e.message()
        );
        assert_eq!(
            e.data().unwrap()["availableVersions"],
            json!(["2.0.0", "1.0.0"])
        );
        let e = add(&c, Some("1.0.0"), json!(1)).await.unwrap_err();
        assert_eq!(e.code(), -32602, "{how}: arguments must be an object");
        let bad = json!({"name": "add", "arguments": {}, "_meta": {"fastmcp/version": 2}});
        let e = c.request_value("tools/call", bad, None).await.unwrap_err();
        assert_eq!(e.code(), -32602, "{how}: a version is a string");

        // A tool without versions has none to choose.
        let e = c
            .request_value(
                "tools/call",
                json!({"name": "greet", "_meta": {"fastmcp/version": "x"}}),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), -32602, "{how}");
        assert!(
            e.message().contains("not versioned"),
            "{how}: {}",
            e.message()
        );
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_default_version_can_be_chosen_and_duplicates_follow_the_policy() {
    let running = Server::new("versions", "1.0.0")
        .default_tool_version("add", "1.0.0")
        .tool(add_v1)
        .tool(add_v2())
        .start()
        .await
        .unwrap();
    let c = support::client(&running, modes()[0], Recorder::default()).await;
    let tools = c.list_tools().await.unwrap();
    assert_eq!(tools[0].meta.as_ref().unwrap()["fastmcp/version"], "1.0.0");
    let r = add(&c, None, json!({"a": 2, "b": 2})).await.unwrap();
    assert_eq!(r["structuredContent"], json!({"sum": 4}));
    running.shutdown().await.unwrap();

    // The same name and version twice, under OnDuplicate::Error: the start fails.
    let e = Server::new("dup", "1.0.0")
        .on_duplicate(OnDuplicate::Error)
        .tool(add_v1)
        .tool(add_v2())
        .tool(add_v2())
        .start()
        .await
        .err()
        .expect("a duplicate version is refused");
    assert!(e.message().contains("add@2.0.0"), "{}", e.message());
    // Under Replace the second one wins; other versions stay.
    let running = Server::new("dup", "1.0.0")
        .on_duplicate(OnDuplicate::Replace)
        .tool(add_v1)
        .tool(add_v2())
        .tool(add_v2().with_version("1.0.0"))
        .start()
        .await
        .unwrap();
    let c = support::client(&running, modes()[1], Recorder::default()).await;
    let r = add(&c, Some("1.0.0"), json!({"a": 1, "b": 1}))
        .await
        .unwrap();
    assert_eq!(r["structuredContent"], json!({"total": 2}), "replaced");
    let tools = c.list_tools().await.unwrap();
    let meta = tools[0].meta.as_ref().unwrap();
    assert_eq!(meta["fastmcp/versions"], json!(["2.0.0", "1.0.0"]));
    running.shutdown().await.unwrap();
}
