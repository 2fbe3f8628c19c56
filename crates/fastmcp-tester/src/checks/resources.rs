//! `resources.read`, `resources.read.unknown`, `resources.subscribe`.

use serde_json::{json, Value};

use super::{Ctx, Findings, Verdict};
use crate::session::Outcome;
use crate::target::Era;

fn uri_of(r: &Value) -> Option<&str> {
    r.get("uri").and_then(Value::as_str)
}

/// Read each listed resource (up to the bound).
pub(crate) async fn read(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("resources") {
        return Ctx::undeclared("resources");
    }
    let uris: Vec<String> = ctx
        .resources
        .iter()
        .filter_map(uri_of)
        .take(ctx.opts.max_items)
        .map(str::to_owned)
        .collect();
    if uris.is_empty() {
        return Verdict::skip("no resources listed");
    }
    let mut f = Findings::default();
    for uri in uris {
        let a = ctx.s.request("resources/read", json!({"uri": uri})).await;
        match ctx.expect(&a, "ReadResourceResult") {
            Ok(r) => {
                let mismatched = r
                    .get("contents")
                    .and_then(Value::as_array)
                    .is_some_and(|c| {
                        c.len() == 1 && c[0].get("uri").and_then(Value::as_str) != Some(&uri)
                    });
                if mismatched {
                    f.warn(format!(
                        "{uri}: the only content carries another uri: {}",
                        a.got()
                    ));
                }
            }
            Err(v) => f.fail(format!("{uri}: {}", v.diagnostic.unwrap_or_default())),
        }
    }
    f.verdict()
}

/// Reading a URI that does not exist is an error (-32002 in 2025-11-25).
pub(crate) async fn read_unknown(ctx: &mut Ctx<'_>) -> Verdict {
    if !ctx.cap("resources") {
        return Ctx::undeclared("resources");
    }
    let params = json!({"uri": "fastmcp-tester://no/such/resource"});
    let a = ctx.s.request("resources/read", params).await;
    let handshake = ctx.era() == Era::Handshake;
    match &a.outcome {
        Outcome::Err { code: -32002, .. } => Verdict::pass(),
        Outcome::Err { .. } if !handshake => Verdict::pass(),
        Outcome::Err { .. } => Verdict::warn(
            a.diag("an error; the 2025-11-25 spec gives -32002 (resource not found) as the code"),
        ),
        _ => Verdict::fail(a.diag("an error for a resource that does not exist")),
    }
}

/// `resources/subscribe` and `resources/unsubscribe` (when declared).
pub(crate) async fn subscribe(ctx: &mut Ctx<'_>) -> Verdict {
    if ctx.era() == Era::Stateless {
        return Verdict::skip("2026-07-28 has subscriptions/listen instead of resources/subscribe");
    }
    let declared =
        ctx.s.caps.get("resources").and_then(|r| r.get("subscribe")) == Some(&json!(true));
    if !declared {
        return Verdict::skip("the server does not declare resources.subscribe");
    }
    let Some(uri) = ctx.resources.iter().find_map(uri_of).map(str::to_owned) else {
        return Verdict::skip("no resources listed to subscribe to");
    };
    let mut f = Findings::default();
    for method in ["resources/subscribe", "resources/unsubscribe"] {
        let a = ctx.s.request(method, json!({"uri": uri})).await;
        if let Err(v) = ctx.expect(&a, "EmptyResult") {
            f.fail(format!("{method}: {}", v.diagnostic.unwrap_or_default()));
        }
    }
    f.verdict()
}
