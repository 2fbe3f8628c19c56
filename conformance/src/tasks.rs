//! Fixtures of the tasks extension scenarios (`tasks-*`, `io.modelcontextprotocol/tasks`,
//! SEP-2663, 2026-07-28, not scored).
//!
//! A tool declared with `task = "optional"` or `"required"` becomes a task when the
//! client declares the extension on its request: the client gets a `CreateTaskResult`
//! and polls `tasks/get` while the handler runs in the background. Input a task's handler
//! asks for (`ctx.elicit_raw`) makes the task `input_required`; `tasks/update` answers it
//! and the handler is replayed with the answers. `test_tool_with_task` starts
//! synchronously (`task_start = "detach"`): its first input is a multi-round-trip
//! exchange of the `tools/call` itself, and it becomes a task at `ctx.detach()`.

use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::protocol::ElicitResult;
use serde_json::{json, Value};

/// Greets someone; the synchronous (never a task) tool of the tasks scenarios.
#[tool]
async fn greet(#[arg(description = "Who to greet")] name: String) -> String {
    format!("Hello, {name}!")
}

/// Sleeps `seconds` (cancellable), then reports; a task for clients with the extension.
#[tool(task = "optional")]
async fn slow_compute(
    ctx: &Context,
    #[arg(description = "How long to compute, in seconds", default = 1.0)] seconds: f64,
    #[arg(description = "A label echoed in the result", default = String::new())] label: String,
) -> Result<String, Error> {
    ctx.sleep(Duration::from_secs_f64(seconds.clamp(0.0, 3600.0)))
        .await?;
    Ok(format!("Computed {label:?} in {seconds} s"))
}

/// Fails as a tool (`isError: true`) after about a second; only runs as a task.
#[tool(task = "required")]
async fn failing_job(ctx: &Context) -> Result<String, Error> {
    ctx.sleep(Duration::from_secs(1)).await?;
    Err(Error::tool("failing_job failed, as it always does"))
}

/// Fails with a protocol error (the handler panics: -32603); the task ends `failed`.
#[tool(task = "optional")]
async fn protocol_error_job(ctx: &Context) -> Result<String, Error> {
    ctx.sleep(Duration::from_millis(100)).await?;
    panic!("protocol_error_job: deliberate internal failure")
}

/// A one-field form.
fn form(field: &str, ty: &str) -> Value {
    json!({
        "type": "object",
        "properties": { field: { "type": ty } },
        "required": [field]
    })
}

fn accepted(r: &ElicitResult) -> bool {
    r.action == fastmcp::protocol::ElicitAction::Accept
}

fn text_field(r: &ElicitResult, name: &str) -> String {
    match r.content.as_ref().and_then(|c| c.get(name)) {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => format!("<no {name}>"),
    }
}

/// Asks the user to confirm (one input request), then "deletes" the file.
#[tool(task = "optional")]
async fn confirm_delete(
    ctx: &Context,
    #[arg(description = "The file to delete")] filename: String,
) -> Result<String, Error> {
    let r = ctx
        .keyed("confirm")
        .elicit_raw(&format!("Delete {filename}?"), form("confirm", "boolean"))
        .await?;
    if accepted(&r) {
        Ok(format!("Deleted {filename}"))
    } else {
        Ok(format!("Kept {filename}"))
    }
}

/// Asks two questions at once (two input requests pending together).
#[tool(task = "optional")]
async fn multi_input(ctx: &Context) -> Result<String, Error> {
    let (ask_name, ask_confirm) = (ctx.keyed("name"), ctx.keyed("confirm"));
    let (name, confirm) = tokio::join!(
        ask_name.elicit_raw("What is your name?", form("name", "string")),
        ask_confirm.elicit_raw("Proceed?", form("confirm", "boolean")),
    );
    let (name, confirm) = (name?, confirm?);
    Ok(format!(
        "name: {}, confirmed: {}",
        text_field(&name, "name"),
        accepted(&confirm)
    ))
}

/// Asks the user's name synchronously (input key `user_name`), then goes on as a task
/// whose result greets them.
#[tool(task = "required", task_start = "detach")]
async fn test_tool_with_task(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .keyed("user_name")
        .elicit_raw("What is your name?", form("name", "string"))
        .await?;
    ctx.detach().await?;
    ctx.set_task_status("Preparing the greeting").await?;
    ctx.sleep(Duration::from_millis(300)).await?;
    Ok(format!("Hello, {}!", text_field(&r, "name")))
}

/// Register the fixtures of this module.
pub fn register(server: Server) -> Server {
    server
        .tool(greet)
        .tool(slow_compute)
        .tool(failing_job)
        .tool(protocol_error_job)
        .tool(confirm_delete)
        .tool(multi_input)
        .tool(test_tool_with_task)
}
