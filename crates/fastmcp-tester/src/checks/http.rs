//! Streamable HTTP checks: status codes and headers of the transport.

use serde_json::{json, Value};

use super::{Ctx, Findings, Verdict};
use crate::conn::{Headers, Reply};
use crate::target::Era;
use crate::text::clip;

/// The skip of an HTTP check that does not apply.
fn not_applicable(ctx: &Ctx<'_>) -> Option<Verdict> {
    if ctx.s.conn.http().is_none() {
        return Some(Verdict::skip("not an HTTP target"));
    }
    if !ctx.opts.http_checks {
        return Some(Verdict::skip("HTTP checks turned off"));
    }
    None
}

/// A request of the era's liveness method, as a body and its headers.
fn probe(ctx: &Ctx<'_>, id: i64) -> (String, Headers) {
    let method = match ctx.era() {
        Era::Handshake => "ping",
        Era::Stateless => "server/discover",
    };
    let params = ctx.s.params(json!({}));
    let headers = ctx.s.headers(Some(method), &params);
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    (body.to_string(), headers)
}

/// POST `body` with `headers`.
async fn post(ctx: &Ctx<'_>, body: &str, headers: &Headers) -> Result<Reply, String> {
    match ctx.s.conn.http() {
        Some(h) => h.post(body, headers, ctx.opts.timeout).await,
        None => Err("not HTTP".into()),
    }
}

/// "HTTP 200, body …" of a reply.
fn seen(r: &Result<Reply, String>) -> String {
    match r {
        Ok(r) => format!(
            "HTTP {}, body {:?}",
            r.status.unwrap_or(0),
            clip(&r.body, 200)
        ),
        Err(e) => e.clone(),
    }
}

fn status(r: &Result<Reply, String>) -> u16 {
    r.as_ref().ok().and_then(|r| r.status).unwrap_or(0)
}

/// A notification POST is answered 202 Accepted with no body.
pub(crate) async fn notification_202(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    let (what, r) = match (ctx.era(), ctx.initialized.clone()) {
        (Era::Handshake, Some(r)) => ("notifications/initialized", r),
        (Era::Handshake, None) => return Verdict::skip("no initialized notification was sent"),
        (Era::Stateless, _) => {
            let params = ctx.s.params(json!({"requestId": "fastmcp-tester-none"}));
            let h = ctx.s.headers(Some("notifications/cancelled"), &params);
            let body =
                json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": params});
            (
                "notifications/cancelled",
                post(ctx, &body.to_string(), &h).await,
            )
        }
    };
    let empty = r.as_ref().is_ok_and(|r| r.body.trim().is_empty());
    if status(&r) == 202 && empty {
        return Verdict::pass();
    }
    Verdict::fail(format!(
        "sent: a POST of {what}\ngot: {}\nrequired: HTTP 202 Accepted with no body",
        seen(&r)
    ))
}

/// Later requests need the session id from initialize; an unknown one is 404.
pub(crate) async fn session_id(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    if ctx.era() == Era::Stateless {
        return Verdict::skip("2026-07-28 has no sessions");
    }
    let Some(sid) = ctx.s.session_id.clone() else {
        return Verdict::skip("the server issued no Mcp-Session-Id (it keeps no sessions)");
    };
    let mut f = Findings::default();
    let (body, headers) = probe(ctx, 7001);
    let without: Headers = headers
        .iter()
        .filter(|(k, _)| k != "mcp-session-id")
        .cloned()
        .collect();
    let r = post(ctx, &body, &without).await;
    match status(&r) {
        400 => {}
        401..=499 => f.warn(format!(
            "sent: ping without Mcp-Session-Id\ngot: {}\nrequired: HTTP 400 Bad Request (SHOULD)",
            seen(&r)
        )),
        _ => f.fail(format!(
            "sent: ping without Mcp-Session-Id (the server issued {sid:?})\ngot: {}\nrequired: \
             the session id on every later request; HTTP 400 without it",
            seen(&r)
        )),
    }
    let mut unknown = without;
    unknown.push((
        "mcp-session-id".into(),
        "fastmcp-tester-unknown-session".into(),
    ));
    let r = post(ctx, &body, &unknown).await;
    if status(&r) != 404 {
        f.fail(format!(
            "sent: ping with an unknown Mcp-Session-Id\ngot: {}\nrequired: HTTP 404 Not Found",
            seen(&r)
        ));
    }
    f.verdict()
}

/// A POST whose Accept lacks text/event-stream is 406.
pub(crate) async fn accept_header(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    let (body, mut headers) = probe(ctx, 7002);
    headers.push(("accept".into(), "application/json".into()));
    let r = post(ctx, &body, &headers).await;
    let diag = format!(
        "sent: a POST with `Accept: application/json` only\ngot: {}\nrequired: HTTP 406 Not \
         Acceptable (the client MUST accept both application/json and text/event-stream)",
        seen(&r)
    );
    match status(&r) {
        406 => Verdict::pass(),
        400..=499 => Verdict::warn(diag),
        _ => Verdict::fail(diag),
    }
}

/// A GET without a session: no stream for a server that keeps sessions.
pub(crate) async fn get_without_session(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    let Some(http) = ctx.s.conn.http() else {
        return Verdict::skip("not HTTP");
    };
    let mut h: Headers = vec![("accept".into(), "text/event-stream".into())];
    h.push(("mcp-protocol-version".into(), ctx.s.version.clone()));
    let r = http
        .send(reqwest::Method::GET, &h, None, ctx.opts.timeout, false)
        .await;
    let code = status(&r);
    let sessions = ctx.s.session_id.is_some();
    let diag = format!(
        "sent: GET with Accept: text/event-stream and no Mcp-Session-Id\ngot: {}\nrequired: \
         HTTP 400 (a server with sessions) or 405 (no stream offered)",
        seen(&r)
    );
    match code {
        400 | 404 | 405 => Verdict::pass(),
        200..=299 if sessions => Verdict::fail(diag),
        200..=299 => Verdict::pass(),
        _ => Verdict::warn(diag),
    }
}

/// An unsupported MCP-Protocol-Version header is 400.
pub(crate) async fn protocol_version_header(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    let (body, headers) = probe(ctx, 7003);
    let mut h: Headers = headers
        .into_iter()
        .filter(|(k, _)| k != "mcp-protocol-version")
        .collect();
    h.push(("mcp-protocol-version".into(), "1999-01-01".into()));
    let body = match ctx.era() {
        Era::Handshake => body,
        Era::Stateless => {
            let mut v: Value = serde_json::from_str(&body).unwrap_or_default();
            v["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("1999-01-01");
            v.to_string()
        }
    };
    let r = post(ctx, &body, &h).await;
    let code = r
        .as_ref()
        .ok()
        .and_then(|r| r.message.as_ref())
        .and_then(|m| m.pointer("/error/code"))
        .and_then(Value::as_i64);
    match (status(&r), ctx.era(), code) {
        (400, Era::Stateless, Some(c)) if c != -32022 => {
            return Verdict::warn(format!(
                "sent: a request with protocol version 1999-01-01 (header and _meta)\ngot: {}\n\
                 required: HTTP 400 with error -32022 (UnsupportedProtocolVersionError)",
                seen(&r)
            ))
        }
        (400, _, _) => return Verdict::pass(),
        _ => {}
    }
    Verdict::fail(format!(
        "sent: a request with `MCP-Protocol-Version: 1999-01-01`\ngot: {}\nrequired: HTTP 400 \
         Bad Request for an unsupported protocol version",
        seen(&r)
    ))
}

/// DELETE ends the session; the session id is then 404.
pub(crate) async fn delete_session(ctx: &mut Ctx<'_>) -> Verdict {
    if let Some(v) = not_applicable(ctx) {
        return v;
    }
    if ctx.era() == Era::Stateless {
        return Verdict::skip("2026-07-28 has no sessions");
    }
    let (Some(sid), Some(http)) = (ctx.s.session_id.clone(), ctx.s.conn.http()) else {
        return Verdict::skip("the server issued no Mcp-Session-Id");
    };
    let h: Headers = vec![
        ("mcp-session-id".into(), sid),
        ("mcp-protocol-version".into(), ctx.s.version.clone()),
    ];
    let d = http
        .send(reqwest::Method::DELETE, &h, None, ctx.opts.timeout, true)
        .await;
    match status(&d) {
        405 => {
            return Verdict::skip("the server does not let clients end sessions (DELETE is 405)")
        }
        200..=299 => {}
        _ => {
            return Verdict::fail(format!(
            "sent: DELETE with the session id\ngot: {}\nrequired: 2xx (or 405 when not allowed)",
            seen(&d)
        ))
        }
    }
    let (body, headers) = probe(ctx, 7004);
    let r = post(ctx, &body, &headers).await;
    if status(&r) == 404 {
        return Verdict::pass();
    }
    Verdict::fail(format!(
        "sent: ping with the session id after DELETE\ngot: {}\nrequired: HTTP 404 Not Found",
        seen(&r)
    ))
}
