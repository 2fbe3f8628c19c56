//! `tools/list` and `tools/call`.

use std::sync::Arc;

use fastmcp_core::component_meta::META_VERSION;
use fastmcp_core::{Error, ErrorKind, ToolArguments};
use fastmcp_protocol::scan;
use fastmcp_protocol::{
    CallToolRequestParams, CallToolResult, InputResponses, ListToolsResult, Meta, TaskMetadata,
    TaskSupport,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::stamp::stamp;
use crate::access;
use crate::call::{parse, raw, Call};
use crate::invoke::{answers, run, Rounds};
use crate::output_check::{check_output, checked_handler};
use crate::pagination::{cursor, page};
use crate::provider::{Provider, ToolEntry};
use crate::runtime::Runtime;
use crate::tasks;
use crate::tool_result::{tool_outcome_for, tool_result};
use crate::visibility::{tool_hidden, SessionHidden};

pub(crate) async fn list(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let stateless = call.stateless();
    let cursor = cursor(params)?;
    // The first page, with no tool this session hid: maybe the answer for every caller.
    let shared = cursor.is_none() && !call.session.has_disabled();
    // Read before listing: the answer made from the list is never older than it.
    let revision = rt.catalog.tools_revision().filter(|_| shared);
    if let Some(r) = revision.and_then(|rev| rt.tool_list.at(stateless, rev)) {
        return Ok(r);
    }
    let mut all = rt.catalog.list_tools(None).await?.items;
    if call.session.has_disabled() {
        all.retain(|t| !tool_hidden(&SessionHidden(&call.session), t));
    }
    let revision =
        revision.filter(|_| access::same_for_all(rt, all.iter().map(|t| t.handler().auth())));
    all.retain(|t| access::decide(rt, call, t.handler().auth()).allowed());
    let (items, next) = page(all, cursor.as_deref(), rt.config.page_size)?;
    if let Some(r) = rt.tool_list.get(stateless, &items, &next, revision) {
        return Ok(r);
    }
    let mut r = ListToolsResult {
        tools: items.iter().map(|t| t.json(stateless)).collect(),
        next_cursor: next.clone(),
        ..Default::default()
    };
    stamp!(rt, call, r, list);
    let result = raw(&r)?;
    drop(r);
    rt.tool_list.put(stateless, items, next, revision, &result);
    Ok(result)
}

/// The version of the tool the request asks for in `_meta["fastmcp/version"]`, else the
/// default. An unknown version is invalid params naming the versions there are.
fn select_version(entry: ToolEntry, p: &CallToolRequestParams) -> Result<ToolEntry, Error> {
    let Some(asked) = p.meta.as_ref().and_then(|m| m.get(META_VERSION)) else {
        return Ok(entry);
    };
    let Some(v) = asked.as_str() else {
        return Err(Error::invalid_params(format!(
            "Invalid params: `_meta[\"{META_VERSION}\"]` must be a string"
        )));
    };
    if let Some(e) = entry.select(v) {
        return Ok(e);
    }
    let available = entry.versions();
    let listed = if available.is_empty() {
        "none (the tool is not versioned)".to_owned()
    } else {
        available.join(", ")
    };
    Err(Error::invalid_params(format!(
        "Unknown version {v:?} of tool {}; available versions: {listed}",
        p.name
    ))
    .with_data(serde_json::json!({ "availableVersions": available })))
}

/// `tools/call`'s params as read here: [`CallToolRequestParams`] with the arguments
/// borrowed from the params' text, where they stay (a megabyte argument is not copied).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallView<'a> {
    #[serde(rename = "_meta", default)]
    meta: Option<Meta>,
    name: String,
    #[serde(default, borrow)]
    arguments: Option<&'a RawValue>,
    #[serde(default)]
    task: Option<TaskMetadata>,
    #[serde(default)]
    input_responses: Option<InputResponses>,
    #[serde(default)]
    request_state: Option<String>,
}

/// The params of a call and its arguments, left in the params' text. The arguments are an
/// object, or absent (`null` reads as absent); anything else fails the request's schema: a
/// malformed request (-32602), not a tool error.
fn read_call(
    params: Option<Box<RawValue>>,
) -> Result<(CallToolRequestParams, ToolArguments), Error> {
    // The common shape (a name and arguments) in one pass; anything else through serde.
    let common = params
        .as_deref()
        .and_then(scan::tool_call)
        .map(|c| (c.name.to_owned(), c.arguments));
    if let Some((name, arguments)) = common {
        let args = match (arguments, params) {
            (Some(range), Some(params)) => ToolArguments::within(params, range),
            _ => None,
        };
        let p = CallToolRequestParams {
            meta: None,
            name,
            arguments: None,
            task: None,
            input_responses: None,
            request_state: None,
        };
        return Ok((p, args.unwrap_or_default()));
    }
    let view: CallView<'_> = parse(params.as_deref())?;
    // Where the arguments are in the params (always found there; copied if not).
    let found = match view.arguments {
        None => None,
        Some(a) => match a.get().trim_start().as_bytes().first() {
            Some(b'{') => Some(
                params
                    .as_deref()
                    .and_then(|p| ToolArguments::range_in(p, a))
                    .ok_or_else(|| a.to_owned()),
            ),
            Some(b'n') => None,
            _ => {
                return Err(Error::invalid_params(
                    "Invalid params: `arguments` must be an object",
                ))
            }
        },
    };
    let p = CallToolRequestParams {
        meta: view.meta,
        name: view.name,
        arguments: None,
        task: view.task,
        input_responses: view.input_responses,
        request_state: view.request_state,
    };
    let args = match (found, params) {
        (Some(Ok(range)), Some(params)) => ToolArguments::within(params, range),
        (Some(Err(copy)), _) => Some(ToolArguments::new(Some(copy))),
        _ => None,
    };
    Ok((p, args.unwrap_or_default()))
}

/// Its body an `async` block, as [`crate::service::Pipeline::call`]'s is.
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
pub(crate) fn call_tool<'a>(
    rt: &'a Arc<Runtime>,
    call: &'a Call,
    params: Option<Box<RawValue>>,
) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + 'a {
    async move {
        // What the call needs after its handler ran; the rest is moved into the handler's
        // future in the block, so that none of it is kept beside that future while it runs
        // (each local live across an `.await` is a field of this future). The params and
        // arguments are read by `admit` where they are (no copy in and out of its future).
        let name;
        let entry;
        let ran = {
            let (mut p, mut args) = read_call(params)?;
            let found = match admit(rt, call, &mut p, &mut args).await {
                Ok(found) => found,
                Err(answer) => return answer,
            };
            let rounds = Rounds::of(
                call,
                "tools/call",
                &p.name,
                p.input_responses,
                p.request_state,
            );
            let tool = found.handler().clone();
            let timeout = tool.timeout();
            (name, entry) = (p.name, found);
            run(rt, call, timeout, Some(rounds), |ctx| tool.call(ctx, args))
        }
        .await?;
        if let Some(ir) = ran.input_required {
            return raw(&ir);
        }
        let result = tool_outcome_for(&rt.config, &name, ran.outcome, call)?;
        Ok(tool_result(call, check_output(&entry, result)).to_raw())
    }
}

/// The tool of call `p` found and the caller admitted to it, with the arguments made ready
/// for it; `Err` is the call's answer already (an error, a task, or a tool error for unknown
/// arguments). One future for both of its `.await`s, reading the params and arguments
/// where they are: kept across two `.await`s of [`call_tool`]'s own, they would take room
/// beside the handler's future, and moved in and out they would be copied.
async fn admit(
    rt: &Arc<Runtime>,
    call: &Call,
    p: &mut CallToolRequestParams,
    args: &mut ToolArguments,
) -> Result<ToolEntry, Result<Box<RawValue>, Error>> {
    let found = match rt.catalog.find_tool(&p.name).await.map_err(Err)? {
        Some(t) if !tool_hidden(&SessionHidden(&call.session), &t) => t,
        _ => {
            return Err(Err(Error::invalid_params(format!(
                "Unknown tool: {}",
                p.name
            ))))
        }
    };
    let found = select_version(found, p).map_err(Err)?;
    access::admit(
        rt,
        call,
        found.handler().auth(),
        &format_args!("tool {}", p.name),
    )
    .map_err(Err)?;
    let mut ready = std::mem::take(args).explained_by(found.input_explainer.clone());
    if rt.config.lenient_arguments {
        ready = ready.lenient_for(found.handler().clone());
    }
    *args = ready;
    if rt.config.strict_input_validation {
        if let Err(e) = check_known_arguments(args, &found.handler().tool().input_schema) {
            return Err(Ok(tool_result(call, CallToolResult::error_text(e)).to_raw()));
        }
    }
    if let Some(r) = as_task(rt, call, &found, p, args).await {
        return Err(r);
    }
    Ok(found)
}

/// A call that runs as a task, if this one does: in 2025-11-25 when the client asks with
/// `task`; in 2026-07-28 when the tool supports tasks and the client declared the
/// extension. `None`: an ordinary call.
async fn as_task(
    rt: &Arc<Runtime>,
    call: &Call,
    entry: &ToolEntry,
    p: &mut CallToolRequestParams,
    args: &ToolArguments,
) -> Option<Result<Box<RawValue>, Error>> {
    let tool = entry.handler();
    let support = tool.task_support();
    if call.nested {
        return None;
    }
    let may_be_task = p.task.is_some() || support == TaskSupport::Required;
    if may_be_task && tasks::core_tasks_allowed(rt, call) {
        let refusal = match (p.task.as_ref(), support) {
            (Some(_), TaskSupport::Forbidden) => "does not support task-augmented calls",
            (None, TaskSupport::Required) => "must be called as a task",
            (Some(meta), _) => {
                let ttl = meta.ttl;
                let (args, name) = (args.clone(), p.name.clone());
                let tool = checked_handler(entry);
                // Boxed, as `call_as_task` below: its future (1.4 KB) would otherwise be
                // part of every `tools/call` future.
                let task = Box::pin(tasks::call_as_core_task(rt, call, tool, args, name, ttl));
                return Some(task.await);
            }
            (None, _) => return None,
        };
        let msg = format!("Tool {} {refusal}", p.name);
        return Some(Err(Error::new(ErrorKind::MethodNotFound, msg)));
    }
    if !call.stateless() || support == TaskSupport::Forbidden {
        return None;
    }
    // 2026-07-28: the server decides, for clients that declare the extension.
    let declared = tasks::declares_tasks(&call.session);
    if support == TaskSupport::Required && !declared {
        return Some(Err(tasks::missing_tasks_extension()));
    }
    if !declared {
        return None;
    }
    let binding = format!("tools/call:{}", p.name);
    let known = match answers(
        rt,
        &binding,
        p.input_responses.take(),
        p.request_state.take(),
    ) {
        Ok(a) => a,
        Err(e) => return Some(Err(e)),
    };
    let (args, name) = (args.clone(), p.name.clone());
    // Boxed: a task-augmented call is rare, and its future (2 KB) would otherwise make
    // every `tools/call` future that large.
    Some(
        Box::pin(tasks::call_as_task(
            rt,
            call,
            checked_handler(entry),
            args,
            name,
            known,
        ))
        .await,
    )
}

fn check_known_arguments(args: &ToolArguments, schema: &Value) -> Result<(), String> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return Ok(());
    };
    let given = args.to_map().map_err(|e| e.message().to_owned())?;
    let unknown: Vec<&str> = given
        .keys()
        .filter(|k| !props.contains_key(*k))
        .map(String::as_str)
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(format!("Unexpected argument(s): {}", unknown.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(text: &str) -> Option<Box<RawValue>> {
        Some(RawValue::from_string(text.to_owned()).unwrap())
    }

    #[test]
    fn a_call_reads_as_its_params_with_the_arguments_left_in_place() {
        let text = r#"{"_meta":{"progressToken":7},"name":"echo","arguments":{"m":"hi"},
            "task":{"ttl":5},"inputResponses":{"a":{"action":"decline"}},"requestState":"s"}"#;
        let (p, args) = read_call(params(text)).unwrap();
        let mut want: CallToolRequestParams = serde_json::from_str(text).unwrap();
        assert_eq!(want.arguments.take().unwrap().get(), r#"{"m":"hi"}"#);
        assert_eq!(p, want);
        assert_eq!(args.raw().unwrap().get(), r#"{"m":"hi"}"#);
    }

    #[test]
    fn arguments_null_or_absent_are_none_and_others_are_refused() {
        for text in [r#"{"name":"t","arguments":null}"#, r#"{"name":"t"}"#] {
            let (p, args) = read_call(params(text)).unwrap();
            assert_eq!((p.name.as_str(), args.raw().is_none()), ("t", true));
        }
        let e = read_call(params(r#"{"name":"t","arguments":[1]}"#)).unwrap_err();
        assert_eq!(e.message(), "Invalid params: `arguments` must be an object");
        let e = read_call(None).unwrap_err();
        assert!(
            e.message().contains("missing field `name`"),
            "{}",
            e.message()
        );
    }

    /// The one-pass reading of a call's params (`scan::tool_call`) reads what serde reads,
    /// on the common shapes and on every text one byte away from them; what it leaves to
    /// serde is read by serde (or refused) as before.
    #[test]
    fn the_one_pass_reading_agrees_with_serde() {
        let seeds = [
            r#"{"name":"echo","arguments":{"message":"h\u00e9 \"1\"","n":[1,-2.5e3,{"a":null}]}}"#,
            r#" { "arguments" : { } , "name" : "日本" } "#,
        ];
        let alphabet = b" \t{}[]\",:019.e-\\/untl\x01";
        let (mut fast, mut total) = (0, 0);
        for seed in seeds {
            let bytes = seed.as_bytes();
            let mut texts = vec![seed.as_bytes().to_vec()];
            for i in 0..bytes.len() {
                texts.push([&bytes[..i], &bytes[i + 1..]].concat());
                texts.push([&bytes[..i], &bytes[i..]].concat());
                texts.extend(alphabet.iter().map(|&b| {
                    let mut v = bytes.to_vec();
                    v[i] = b;
                    v
                }));
            }
            for text in texts {
                let Ok(text) = String::from_utf8(text) else {
                    continue;
                };
                total += 1;
                // The params of a request are JSON already checked.
                let Ok(raw) = RawValue::from_string(text) else {
                    continue;
                };
                let Some(call) = scan::tool_call(&raw) else {
                    continue;
                };
                let text = raw.get();
                fast += 1;
                let view: CallView<'_> = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{text}: serde refuses it: {e}"));
                assert_eq!(call.name, view.name, "{text}");
                let args = call.arguments.map(|r| &text[r]);
                assert_eq!(args, view.arguments.map(RawValue::get), "{text}");
                assert!(view.meta.is_none() && view.task.is_none(), "{text}");
                let (p, read) = read_call(params(text)).unwrap();
                assert_eq!(
                    (p.name.as_str(), read.raw().map(RawValue::get)),
                    (view.name.as_str(), args)
                );
            }
        }
        assert!(fast > 50 && fast < total, "{fast} of {total}");
    }
}
