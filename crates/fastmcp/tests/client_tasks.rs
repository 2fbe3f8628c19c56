//! The client's task API (`fastmcp::client::tasks`) against our server, in both eras:
//! call a tool as a task, wait with backoff (status callbacks; input requests answered
//! through the handler in the stateless era; progress to the callback in the handshake
//! era), read the result, cancel, list; a failed task is an error.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::tasks::{Submitted, TaskHandle, WaitOptions};
use fastmcp::client::{Client, Mode};
use fastmcp::core::ErrorKind;
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TaskStatus, TASKS_EXTENSION};
use fastmcp::server::RunningServer;
use serde_json::json;
use support::Recorder;

/// Sleeps, reporting progress, then answers.
#[tool(task = "optional")]
async fn slow(ctx: &Context, ms: u64) -> Result<String, Error> {
    for i in 1..=3 {
        ctx.report_progress(i as f64, Some(3.0), None).await?;
        ctx.sleep(Duration::from_millis(ms / 3)).await?;
    }
    Ok(format!("slept {ms} ms"))
}

/// Asks a name, then greets.
#[tool(task = "optional")]
async fn greet(ctx: &Context) -> Result<String, Error> {
    let form =
        json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]});
    let r = ctx.keyed("who").elicit_raw("Name?", form).await?;
    let name = r
        .content
        .as_ref()
        .and_then(|c| c.get("name"))
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned();
    Ok(format!("Hello, {name}!"))
}

/// A tool error: the task completes with `isError`.
#[tool(task = "optional")]
async fn broken() -> Result<String, Error> {
    Err(Error::internal("the backend is down"))
}

/// A protocol error (the handler panics): the task fails.
#[tool(task = "optional")]
async fn crash() -> Result<String, Error> {
    panic!("deliberate")
}

/// Never a task.
#[tool]
async fn plain() -> String {
    "plain".into()
}

async fn server() -> RunningServer {
    Server::new("tasks", "1.0")
        .tool(slow)
        .tool(greet)
        .tool(broken)
        .tool(crash)
        .tool(plain)
        .task_poll_interval(Duration::from_millis(20))
        .shutdown_grace(Duration::from_millis(200))
        .start()
        .await
        .unwrap()
}

fn handler() -> Recorder {
    let mut h = Recorder::default();
    h.answer.insert("name".into(), json!("Ada"));
    h
}

async fn stateless(s: &RunningServer, tasks: bool) -> Client {
    let mut caps: ClientCapabilities = serde_json::from_value(json!({"elicitation": {}})).unwrap();
    if tasks {
        caps.extensions = Some([(TASKS_EXTENSION.to_owned(), Default::default())].into());
    }
    Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps)
        .handler(handler())
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

async fn handshake(s: &RunningServer) -> Client {
    Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .handler(handler())
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

fn fast() -> WaitOptions {
    WaitOptions {
        initial: Duration::from_millis(10),
        max: Duration::from_millis(100),
        timeout: Some(Duration::from_secs(10)),
    }
}

async fn as_task(
    c: &Client,
    name: &str,
    args: serde_json::Value,
    progress: Arc<Mutex<Vec<f64>>>,
) -> TaskHandle {
    let sink = progress.clone();
    match c
        .call_tool_as_task(name, args, Some(Duration::from_secs(60)), move |p| {
            sink.lock().unwrap().push(p.progress)
        })
        .await
        .unwrap()
    {
        Submitted::Task(t) => *t,
        Submitted::Done(r) => panic!("not a task: {r:?}"),
    }
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    serde_json::to_value(&r.content).unwrap()[0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn stateless_tasks_wait_answer_input_cancel_and_fail() {
    let s = server().await;
    let c = stateless(&s, true).await;
    let t = as_task(&c, "slow", json!({"ms": 150}), Default::default()).await;
    assert_eq!(t.info().status, TaskStatus::Working);
    let mut seen = vec![];
    let r = t.wait(fast(), |i| seen.push(i.status)).await.unwrap();
    assert_eq!(text(&r), "slept 150 ms");
    assert_eq!(seen.last(), Some(&TaskStatus::Completed));
    assert!(seen.len() >= 2, "polled while it worked: {seen:?}");
    // Input: the handler answers the task's elicitation (tasks/update).
    let t = as_task(&c, "greet", json!({}), Default::default()).await;
    let mut statuses = vec![];
    let r = t.wait(fast(), |i| statuses.push(i.status)).await.unwrap();
    assert_eq!(text(&r), "Hello, Ada!");
    assert!(
        statuses.contains(&TaskStatus::InputRequired),
        "{statuses:?}"
    );
    // Cancel.
    let mut t = as_task(&c, "slow", json!({"ms": 30_000}), Default::default()).await;
    assert_eq!(t.cancel().await.unwrap().status, TaskStatus::Cancelled);
    let e = c.wait_task(t.id(), fast(), |_| {}).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    // A tool error completes the task with `isError`; a failed task is the error.
    let t = as_task(&c, "broken", json!({}), Default::default()).await;
    let r = t.wait(fast(), |_| {}).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(text(&r).contains("the backend is down"));
    let t = as_task(&c, "crash", json!({}), Default::default()).await;
    let mut last = None;
    let e = t.wait(fast(), |i| last = Some(i.status)).await.unwrap_err();
    assert_eq!(last, Some(TaskStatus::Failed));
    assert_eq!(e.kind(), ErrorKind::Internal, "{e:?}");
    // A tool that is never a task answers at once; no listing in this era.
    let done = c
        .call_tool_as_task("plain", json!({}), None, |_| {})
        .await
        .unwrap();
    assert!(matches!(done, Submitted::Done(r) if text(&r) == "plain"));
    assert_eq!(
        c.list_tasks(None).await.unwrap_err().kind(),
        ErrorKind::MethodNotFound
    );
    // A timeout.
    let t = as_task(&c, "slow", json!({"ms": 30_000}), Default::default()).await;
    let short = WaitOptions {
        timeout: Some(Duration::from_millis(100)),
        ..fast()
    };
    assert_eq!(
        t.wait(short, |_| {}).await.unwrap_err().kind(),
        ErrorKind::Timeout
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_client_without_the_extension_is_told() {
    let s = server().await;
    let c = stateless(&s, false).await;
    let e = c
        .call_tool_as_task("slow", json!({"ms": 1}), None, |_| {})
        .await
        .err()
        .unwrap();
    assert!(e.message().contains("tasks extension"), "{e:?}");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn handshake_tasks_with_progress_list_and_failure() {
    let s = server().await;
    let c = handshake(&s).await;
    let progress = Arc::new(Mutex::new(vec![]));
    let t = as_task(&c, "slow", json!({"ms": 150}), progress.clone()).await;
    assert_eq!(t.info().ttl, Some(Duration::from_secs(60)));
    let r = t.wait(fast(), |_| {}).await.unwrap();
    assert_eq!(text(&r), "slept 150 ms");
    assert_eq!(
        *progress.lock().unwrap(),
        [1.0, 2.0, 3.0],
        "progress reached the callback"
    );
    let (tasks, _) = c.list_tasks(None).await.unwrap();
    assert!(tasks
        .iter()
        .any(|i| i.task_id == t.id() && i.status == TaskStatus::Completed));
    let got = c.get_task(t.id()).await.unwrap();
    assert_eq!(got.status, TaskStatus::Completed);
    // Input through the handler on the session.
    let t = as_task(&c, "greet", json!({}), Default::default()).await;
    assert_eq!(text(&t.wait(fast(), |_| {}).await.unwrap()), "Hello, Ada!");
    // A tool error, a failure, a cancellation.
    let t = as_task(&c, "broken", json!({}), Default::default()).await;
    assert_eq!(t.wait(fast(), |_| {}).await.unwrap().is_error, Some(true));
    let t = as_task(&c, "crash", json!({}), Default::default()).await;
    assert_eq!(
        t.wait(fast(), |_| {}).await.unwrap_err().kind(),
        ErrorKind::Internal
    );
    let mut t = as_task(&c, "slow", json!({"ms": 30_000}), Default::default()).await;
    assert_eq!(t.cancel().await.unwrap().status, TaskStatus::Cancelled);
    assert_eq!(
        t.wait(fast(), |_| {}).await.unwrap_err().kind(),
        ErrorKind::Cancelled
    );
    s.shutdown().await.unwrap();
}
