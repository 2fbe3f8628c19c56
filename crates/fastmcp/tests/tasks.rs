//! The tasks extension (`io.modelcontextprotocol/tasks`, 2026-07-28): task creation,
//! polling, tool and protocol errors, cancellation, input through `tasks/update`, the
//! synchronous rounds before a task (`task_start = "detach"`), capability gating and
//! shutdown.

mod support;

use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, ElicitResult, ProtocolVersion, TASKS_EXTENSION};
use fastmcp::server::{MemoryTaskStore, RunningServer, TaskStore};
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::{json, Value};

use support::Recorder;

const T: Option<Duration> = Some(Duration::from_secs(5));

/// Sleeps `ms` milliseconds (cancellable), then answers.
#[tool(task = "optional")]
async fn slow(ctx: &Context, ms: u64) -> Result<String, Error> {
    ctx.sleep(Duration::from_millis(ms)).await?;
    Ok(format!("slept {ms} ms"))
}

/// A tool failure (`isError: true`).
#[tool(task = "required")]
async fn tool_error() -> Result<String, Error> {
    Err(Error::tool("no luck"))
}

/// A protocol error (the handler panics: -32603).
#[tool(task = "optional")]
async fn crash() -> Result<String, Error> {
    panic!("deliberate")
}

/// Never a task.
#[tool]
async fn plain() -> String {
    "plain".into()
}

fn form(field: &str, ty: &str) -> Value {
    json!({"type": "object", "properties": {field: {"type": ty}}, "required": [field]})
}

fn text(r: &ElicitResult, k: &str) -> String {
    r.content
        .as_ref()
        .and_then(|c| c.get(k))
        .map(|v| v.as_str().map_or(v.to_string(), str::to_owned))
        .unwrap_or_default()
}

/// Two questions at once, then a third one.
#[tool(task = "optional")]
async fn ask_three(ctx: &Context) -> Result<String, Error> {
    let (a, b) = (ctx.keyed("a"), ctx.keyed("b"));
    let (x, y) = tokio::join!(
        a.elicit_raw("a?", form("name", "string")),
        b.elicit_raw("b?", form("name", "string"))
    );
    let (x, y) = (x?, y?);
    let z = ctx
        .keyed("c")
        .elicit_raw("c?", form("name", "string"))
        .await?;
    Ok(format!(
        "{} {} {}",
        text(&x, "name"),
        text(&y, "name"),
        text(&z, "name")
    ))
}

/// Asks a name synchronously, then continues as a task.
#[tool(task = "required", task_start = "detach")]
async fn greet_later(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .keyed("user_name")
        .elicit_raw("Name?", form("name", "string"))
        .await?;
    ctx.detach().await?;
    assert!(ctx.task_id().is_some());
    ctx.set_task_status("greeting").await?;
    ctx.sleep(Duration::from_millis(50)).await?;
    Ok(format!("Hello, {}!", text(&r, "name")))
}

/// Detaches only when asked to; otherwise answers synchronously.
#[tool(task = "optional", task_start = "detach")]
async fn maybe_detach(ctx: &Context, detach: bool) -> Result<String, Error> {
    if detach {
        ctx.detach().await?;
    }
    Ok(format!("task: {}", ctx.task_id().is_some()))
}

/// Calls another task tool: nested calls are never tasks.
#[tool(task = "optional")]
async fn nested(ctx: &Context) -> Result<String, Error> {
    let r = ctx.call_tool("slow", json!({"ms": 1})).await?;
    Ok(serde_json::to_string(&r).unwrap())
}

fn server() -> Server {
    Server::new("tasks", "1.0.0")
        .tool(slow)
        .tool(tool_error)
        .tool(crash)
        .tool(plain)
        .tool(ask_three)
        .tool(greet_later)
        .tool(maybe_detach)
        .tool(nested)
        .shutdown_grace(Duration::from_millis(200))
        .task_poll_interval(Duration::from_millis(250))
}

fn caps(tasks: bool) -> ClientCapabilities {
    let mut c: ClientCapabilities = serde_json::from_value(json!({"elicitation": {}})).unwrap();
    if tasks {
        c.extensions = Some([(TASKS_EXTENSION.to_owned(), Default::default())].into());
    }
    c
}

async fn client(s: &RunningServer, tasks: bool) -> Client {
    client_with(s, tasks, Recorder::default()).await
}

async fn client_with(s: &RunningServer, tasks: bool, h: Recorder) -> Client {
    Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps(tasks))
        .handler(h)
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

async fn call(c: &Client, name: &str, args: Value) -> Value {
    c.request_value("tools/call", json!({"name": name, "arguments": args}), T)
        .await
        .unwrap()
}

async fn get(c: &Client, id: &str) -> Value {
    c.request_value("tasks/get", json!({"taskId": id}), T)
        .await
        .unwrap()
}

/// Poll until the task ends (or reaches `until`).
async fn poll(c: &Client, id: &str, until: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let t = get(c, id).await;
        let s = t["status"].as_str().unwrap().to_owned();
        if s == until || ["completed", "failed", "cancelled"].contains(&s.as_str()) {
            return t;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "stuck at {t}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn code(e: &Error) -> i32 {
    e.code()
}

fn task_id(v: &Value) -> String {
    v["taskId"].as_str().expect("a taskId").to_owned()
}

#[tokio::test]
async fn create_get_working_then_completed_with_inlined_result() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let created = call(&c, "slow", json!({"ms": 300})).await;
    assert_eq!(created["resultType"], "task");
    assert_eq!(created["status"], "working");
    assert_eq!(created["ttlMs"], 3_600_000);
    assert_eq!(created["pollIntervalMs"], 250);
    assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));
    for absent in [
        "result",
        "error",
        "inputRequests",
        "requestState",
        "ttl",
        "task",
    ] {
        assert!(created.get(absent).is_none(), "{absent} in {created}");
    }
    let id = task_id(&created);
    let working = get(&c, &id).await;
    assert_eq!(working["resultType"], "complete");
    assert_eq!(working["status"], "working");
    assert!(working.get("result").is_none());
    let done = poll(&c, &id, "completed").await;
    assert_eq!(done["status"], "completed");
    assert_eq!(done["result"]["content"][0]["text"], "slept 300 ms");
    assert!(done["result"].get("isError").is_none_or(|e| e == false));
    assert!(done["result"].get("_meta").is_none());
    assert!(done.get("error").is_none());
    // Retained after it ended.
    assert_eq!(get(&c, &id).await["status"], "completed");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn tool_error_is_completed_with_is_error() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "tool_error", json!({})).await);
    let t = poll(&c, &id, "completed").await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["result"]["isError"], true);
    assert_eq!(t["result"]["content"][0]["text"], "no luck");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn protocol_error_is_failed_with_the_error() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "crash", json!({})).await);
    let t = poll(&c, &id, "failed").await;
    assert_eq!(t["status"], "failed");
    assert_eq!(t["error"]["code"], -32603);
    assert!(t["error"]["message"]
        .as_str()
        .unwrap()
        .contains("deliberate"));
    assert!(t.get("result").is_none());
    assert!(t["statusMessage"].is_string());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn cancel_ends_cancelled_and_acks_again_once_terminal() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "slow", json!({"ms": 60_000})).await);
    let ack = c
        .request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap();
    assert_eq!(ack, json!({"resultType": "complete"}));
    let t = poll(&c, &id, "cancelled").await;
    assert_eq!(t["status"], "cancelled");
    // The run is gone.
    let start = std::time::Instant::now();
    while s.running_tasks() > 0 {
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(get(&c, &id).await["status"], "cancelled");
    // Idempotent on a terminal task.
    let again = c
        .request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap();
    assert_eq!(again, json!({"resultType": "complete"}));
    // A completed task stays completed.
    let id2 = task_id(&call(&c, "slow", json!({"ms": 1})).await);
    poll(&c, &id2, "completed").await;
    c.request_value("tasks/cancel", json!({"taskId": id2}), T)
        .await
        .unwrap();
    assert_eq!(get(&c, &id2).await["status"], "completed");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn unknown_task_id_is_invalid_params() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    for (m, p) in [
        ("tasks/get", json!({"taskId": "nope"})),
        ("tasks/cancel", json!({"taskId": "nope"})),
        (
            "tasks/update",
            json!({"taskId": "nope", "inputResponses": {}}),
        ),
    ] {
        let e = c.request_value(m, p, T).await.unwrap_err();
        assert_eq!(code(&e), -32602, "{m}: {}", e.message());
    }
    // Removed in the extension.
    for m in ["tasks/result", "tasks/list"] {
        let e = c
            .request_value(m, json!({"taskId": "x"}), T)
            .await
            .unwrap_err();
        assert_eq!(code(&e), -32601, "{m}");
    }
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn undeclared_client_is_refused_tasks_methods_and_runs_synchronously() {
    let s = server().start().await.unwrap();
    let c = client(&s, false).await;
    for (m, p) in [
        ("tasks/get", json!({"taskId": "x"})),
        ("tasks/update", json!({"taskId": "x", "inputResponses": {}})),
        ("tasks/cancel", json!({"taskId": "x"})),
    ] {
        let e = c.request_value(m, p, T).await.unwrap_err();
        assert_eq!(code(&e), -32021, "{m}");
    }
    let r = call(&c, "slow", json!({"ms": 1})).await;
    assert_eq!(r["resultType"], "complete");
    assert_eq!(r["content"][0]["text"], "slept 1 ms");
    assert!(r.get("taskId").is_none());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn required_task_support_without_the_extension_is_missing_capability() {
    let s = server().start().await.unwrap();
    let c = client(&s, false).await;
    let e = c
        .request_value(
            "tools/call",
            json!({"name": "tool_error", "arguments": {}}),
            T,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e), -32021);
    assert_eq!(
        e.data().unwrap()["requiredCapabilities"]["extensions"][TASKS_EXTENSION],
        json!({})
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn input_required_then_update_resumes_to_completed() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "ask_three", json!({})).await);
    let t = poll(&c, &id, "input_required").await;
    assert_eq!(t["status"], "input_required");
    let mut keys: Vec<&String> = t["inputRequests"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["a", "b"]);
    assert_eq!(t["inputRequests"]["a"]["method"], "elicitation/create");
    let answer = |n: &str| json!({"action": "accept", "content": {"name": n}});
    // Partial: `a` only; unknown keys are ignored.
    let ack = c
        .request_value(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"a": answer("x"), "zzz": {"ignored": true}}}),
            T,
        )
        .await
        .unwrap();
    assert_eq!(ack, json!({"resultType": "complete"}));
    let t = get(&c, &id).await;
    assert_eq!(t["status"], "input_required");
    assert_eq!(
        t["inputRequests"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["b"]
    );
    // `b` completes the round: the handler is replayed and asks `c`.
    c.request_value(
        "tasks/update",
        json!({"taskId": id, "inputResponses": {"b": answer("y")}}),
        T,
    )
    .await
    .unwrap();
    let t = poll(&c, &id, "input_required").await;
    assert_eq!(t["status"], "input_required");
    assert_eq!(
        t["inputRequests"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["c"]
    );
    // A bad answer to a pending key is refused.
    let e = c
        .request_value(
            "tasks/update",
            json!({"taskId": id, "inputResponses": {"c": {"nonsense": 1}}}),
            T,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&e), -32602);
    c.request_value(
        "tasks/update",
        json!({"taskId": id, "inputResponses": {"c": answer("z")}}),
        T,
    )
    .await
    .unwrap();
    let t = poll(&c, &id, "completed").await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["result"]["content"][0]["text"], "x y z");
    assert!(t.get("inputRequests").is_none());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn cancel_while_input_required() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "ask_three", json!({})).await);
    poll(&c, &id, "input_required").await;
    c.request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap();
    let t = get(&c, &id).await;
    assert_eq!(t["status"], "cancelled");
    assert!(t.get("inputRequests").is_none());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn synchronous_rounds_then_a_task_on_detach() {
    let s = server().start().await.unwrap();
    // With a real answer.
    let mut h = Recorder::default();
    h.answer.insert("name".into(), json!("Alice"));
    let c2 = client_with(&s, true, h.clone()).await;
    let created = call(&c2, "greet_later", json!({})).await;
    assert_eq!(h.elicitations.lock().unwrap().as_slice(), ["Name?"]);
    assert_eq!(created["resultType"], "task");
    let id = task_id(&created);
    let t = poll(&c2, &id, "completed").await;
    assert_eq!(t["status"], "completed");
    assert_eq!(t["result"]["content"][0]["text"], "Hello, Alice!");
    assert_eq!(t["statusMessage"], json!(null));
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn detach_mode_without_detaching_answers_synchronously() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let r = call(&c, "maybe_detach", json!({"detach": false})).await;
    assert_eq!(r["resultType"], "complete");
    assert_eq!(r["content"][0]["text"], "task: false");
    let r = call(&c, "maybe_detach", json!({"detach": true})).await;
    assert_eq!(r["resultType"], "task");
    let t = poll(&c, &task_id(&r), "completed").await;
    assert_eq!(t["result"]["content"][0]["text"], "task: true");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn nested_calls_are_never_tasks() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let id = task_id(&call(&c, "nested", json!({})).await);
    let t = poll(&c, &id, "completed").await;
    let inner: Value =
        serde_json::from_str(t["result"]["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(inner["content"][0]["text"], "slept 1 ms");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn discovery_and_listing() {
    let s = server().start().await.unwrap();
    let c = client(&s, true).await;
    let d = c
        .request_value("server/discover", json!({}), T)
        .await
        .unwrap();
    assert_eq!(d["capabilities"]["extensions"][TASKS_EXTENSION], json!({}));
    assert!(d["capabilities"].get("tasks").is_none());
    // Sync tools stay sync for a declaring client.
    let r = call(&c, "plain", json!({})).await;
    assert_eq!(r["resultType"], "complete");
    // `execution` is not listed in 2026-07-28.
    let tools = c.request_value("tools/list", json!({}), T).await.unwrap();
    assert!(tools["tools"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("execution").is_none()));
    s.shutdown().await.unwrap();

    // The handshake era lists taskSupport and runs task tools synchronously.
    let s = server().start().await.unwrap();
    let h = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(s.connect_in_memory())
        .await
        .unwrap();
    let tools = h.list_tools().await.unwrap();
    let def = tools.iter().find(|t| t.name == "slow").unwrap();
    assert_eq!(
        serde_json::to_value(&def.execution).unwrap(),
        json!({"taskSupport": "optional"})
    );
    let r = h.call_tool("slow", json!({"ms": 1})).await.unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap()["content"][0]["text"],
        "slept 1 ms"
    );
    s.shutdown().await.unwrap();

    // Without task tools the extension is not declared.
    let s = Server::new("plain", "1").tool(plain).start().await.unwrap();
    let c = client(&s, true).await;
    let d = c
        .request_value("server/discover", json!({}), T)
        .await
        .unwrap();
    assert!(d["capabilities"].get("extensions").is_none());
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_drains_then_cancels_running_tasks() {
    let store = Arc::new(MemoryTaskStore::new());
    let s = server().task_store(store.clone()).start().await.unwrap();
    let c = client(&s, true).await;
    let quick = task_id(&call(&c, "slow", json!({"ms": 50})).await);
    let long = task_id(&call(&c, "slow", json!({"ms": 60_000})).await);
    let start = std::time::Instant::now();
    s.shutdown().await.unwrap();
    assert!(start.elapsed() < Duration::from_secs(5));
    let quick = store.get(&quick).await.unwrap().unwrap();
    assert_eq!(
        quick.status,
        fastmcp::protocol::TaskStatus::Completed,
        "finished within the grace"
    );
    let long = store.get(&long).await.unwrap().unwrap();
    assert_eq!(long.status, fastmcp::protocol::TaskStatus::Cancelled);
    assert_eq!(s.running_tasks(), 0);
}

#[tokio::test]
async fn ttl_and_expiry() {
    let s = server()
        .task_ttl(Some(Duration::from_millis(300)))
        .start()
        .await
        .unwrap();
    let c = client(&s, true).await;
    let created = call(&c, "slow", json!({"ms": 60_000})).await;
    assert_eq!(created["ttlMs"], 300);
    let id = task_id(&created);
    assert_eq!(get(&c, &id).await["status"], "working");
    // Past its TTL the task is gone, and its run too.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let start = std::time::Instant::now();
    while s.running_tasks() > 0 {
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let e = c
        .request_value("tasks/get", json!({"taskId": id}), T)
        .await
        .unwrap_err();
    assert_eq!(code(&e), -32602);
    s.shutdown().await.unwrap();

    let s = server().task_ttl(None).start().await.unwrap();
    let c = client(&s, true).await;
    let created = call(&c, "slow", json!({"ms": 1})).await;
    assert_eq!(created["ttlMs"], json!(null));
    s.shutdown().await.unwrap();
}

// ----- the tasks of 2025-11-25 (handshake era) -----

async fn handshake(s: &RunningServer, v: ProtocolVersion, h: Recorder) -> Client {
    Client::builder()
        .mode(Mode::Handshake(v))
        .handler(h)
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

async fn core_get(c: &Client, id: &str) -> Result<Value, Error> {
    c.request_value("tasks/get", json!({"taskId": id}), T).await
}

/// Call `name` as a 2025-11-25 task; returns its id.
async fn core_create(c: &Client, name: &str, args: Value) -> String {
    let created = c
        .request_value(
            "tools/call",
            json!({"name": name, "arguments": args, "task": {}}),
            T,
        )
        .await
        .unwrap();
    task_id(&created["task"])
}

async fn core_result(c: &Client, id: &str) -> Result<Value, Error> {
    c.request_value("tasks/result", json!({"taskId": id}), T)
        .await
}

#[tokio::test]
async fn core_tasks_create_poll_result_list() {
    let s = server().start().await.unwrap();
    let c = handshake(&s, ProtocolVersion::V2025_11_25, Recorder::default()).await;
    let tasks = c.server_capabilities().tasks.expect("capabilities.tasks");
    assert!(tasks.list.is_some() && tasks.cancel.is_some());
    assert_eq!(
        tasks.requests.unwrap()["tools"]["call"],
        json!({}),
        "tools/call may be task-augmented"
    );
    let created = c
        .request_value(
            "tools/call",
            json!({"name": "slow", "arguments": {"ms": 200}, "task": {"ttl": 60_000}}),
            T,
        )
        .await
        .unwrap();
    let task = &created["task"];
    assert_eq!(task["status"], "working");
    assert_eq!(task["ttl"], 60_000);
    assert_eq!(task["pollInterval"], 250);
    assert!(created.get("resultType").is_none());
    let id = task["taskId"].as_str().unwrap().to_owned();
    let t = core_get(&c, &id).await.unwrap();
    assert_eq!(t["taskId"], id.as_str());
    assert_eq!(t["status"], "working");
    assert!(t.get("result").is_none());
    // tasks/result waits for the end.
    let r = core_result(&c, &id).await.unwrap();
    assert_eq!(r["content"][0]["text"], "slept 200 ms");
    assert_eq!(
        r["_meta"]["io.modelcontextprotocol/related-task"]["taskId"],
        id.as_str()
    );
    assert_eq!(core_get(&c, &id).await.unwrap()["status"], "completed");
    let list = c.request_value("tasks/list", json!({}), T).await.unwrap();
    assert_eq!(list["tasks"][0]["taskId"], id.as_str());
    // Another session sees none of it.
    let other = handshake(&s, ProtocolVersion::V2025_11_25, Recorder::default()).await;
    let list = other
        .request_value("tasks/list", json!({}), T)
        .await
        .unwrap();
    assert_eq!(list["tasks"], json!([]));
    assert_eq!(core_get(&other, &id).await.unwrap_err().code(), -32602);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn core_task_support_rules_and_errors() {
    let s = server().start().await.unwrap();
    let c = handshake(&s, ProtocolVersion::V2025_11_25, Recorder::default()).await;
    let e = c
        .request_value(
            "tools/call",
            json!({"name": "plain", "arguments": {}, "task": {}}),
            T,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32601, "forbidden tool as a task");
    let e = c
        .request_value(
            "tools/call",
            json!({"name": "tool_error", "arguments": {}}),
            T,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32601, "required tool without a task");
    // A tool error: completed, and tasks/result answers the isError result.
    let id = core_create(&c, "tool_error", json!({})).await;
    let r = core_result(&c, &id).await.unwrap();
    assert_eq!(r["isError"], true);
    assert_eq!(core_get(&c, &id).await.unwrap()["status"], "completed");
    // A protocol error: failed, and tasks/result answers the error.
    let id = core_create(&c, "crash", json!({})).await;
    let e = core_result(&c, &id).await.unwrap_err();
    assert_eq!(e.code(), -32603);
    assert_eq!(core_get(&c, &id).await.unwrap()["status"], "failed");
    // Cancel: the answer is the cancelled task; a second cancel is refused.
    let id = core_create(&c, "slow", json!({"ms": 60_000})).await;
    let t = c
        .request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap();
    assert_eq!(t["status"], "cancelled");
    let e = c
        .request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32602);
    assert_eq!(core_get(&c, &id).await.unwrap()["status"], "cancelled");
    // Not a method of 2026-07-28's extension here.
    let e = c
        .request_value("tasks/update", json!({"taskId": id}), T)
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32601);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn core_task_asks_the_client_with_related_task_and_reports_status() {
    let s = server().start().await.unwrap();
    let mut h = Recorder::default();
    h.answer.insert("name".into(), json!("n"));
    let c = handshake(&s, ProtocolVersion::V2025_11_25, h.clone()).await;
    let id = core_create(&c, "ask_three", json!({})).await;
    let r = core_result(&c, &id).await.unwrap();
    assert_eq!(r["content"][0]["text"], "n n n");
    assert_eq!(h.elicitations.lock().unwrap().len(), 3);
    let statuses = h
        .other
        .lock()
        .unwrap()
        .iter()
        .filter(|m| *m == "notifications/tasks/status")
        .count();
    assert!(
        statuses >= 2,
        "input_required, working, completed: {statuses}"
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn before_2025_11_25_there_are_no_tasks() {
    let s = server().start().await.unwrap();
    let c = handshake(&s, ProtocolVersion::V2025_06_18, Recorder::default()).await;
    assert!(c.server_capabilities().tasks.is_none());
    let r = c
        .request_value(
            "tools/call",
            json!({"name": "slow", "arguments": {"ms": 1}, "task": {}}),
            T,
        )
        .await
        .unwrap();
    assert_eq!(r["content"][0]["text"], "slept 1 ms");
    let e = c
        .request_value("tasks/list", json!({}), T)
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32601);
    s.shutdown().await.unwrap();
}

// ----- over Streamable HTTP -----

async fn serve_http() -> (String, RunningServer) {
    let running = server().start().await.unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    let r = running.clone();
    tokio::spawn(async move {
        r.serve_http(l, fastmcp::server::HttpOptions::default())
            .await
    });
    (url, running)
}

#[tokio::test]
async fn over_http_both_eras() {
    let (url, s) = serve_http().await;
    // 2026-07-28: the routing headers carry the task id.
    let c = Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps(true))
        .connect(StreamableHttp::new(&url))
        .await
        .unwrap();
    let id = task_id(&call(&c, "ask_three", json!({})).await);
    let t = poll(&c, &id, "input_required").await;
    assert_eq!(t["inputRequests"].as_object().unwrap().len(), 2);
    c.request_value("tasks/cancel", json!({"taskId": id}), T)
        .await
        .unwrap();
    assert_eq!(get(&c, &id).await["status"], "cancelled");

    // 2025-11-25: the creating request's stream is closed, so the task's elicitations go
    // on the stream of `tasks/result`.
    let mut h = Recorder::default();
    h.answer.insert("name".into(), json!("h"));
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(h.clone())
        .connect(StreamableHttp::new(&url))
        .await
        .unwrap();
    let id = core_create(&c, "ask_three", json!({})).await;
    let r = core_result(&c, &id).await.unwrap();
    assert_eq!(r["content"][0]["text"], "h h h");
    assert_eq!(h.elicitations.lock().unwrap().len(), 3);
    s.shutdown().await.unwrap();
}

/// A task-capable tool that declares `{"total": integer}` and returns `{"sum": ...}`.
fn misshapen() -> fastmcp::core::FnTool {
    let mut def = fastmcp::protocol::Tool::new("misshapen", json!({"type": "object"}));
    def.output_schema = Some(json!({
        "type": "object",
        "properties": {"total": {"type": "integer"}},
        "required": ["total"]
    }));
    def.execution = Some(fastmcp::protocol::ToolExecution {
        task_support: Some(fastmcp::protocol::TaskSupport::Optional),
    });
    fastmcp::core::FnTool::new(def, |_, _| async move {
        let out = json!({"sum": 3});
        let mut r = CallToolResult::text(out.to_string());
        r.structured_content = Some(out);
        Ok(r)
    })
}

fn assert_output_refused(result: &Value, how: &str) {
    assert_eq!(result["isError"], true, "{how}: {result}");
    let msg = result["content"][0]["text"].as_str().unwrap();
    assert!(
        msg.contains("Output validation error") && msg.contains("misshapen"),
        "{how}: {msg}"
    );
    assert!(result.get("structuredContent").is_none(), "{how}: {result}");
}

#[tokio::test]
async fn task_results_are_checked_against_the_output_schema() {
    let s = server().tool(misshapen()).start().await.unwrap();
    // An ordinary call, for comparison.
    let c = handshake(&s, ProtocolVersion::V2025_11_25, Recorder::default()).await;
    let r = c
        .request_value("tools/call", json!({"name": "misshapen"}), T)
        .await
        .unwrap();
    assert_output_refused(&r, "direct call");
    // 2025-11-25: a task-augmented call; its result from tasks/result.
    let id = core_create(&c, "misshapen", json!({})).await;
    let r = core_result(&c, &id).await.unwrap();
    assert_output_refused(&r, "2025-11-25 task");
    // 2026-07-28: a task of the extension; its result inlined in tasks/get.
    let c = client(&s, true).await;
    let created = call(&c, "misshapen", json!({})).await;
    assert_eq!(created["resultType"], "task", "{created}");
    let done = poll(&c, &task_id(&created), "completed").await;
    assert_output_refused(&done["result"], "2026-07-28 task");
    s.shutdown().await.unwrap();
}
