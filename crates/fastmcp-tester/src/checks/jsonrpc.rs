//! JSON-RPC behaviour: `jsonrpc.unknown-method`, `jsonrpc.invalid-request`,
//! `jsonrpc.ids`, `jsonrpc.framing`, and `cancellation`.

use std::time::Duration;

use serde_json::{json, Value};

use super::{Ctx, Findings, Verdict};
use crate::args::valid_args;
use crate::session::{Answer, Outcome};
use crate::target::Era;

/// The cheapest request of the era that must always succeed.
fn liveness_method(era: Era) -> &'static str {
    match era {
        Era::Handshake => "ping",
        Era::Stateless => "server/discover",
    }
}

/// Whether the server still answers.
async fn alive(ctx: &mut Ctx<'_>) -> Answer {
    let m = liveness_method(ctx.era());
    ctx.s.request(m, json!({})).await
}

/// A short wait for answers that may never come.
fn short(ctx: &Ctx<'_>) -> Duration {
    ctx.opts.timeout.min(Duration::from_secs(3))
}

/// An unknown method is error -32601.
pub(crate) async fn unknown_method(ctx: &mut Ctx<'_>) -> Verdict {
    let a = ctx
        .s
        .request("fastmcp-tester/no-such-method", json!({}))
        .await;
    match &a.outcome {
        Outcome::Err { code: -32601, .. } => Verdict::pass(),
        _ => Verdict::fail(a.diag("JSON-RPC error -32601 (method not found)")),
    }
}

/// A request without `method`: error -32600, or at least the connection survives.
pub(crate) async fn invalid_request(ctx: &mut Ctx<'_>) -> Verdict {
    let id = ctx.s.fresh_id();
    let msg = json!({"jsonrpc": "2.0", "id": id});
    let headers = ctx.s.headers(None, &json!({}));
    let t = short(ctx);
    let a = ctx.s.send(msg, headers, t).await;
    let after = alive(ctx).await;
    match (&a.outcome, &after.outcome) {
        (_, Outcome::Ok(_)) => Verdict::pass(),
        (Outcome::Err { code: -32600, .. }, _) => Verdict::fail(format!(
            "answered -32600, but then: {}",
            after.diag("the server keeps serving")
        )),
        _ => Verdict::fail(format!(
            "{}\nthen: {}",
            a.diag("error -32600 (invalid request), or at least the connection survives"),
            after.got()
        )),
    }
}

/// Responses carry their request's id exactly: a string id, a numeric id, and every
/// response of the era so far.
pub(crate) async fn ids(ctx: &mut Ctx<'_>) -> Verdict {
    let m = liveness_method(ctx.era());
    let mut f = Findings::default();
    for id in [json!("fastmcp-tester-id-ü-1"), json!(9007)] {
        let a = ctx.s.request_id(id.clone(), m, json!({})).await;
        let got = a
            .reply
            .as_ref()
            .and_then(|r| r.message.as_ref())
            .and_then(|m| m.get("id"));
        if got.is_none() {
            f.fail(a.diag(&format!("a response with id {id}")));
        }
    }
    for fault in &ctx.s.id_faults {
        f.fail(format!(
            "wrong id: {fault} (the spec: a response MUST carry the id of its request, same type and value)"
        ));
    }
    f.verdict()
}

/// Every line/body/event received was a well-formed JSON-RPC message.
pub(crate) fn framing(ctx: &Ctx<'_>) -> Verdict {
    let notes = ctx.s.conn.notes();
    let all: Vec<&String> = notes.iter().chain(&ctx.s.shape_faults).collect();
    if all.is_empty() {
        return Verdict::pass();
    }
    let list: Vec<String> = all.iter().map(|n| format!("- {n}")).collect();
    Verdict::fail(format!(
        "malformed messages (the spec: JSON-RPC 2.0, one message per line on stdio):\n{}",
        list.join("\n")
    ))
}

/// A request to keep in flight: a tool call when one can be built, else a listing.
fn in_flight(ctx: &Ctx<'_>) -> (&'static str, Value) {
    let call = ctx.tools.iter().find_map(|t| {
        let args = valid_args(t.get("inputSchema")?)?;
        Some(json!({"name": t.get("name")?, "arguments": args}))
    });
    match call {
        Some(p) => ("tools/call", p),
        None => (liveness_method(ctx.era()), json!({})),
    }
}

/// `notifications/cancelled` for an in-flight request; the server keeps serving.
pub(crate) async fn cancellation(ctx: &mut Ctx<'_>) -> Verdict {
    let (method, params) = in_flight(ctx);
    let id = ctx.s.fresh_id();
    let params = ctx.s.params(params);
    let headers = ctx.s.headers(Some(method), &params);
    let req = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    let cancel_params = ctx
        .s
        .params(json!({"requestId": id, "reason": "fastmcp-tester"}));
    let cancel_headers = ctx
        .s
        .headers(Some("notifications/cancelled"), &cancel_params);
    let cancel =
        json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": cancel_params});
    let t = short(ctx);
    ctx.s.forget(&id);
    let sent = if let Some(io) = ctx.s.conn.stdio() {
        match io.send(&req).await {
            Ok(()) => io.send(&cancel).await,
            Err(e) => Err(e),
        }
    } else if let Some(http) = ctx.s.conn.http() {
        let req_text = req.to_string();
        let first = tokio::time::timeout(t, http.post(&req_text, &headers, t));
        let second = async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            http.post(&cancel.to_string(), &cancel_headers, t).await
        };
        let (_, c) = tokio::join!(first, second);
        c.map(|_| ())
    } else {
        Ok(())
    };
    if let Err(e) = sent {
        return Verdict::fail(format!("sending {method} and its cancellation failed: {e}"));
    }
    let after = alive(ctx).await;
    match after.outcome {
        Outcome::Ok(_) => Verdict::pass(),
        _ => Verdict::fail(format!(
            "sent {method} (id {id}) and notifications/cancelled for it; then {}",
            after.diag("the server keeps serving after a cancellation")
        )),
    }
}
