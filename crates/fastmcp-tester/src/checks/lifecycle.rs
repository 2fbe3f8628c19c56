//! `lifecycle.initialize`, `lifecycle.version-negotiation`, `lifecycle.discover`, `ping`.

use serde_json::{json, Value};

use super::{Ctx, Verdict};
use crate::schema::known_versions;
use crate::session::{client_info, Outcome, Session};
use crate::target::Era;

/// The `initialize` params asking for `version`.
fn init_params(version: &str) -> Value {
    json!({"protocolVersion": version, "capabilities": {}, "clientInfo": client_info()})
}

/// `initialize` with 2025-11-25, then `notifications/initialized`. The second value
/// says whether the session can go on.
pub(crate) async fn initialize(ctx: &mut Ctx<'_>) -> (Verdict, bool) {
    let asked = Era::Handshake.version();
    let a = ctx.s.request("initialize", init_params(asked)).await;
    let chosen = match &a.outcome {
        Outcome::Ok(r) => r
            .get("protocolVersion")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let known = chosen
        .as_deref()
        .is_some_and(|c| known_versions().any(|k| k == c));
    if let (Some(c), true) = (&chosen, known) {
        ctx.s.version = c.clone();
    }
    let r = match ctx.expect(&a, "InitializeResult") {
        Ok(r) => r,
        Err(v) => return (v, false),
    };
    ctx.s.caps = r.get("capabilities").cloned().unwrap_or(json!({}));
    ctx.s.session_id = a
        .reply
        .as_ref()
        .and_then(|r| r.header("mcp-session-id"))
        .map(str::to_owned);
    ctx.s.negotiated = true;
    ctx.initialized = Some(ctx.s.notify("notifications/initialized", json!({})).await);
    if !known {
        let v = Verdict::warn(format!(
            "asked for {asked}, the server chose {chosen:?}, a version the tester does not \
             know; results are validated against the {asked} schema"
        ));
        return (v, true);
    }
    (Verdict::pass(), true)
}

/// `initialize` asking for a version that does not exist: the server must answer with
/// a version it supports (on a connection of its own).
pub(crate) async fn version_negotiation(ctx: &mut Ctx<'_>) -> Verdict {
    let mut s = match Session::open(ctx.target, Era::Handshake, ctx.opts.timeout).await {
        Ok(s) => s,
        Err(e) => return Verdict::fail(format!("could not open a second connection: {e}")),
    };
    let a = s.request("initialize", init_params("1999-01-01")).await;
    s.session_id = a
        .reply
        .as_ref()
        .and_then(|r| r.header("mcp-session-id"))
        .map(str::to_owned);
    s.close().await;
    let requires = "the spec: a server that does not support the requested version MUST \
                    answer initialize with another version it supports";
    let Outcome::Ok(r) = &a.outcome else {
        return Verdict::fail(a.diag(requires));
    };
    match r.get("protocolVersion").and_then(Value::as_str) {
        Some(v) if known_versions().any(|k| k == v) => Verdict::pass(),
        Some("1999-01-01") => Verdict::fail(format!(
            "{}\nthe server echoed a version that does not exist",
            a.diag(requires)
        )),
        Some(v) => Verdict::warn(format!(
            "{}\nthe server chose {v:?}, a version the tester does not know",
            a.diag(requires)
        )),
        None => Verdict::fail(a.diag(requires)),
    }
}

/// `server/discover`: `Ok(verdict)` when the server offers 2026-07-28, `Err(reason)`
/// when the stateless era is not offered.
pub(crate) async fn discover(ctx: &mut Ctx<'_>) -> Result<Verdict, String> {
    let a = ctx.s.request("server/discover", json!({})).await;
    let Outcome::Ok(r) = &a.outcome else {
        return Err(format!(
            "server/discover was not answered with a result: {}",
            a.got()
        ));
    };
    let offered = r
        .get("supportedVersions")
        .and_then(Value::as_array)
        .is_some_and(|vs| vs.iter().any(|v| v == Era::Stateless.version()));
    if !offered {
        return Err(format!(
            "server/discover does not list {} in supportedVersions: {}",
            Era::Stateless.version(),
            a.got()
        ));
    }
    ctx.s.caps = r.get("capabilities").cloned().unwrap_or(json!({}));
    Ok(match ctx.expect(&a, "DiscoverResult") {
        Ok(_) => Verdict::pass(),
        Err(v) => v,
    })
}

/// `ping` answers an empty result.
pub(crate) async fn ping(ctx: &mut Ctx<'_>) -> Verdict {
    if ctx.era() == Era::Stateless {
        return Verdict::skip("2026-07-28 has no ping");
    }
    let id = json!(424242);
    let a = ctx.s.request_id(id.clone(), "ping", json!({})).await;
    // An answer under another id answers nothing: a client waiting for this ping waits on.
    let answered = a
        .reply
        .as_ref()
        .and_then(|r| r.message.as_ref())
        .and_then(|m| m.get("id"));
    if let Some(other) = answered.filter(|got| **got != id) {
        return Verdict::fail(format!(
            "sent: ping with id {id}\ngot: a response with id {other}\nrequired: the id of the \
             request (a client would still be waiting for this ping)"
        ));
    }
    match ctx.expect(&a, "EmptyResult") {
        Ok(_) => Verdict::pass(),
        Err(v) => v,
    }
}
