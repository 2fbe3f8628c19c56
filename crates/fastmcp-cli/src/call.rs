//! `fastmcp call`: call a tool with `key=value` arguments converted by its input schema,
//! showing its progress and logs on stderr and its result on stdout.

use fastmcp::client::tasks::{Submitted, WaitOptions};
use fastmcp::client::Client;
use fastmcp::protocol::CallToolResult;
use serde_json::{Map, Value};

use crate::args::CallArgs;
use crate::error::{CliError, CliResult};
use crate::inspect::{close, server_error};
use crate::show::{self, Console};
use crate::target;

/// `fastmcp call`.
pub async fn call(a: CallArgs) -> CliResult {
    let (server, rest) = target::split_words(&a.words, &a.connect);
    let Some((tool, pairs)) = rest.split_first() else {
        return Err(CliError::usage("no tool named").hint(
            "fastmcp call SERVER TOOL [KEY=VALUE]... (fastmcp list SERVER shows the tools)",
        ));
    };
    let named = target::resolve(server, &a.connect)?;
    let console = Console::default();
    let mut connect = a.connect.clone();
    connect.tasks = a.task || a.detach;
    let c = target::connect(&named, &connect, &console).await?;
    let arguments = match &a.input_json {
        Some(_) if !pairs.is_empty() => {
            return Err(CliError::usage(
                "both --input-json and KEY=VALUE arguments given",
            ))
        }
        Some(j) => match serde_json::from_str::<Value>(j) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(CliError::usage("--input-json must be a JSON object")),
            Err(e) => return Err(CliError::usage(format!("--input-json is not JSON: {e}"))),
        },
        None => arguments(&c, tool, pairs).await?,
    };
    if a.task || a.detach {
        let r = as_task(&c, tool, arguments, &a, &console).await;
        console.done();
        let r = r?;
        close(c).await?;
        return match r {
            Some(r) => print_result(&r, a.json),
            None => Ok(()),
        };
    }
    let shown = console.clone();
    let called = c
        .call_tool_with_progress(tool, Value::Object(arguments), move |p| {
            if !a.quiet {
                shown.progress(&p)
            }
        })
        .await;
    console.done();
    let result = called.map_err(|e| server_error(&format!("calling {tool}"), e))?;
    close(c).await?;
    print_result(&result, a.json)
}

/// The call as a task: its result once it ends (`--task`), or `None` once its id is
/// printed (`--detach`).
async fn as_task(
    c: &Client,
    tool: &str,
    arguments: Map<String, Value>,
    a: &CallArgs,
    console: &Console,
) -> CliResult<Option<CallToolResult>> {
    let shown = console.clone();
    let quiet = a.quiet;
    let submitted = c
        .call_tool_as_task(tool, Value::Object(arguments), None, move |p| {
            if !quiet {
                shown.progress(&p)
            }
        })
        .await
        .map_err(|e| server_error(&format!("calling {tool} as a task"), e))?;
    let handle = match submitted {
        Submitted::Done(r) => {
            console.note("the server answered at once: the call did not become a task");
            return Ok(Some(r));
        }
        Submitted::Task(h) => h,
    };
    if a.detach {
        println!("{}", handle.id());
        console.note(&format!(
            "task {} is {:?}; follow it with: fastmcp tasks SERVER get {}",
            handle.id(),
            handle.info().status,
            handle.id()
        ));
        return Ok(None);
    }
    console.note(&format!("task {}", handle.id()));
    let mut last = None;
    let r = handle
        .wait(WaitOptions::default(), |info| {
            if last != Some(info.status) {
                last = Some(info.status);
                console.note(&format!("task {}: {:?}", info.task_id, info.status));
            }
        })
        .await
        .map_err(|e| server_error(&format!("waiting for task {}", handle.id()), e))?;
    Ok(Some(r))
}

/// Print a tool result; one with `isError` is the command's failure.
fn print_result(r: &CallToolResult, json: bool) -> CliResult {
    if json {
        show::json(r)?;
    } else if let Some(s) = &r.structured_content {
        show::json(s)?;
    } else {
        for block in &r.content {
            println!(
                "{}",
                block_text(&serde_json::to_value(block).unwrap_or_default())
            );
        }
    }
    if r.is_error == Some(true) {
        let text: Vec<String> = r
            .content
            .iter()
            .map(|b| block_text(&serde_json::to_value(b).unwrap_or_default()))
            .collect();
        return Err(CliError::failed(format!(
            "the tool answered with an error: {}",
            show::short(&text.join(" "), 200)
        )));
    }
    Ok(())
}

/// A content block as text: its text, or what it is.
fn block_text(b: &Value) -> String {
    let s = |k: &str| b[k].as_str().unwrap_or_default().to_owned();
    match b["type"].as_str() {
        Some("text") => s("text"),
        Some("image") | Some("audio") => format!(
            "[{} {}, {} bytes of base64]",
            s("type"),
            s("mimeType"),
            s("data").len()
        ),
        Some("resource_link") => format!("[link {}]", s("uri")),
        Some("resource") => match b["resource"]["text"].as_str() {
            Some(t) => t.to_owned(),
            None => format!("[resource {}]", b["resource"]["uri"].as_str().unwrap_or("")),
        },
        _ => b.to_string(),
    }
}

/// `key=value` pairs as the tool's arguments, each value converted by the type its input
/// schema gives the key: text for strings, JSON for numbers, booleans, arrays and objects,
/// and for keys without a type, JSON when it parses, else text.
async fn arguments(c: &Client, tool: &str, pairs: &[String]) -> CliResult<Map<String, Value>> {
    let tools = c
        .list_tools()
        .await
        .map_err(|e| server_error("tools/list", e))?;
    let Some(t) = tools.iter().find(|t| t.name == tool) else {
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
        return Err(
            CliError::usage(format!("the server has no tool named {tool:?}")).hint(format!(
                "its tools: {}",
                show::short(&names.join(", "), 200)
            )),
        );
    };
    convert(&t.input_schema, pairs)
}

/// [`arguments`] once the schema is known.
pub fn convert(schema: &Value, pairs: &[String]) -> CliResult<Map<String, Value>> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(CliError::usage(format!("{pair:?} is not KEY=VALUE"))
                .hint("quote values with spaces: text='two words'"));
        };
        let ty = &schema["properties"][k]["type"];
        let types: Vec<&str> = match ty {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let parsed = serde_json::from_str::<Value>(v);
        let value = if types.contains(&"string") || (types.is_empty() && parsed.is_err()) {
            Value::String(v.to_owned())
        } else {
            parsed.map_err(|_| {
                CliError::usage(format!(
                    "{k}={v}: {k} is {}, and {v:?} is not",
                    types.join("|")
                ))
                .hint(format!("give {k} a JSON {}", types.join(" or ")))
            })?
        };
        out.insert(k.to_owned(), value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_the_schema() {
        let schema = json!({"properties": {
            "n": {"type": "integer"}, "s": {"type": "string"}, "l": {"type": "array"},
            "o": {"type": ["string", "null"]}
        }});
        let pairs: Vec<String> = ["n=3", "s=42", "l=[1,2]", "o=7", "free=true", "word=hi"]
            .map(String::from)
            .to_vec();
        let m = convert(&schema, &pairs).unwrap();
        assert_eq!(
            Value::Object(m),
            json!({
                "n": 3, "s": "42", "l": [1, 2], "o": "7", "free": true, "word": "hi"
            })
        );
        let e = convert(&schema, &["n=three".into()]).unwrap_err();
        assert!(e.message.contains("n is integer"), "{}", e.message);
        assert!(convert(&schema, &["novalue".into()]).is_err());
    }
}
