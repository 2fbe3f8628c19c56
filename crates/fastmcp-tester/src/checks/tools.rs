//! `tools.call.valid`, `tools.call.invalid`, `tools.call.unknown`.

use serde_json::{json, Value};

use super::{Ctx, Findings, Verdict};
use crate::args::{invalid_args, valid_args};
use crate::schema;
use crate::session::{Answer, Outcome};
use crate::text::show;

/// "A request needs a client capability the client did not declare" (2025-11-25 and
/// 2026-07-28): the right answer to a tester that declares none.
pub(crate) const MISSING_CLIENT_CAPABILITY: i64 = -32021;

fn name_of(tool: &Value) -> &str {
    tool.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Check a successful `tools/call` result: its schema, and `structuredContent` against
/// the tool's `outputSchema`.
fn judge_result(ctx: &Ctx<'_>, tool: &Value, a: &Answer, r: &Value, f: &mut Findings) {
    let name = name_of(tool);
    let def = match r.get("resultType").and_then(Value::as_str) {
        Some("input_required") => "InputRequiredResult",
        _ if r.get("task").is_some() && schema::has_def(&ctx.s.version, "CreateTaskResult") => {
            "CreateTaskResult"
        }
        _ => "CallToolResult",
    };
    if let Err(e) = schema::validate(&ctx.s.version, def, r) {
        f.fail(format!("{name}: {}\n{e}", a.diag("a valid CallToolResult")));
        return;
    }
    let (Some(out), "CallToolResult") = (tool.get("outputSchema"), def) else {
        return;
    };
    if r.get("isError") == Some(&json!(true)) {
        return;
    }
    match r.get("structuredContent") {
        None => f.fail(format!(
            "{name}: declares an outputSchema but its result has no structuredContent \
             (the spec: servers MUST provide structured results that conform to it)"
        )),
        Some(sc) => {
            if let Ok(v) = jsonschema::validator_for(out) {
                if let Some(e) = v.iter_errors(sc).next() {
                    f.fail(format!(
                        "{name}: structuredContent does not match the tool's outputSchema at {}: {e}",
                        e.instance_path()
                    ));
                }
            }
        }
    }
}

/// Call each tool (up to the bound) with minimal valid arguments.
pub(crate) async fn call_valid(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("tools") {
        return Ctx::undeclared("tools");
    }
    let tools: Vec<Value> = ctx.tools.iter().take(ctx.opts.max_items).cloned().collect();
    let mut f = Findings::default();
    let mut called = 0;
    let mut unbuilt = Vec::new();
    for tool in &tools {
        let name = name_of(tool).to_owned();
        let schema = tool
            .get("inputSchema")
            .cloned()
            .unwrap_or(json!({"type": "object"}));
        let Some(args) = valid_args(&schema) else {
            unbuilt.push(name);
            continue;
        };
        called += 1;
        let a = ctx
            .s
            .request("tools/call", json!({"name": name, "arguments": args}))
            .await;
        match &a.outcome {
            Outcome::Ok(r) => judge_result(ctx, tool, &a, r, &mut f),
            // The server needs a client capability the tester does not declare: correct.
            Outcome::Err {
                code: MISSING_CLIENT_CAPABILITY,
                ..
            } => {}
            Outcome::Err { .. } => f.warn(format!(
                "{name}: refused the tester's minimal arguments {}: {}",
                show(&args),
                a.got()
            )),
            // A tool may just be slow with the tester's arguments (a long operation's
            // defaults): not a protocol fault.
            Outcome::Broken(e) if e.contains(" within ") => f.warn(format!(
                "{name}: no answer within {:?} with the tester's arguments {} (a slow tool? \
                 raise --timeout)",
                ctx.opts.timeout,
                show(&args)
            )),
            Outcome::Broken(_) => f.fail(format!("{name}: {}", a.diag("a response"))),
        }
    }
    if called == 0 {
        return Verdict::skip(match unbuilt.is_empty() {
            true => "no tools listed".to_owned(),
            false => format!("could not build valid arguments for {unbuilt:?}"),
        });
    }
    f.verdict()
}

/// A call with arguments that violate the input schema must be an error.
pub(crate) async fn call_invalid(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("tools") {
        return Ctx::undeclared("tools");
    }
    let found = ctx.tools.iter().find_map(|t| {
        let (args, why) = invalid_args(t.get("inputSchema")?)?;
        Some((name_of(t).to_owned(), args, why))
    });
    let Some((name, args, why)) = found else {
        return Verdict::skip("no tool has an input schema the tester can violate");
    };
    let a = ctx
        .s
        .request("tools/call", json!({"name": name, "arguments": args}))
        .await;
    let requires = format!(
        "the arguments {why}: an error, a JSON-RPC error -32602 or a result with isError true"
    );
    match &a.outcome {
        Outcome::Err { code: -32602, .. } => Verdict::pass(),
        Outcome::Ok(r) if r.get("isError") == Some(&json!(true)) => Verdict::pass(),
        Outcome::Err { .. } => Verdict::warn(a.diag(&requires)),
        _ => Verdict::fail(a.diag(&requires)),
    }
}

/// An unknown tool name is an error.
pub(crate) async fn call_unknown(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("tools") {
        return Ctx::undeclared("tools");
    }
    let params = json!({"name": "fastmcp-tester-no-such-tool", "arguments": {}});
    let a = ctx.s.request("tools/call", params).await;
    let requires = "an error for an unknown tool (the spec: JSON-RPC error -32602)";
    match &a.outcome {
        Outcome::Err { code: -32602, .. } => Verdict::pass(),
        Outcome::Err { .. } => Verdict::warn(a.diag(requires)),
        Outcome::Ok(r) if r.get("isError") == Some(&json!(true)) => Verdict::warn(a.diag(requires)),
        _ => Verdict::fail(a.diag(requires)),
    }
}
