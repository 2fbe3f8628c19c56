//! `fastmcp tasks`: list, get and cancel a server's tasks.

use fastmcp::client::tasks::TaskInfo;
use serde_json::{json, Value};

use crate::args::TasksArgs;
use crate::error::{CliError, CliResult};
use crate::inspect::{close, server_error};
use crate::show::{self, Console};
use crate::target;

/// `fastmcp tasks`.
pub async fn tasks(a: TasksArgs) -> CliResult {
    let (server, rest) = target::split_words(&a.words, &a.connect);
    let action = match rest {
        [a] if a == "list" => Action::List,
        [a, id] if a == "get" => Action::Get(id.clone()),
        [a, id] if a == "cancel" => Action::Cancel(id.clone()),
        _ => {
            return Err(CliError::usage(format!(
                "{:?} is not list, get ID or cancel ID",
                rest.join(" ")
            ))
            .hint("fastmcp tasks SERVER list | get ID | cancel ID"))
        }
    };
    let named = target::resolve(server, &a.connect)?;
    let console = Console::default();
    let mut connect = a.connect.clone();
    connect.tasks = true;
    let c = target::connect(&named, &connect, &console).await?;
    let shown = match action {
        Action::List if c.era() == fastmcp::protocol::Era::Stateless => Err(CliError::usage(
            "the tasks extension of 2026-07-28 has no tasks/list",
        )
        .hint("get or cancel a task by its id (fastmcp call --detach prints it)")),
        Action::List => {
            let mut all = vec![];
            let mut cursor: Option<String> = None;
            loop {
                let (page, next) = c
                    .list_tasks(cursor.as_deref())
                    .await
                    .map_err(|e| server_error("tasks/list", e))?;
                all.extend(page);
                // A server that hands back the same cursor would loop forever.
                match next {
                    Some(n) if Some(&n) != cursor.as_ref() && all.len() < 100_000 => {
                        cursor = Some(n)
                    }
                    _ => break,
                }
            }
            if a.json {
                show::json(&all.iter().map(task_json).collect::<Vec<_>>())?;
            } else {
                println!("tasks ({})", all.len());
                for t in &all {
                    println!("  {}", task_line(t));
                }
            }
            Ok(())
        }
        Action::Get(id) => {
            let t = c
                .get_task(&id)
                .await
                .map_err(|e| server_error("tasks/get", e))?;
            print_one(&t, a.json)
        }
        Action::Cancel(id) => {
            let t = c
                .cancel_task(&id)
                .await
                .map_err(|e| server_error("tasks/cancel", e))?;
            print_one(&t, a.json)
        }
    };
    close(c).await?;
    shown
}

enum Action {
    List,
    Get(String),
    Cancel(String),
}

fn print_one(t: &TaskInfo, json: bool) -> CliResult {
    if json {
        return show::json(&task_json(t));
    }
    println!("{}", task_line(t));
    Ok(())
}

fn status(t: &TaskInfo) -> String {
    serde_json::to_value(t.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn task_line(t: &TaskInfo) -> String {
    let msg = t
        .status_message
        .as_deref()
        .map(|m| format!("  {}", show::short(m, 80)))
        .unwrap_or_default();
    format!("{}  {}{msg}", t.task_id, status(t))
}

fn task_json(t: &TaskInfo) -> Value {
    json!({
        "taskId": t.task_id,
        "status": status(t),
        "statusMessage": t.status_message,
        "pollIntervalMs": t.poll_interval.map(|d| d.as_millis() as u64),
        "ttlMs": t.ttl.map(|d| d.as_millis() as u64),
        "result": t.result,
        "error": t.error,
    })
}
