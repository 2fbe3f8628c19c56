//! `prompts.get`, `completion.complete`, `logging.setLevel`.

use serde_json::{json, Map, Value};

use super::tools::MISSING_CLIENT_CAPABILITY;
use super::{Ctx, Findings, Verdict};
use crate::session::Outcome;
use crate::target::Era;

/// The arguments of a prompt: "test" for each required one.
fn prompt_args(p: &Value) -> Value {
    let mut m = Map::new();
    for a in p
        .get("arguments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if a.get("required") == Some(&json!(true)) {
            if let Some(n) = a.get("name").and_then(Value::as_str) {
                m.insert(n.to_owned(), json!("test"));
            }
        }
    }
    Value::Object(m)
}

/// Get each listed prompt (up to the bound).
pub(crate) async fn get(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("prompts") {
        return Ctx::undeclared("prompts");
    }
    let prompts: Vec<Value> = ctx
        .prompts
        .iter()
        .take(ctx.opts.max_items)
        .cloned()
        .collect();
    if prompts.is_empty() {
        return Verdict::skip("no prompts listed");
    }
    let mut f = Findings::default();
    for p in prompts {
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let params = json!({"name": name, "arguments": prompt_args(&p)});
        let a = ctx.s.request("prompts/get", params).await;
        match &a.outcome {
            Outcome::Err {
                code: MISSING_CLIENT_CAPABILITY,
                ..
            } => {}
            Outcome::Err { .. } => f.warn(format!(
                "{name}: refused the tester's arguments: {}",
                a.got()
            )),
            _ => {
                if let Err(v) = ctx.expect(&a, "GetPromptResult") {
                    f.fail(format!("{name}: {}", v.diagnostic.unwrap_or_default()));
                }
            }
        }
    }
    f.verdict()
}

/// What to complete: a prompt argument, else a template variable.
fn completion_ref(ctx: &Ctx<'_>) -> Option<(Value, String)> {
    for p in &ctx.prompts {
        let arg = p
            .get("arguments")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(|a| a.get("name"))
            .and_then(Value::as_str);
        if let (Some(name), Some(arg)) = (p.get("name").and_then(Value::as_str), arg) {
            return Some((json!({"type": "ref/prompt", "name": name}), arg.to_owned()));
        }
    }
    for t in &ctx.templates {
        let Some(uri) = t.get("uriTemplate").and_then(Value::as_str) else {
            continue;
        };
        let var = uri.split('{').nth(1).and_then(|r| r.split('}').next());
        if let Some(var) = var {
            let var = var.trim_start_matches(['+', '#', '.', '/', ';', '?', '&']);
            let var = var.split([',', '*', ':']).next().unwrap_or(var);
            return Some((json!({"type": "ref/resource", "uri": uri}), var.to_owned()));
        }
    }
    None
}

/// `completion/complete` (when declared).
pub(crate) async fn complete(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("completions") {
        return Ctx::undeclared("completions");
    }
    let Some((r, arg)) = completion_ref(ctx) else {
        return Verdict::skip("no prompt argument or template variable to complete");
    };
    let params = json!({"ref": r, "argument": {"name": arg, "value": ""}});
    let a = ctx.s.request("completion/complete", params).await;
    match ctx.expect(&a, "CompleteResult") {
        Ok(_) => Verdict::pass(),
        Err(v) => v,
    }
}

/// `logging/setLevel` (when declared; handshake era only).
pub(crate) async fn set_level(ctx: &mut Ctx<'_>) -> Verdict {
    if ctx.era() == Era::Stateless {
        return Verdict::skip("2026-07-28 has no logging/setLevel (the level goes in _meta)");
    }
    if !ctx.cap("logging") {
        return Ctx::undeclared("logging");
    }
    let a = ctx
        .s
        .request("logging/setLevel", json!({"level": "warning"}))
        .await;
    let mut f = Findings::default();
    if let Err(v) = ctx.expect(&a, "EmptyResult") {
        f.fail(v.diagnostic.unwrap_or_default());
    }
    let bad = ctx
        .s
        .request("logging/setLevel", json!({"level": "loudest"}))
        .await;
    match &bad.outcome {
        Outcome::Err { code: -32602, .. } => {}
        _ => f.warn(bad.diag("an invalid level: JSON-RPC error -32602")),
    }
    f.verdict()
}
