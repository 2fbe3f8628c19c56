//! The Streamable HTTP endpoint: POST for both eras (chosen per request), GET and DELETE
//! for handshake-era sessions.

use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fastmcp_core::{AuthInfo, CancelReason, HttpParts, Session};
use fastmcp_protocol::jsonrpc::{Request, RequestId};
use fastmcp_protocol::{error_code, Era, Message, ProtocolVersion};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio_util::task::TaskTracker;

use super::auth::{Owner, StepUp};
use super::body::read_body;
use super::events::SseStream;
use super::guard::{check_length_of, check_post_of, json_bytes, rpc_error};
use super::headers;
use super::heads::{Heads, Named, SESSION};
use super::host::check_origin_and_host_of;
use super::reply::{json_answer, respond, CancelOnDrop, Out, Plan, ReqSink, StreamOf};
use super::sessions::{Full, HttpSession};
use super::HttpState;
use crate::call::Caller;
use crate::session::{encode, Endpoint, Sink};

#[derive(Deserialize, Default)]
struct MetaVersion {
    #[serde(rename = "_meta", default)]
    meta: Option<VersionOnly>,
}

#[derive(Deserialize, Default)]
struct VersionOnly {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    version: Option<String>,
}

fn body_version(params: Option<&RawValue>) -> Option<String> {
    let p = params?;
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| {
            memchr::memmem::Finder::new("io.modelcontextprotocol/protocolVersion")
        });
    // Most requests do not name a version: they are not parsed for one.
    if !crate::meta::has_meta(p) {
        return None;
    }
    FINDER.find(p.get().as_bytes())?;
    serde_json::from_str::<MetaVersion>(p.get())
        .ok()?
        .meta?
        .version
}

pub(crate) fn header_str(
    h: &HeaderMap,
    name: impl axum::http::header::AsHeaderName,
) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// The HTTP status of a final JSON-RPC message in the stateless era.
fn stateless_status(body: &[u8]) -> StatusCode {
    #[derive(Deserialize)]
    struct E {
        error: Option<C>,
    }
    #[derive(Deserialize)]
    struct C {
        code: i32,
    }
    let code = serde_json::from_slice::<E>(body)
        .ok()
        .and_then(|e| e.error)
        .map(|c| c.code);
    match code {
        Some(error_code::UNSUPPORTED_PROTOCOL_VERSION)
        | Some(error_code::MISSING_REQUIRED_CLIENT_CAPABILITY)
        | Some(error_code::HEADER_MISMATCH)
        | Some(error_code::INVALID_REQUEST)
        | Some(error_code::PARSE_ERROR) => StatusCode::BAD_REQUEST,
        Some(error_code::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

fn ok_status(_: &[u8]) -> StatusCode {
    StatusCode::OK
}

const STATELESS_METHODS: [&str; 13] = [
    "server/discover",
    "tools/list",
    "tools/call",
    "resources/list",
    "resources/templates/list",
    "resources/read",
    "prompts/list",
    "prompts/get",
    "completion/complete",
    "subscriptions/listen",
    // The tasks extension (`io.modelcontextprotocol/tasks`).
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
];

pub(crate) async fn post(State(st): State<HttpState>, req: axum::extract::Request) -> Response {
    // The request taken whole: a `HeaderMap` extractor would copy the headers.
    let (parts, body) = req.into_parts();
    let peer = super::remote::of(&parts.extensions);
    post_parts(st, parts, body, peer).await
}

/// The POST of a message from `peer`: checked, its body read, then handled. Generic over
/// the body: hyper's, as the server's own connections hand it (not boxed first), or axum's,
/// mounted in an application.
pub(crate) async fn post_parts<B>(
    st: HttpState,
    parts: axum::http::request::Parts,
    body: B,
    peer: Option<SocketAddr>,
) -> Response
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<axum::BoxError>,
{
    let heads = Heads::of(&parts.headers);
    let (host, more, origin) = (heads.host, heads.more_hosts, heads.origin);
    if let Err(r) =
        check_origin_and_host_of(host, more, origin, parts.version, &parts.uri, &st.opts)
    {
        return r;
    }
    if let Err(r) = check_length_of(heads.content_length, st.opts.max_body) {
        return r;
    }
    if let Err(r) = check_post_of(heads.content_type, &heads.accepted) {
        return r;
    }
    let named = heads.named();
    match read_body(body, st.opts.max_body, st.opts.body_timeout).await {
        Ok(bytes) => post_message(st, parts, bytes, peer, named).await,
        Err(r) => r,
    }
}

/// The POST of `bytes`, a message or a batch, from `peer`, its headers checked.
async fn post_message(
    st: HttpState,
    parts: axum::http::request::Parts,
    bytes: Bytes,
    peer: Option<SocketAddr>,
    named: Named,
) -> Response {
    let auth = super::auth::identity(&parts.extensions);
    let headers = parts.headers;
    // The headers move into the caller's HTTP parts (no copy); read from there on.
    let http = Arc::new(HttpParts::new(parts.method, parts.uri, headers, peer));
    let caller = Caller {
        auth,
        http: Some(http.clone()),
    };
    let headers = &http.headers;
    if Message::is_batch(&bytes) {
        return batch(&st, &named, bytes, caller).await;
    }
    let msg = match Message::parse(&bytes) {
        Ok(m) => m,
        Err(f) => return rpc_error(StatusCode::BAD_REQUEST, f.id, f.error.code, f.error.message),
    };
    let params = match &msg {
        Message::Request(r) => r.params.as_deref(),
        Message::Notification(n) => n.params.as_deref(),
        _ => None,
    };
    if let Some(v) = body_version(params) {
        return stateless(&st, headers, msg, v, peer, caller).await;
    }
    // The header's version, read once: an era the body must name, or one not offered, is
    // refused here; the handshake gets the version.
    let header_version = match named.version() {
        None => None,
        Some(v) => match v.parse::<ProtocolVersion>() {
            Ok(v) if v.era() == Era::Stateless => {
                let id = match &msg {
                    Message::Request(r) => Some(r.id.clone()),
                    _ => None,
                };
                return rpc_error(
                    StatusCode::BAD_REQUEST,
                    id,
                    error_code::INVALID_PARAMS,
                    "Invalid params: _meta must carry io.modelcontextprotocol/protocolVersion",
                );
            }
            Ok(v) => Some(v),
            Err(_) => {
                return rpc_error(
                    StatusCode::BAD_REQUEST,
                    None,
                    error_code::INVALID_REQUEST,
                    format!("Unsupported MCP-Protocol-Version: {v}"),
                )
            }
        },
    };
    handshake(&st, header_version, named.session(), msg, peer, caller).await
}

/// Run one request from `caller` on an endpoint and answer it.
async fn run_request(
    st: &HttpState,
    ep: Arc<Endpoint>,
    r: Request,
    mut plan: Plan,
    caller: Caller,
) -> Response {
    plan.step_up = StepUp::of(st.opts.auth.as_ref(), &caller);
    let scope = match ep.admit(&r) {
        Ok(s) => s,
        Err(Some(m)) => return json_bytes(StatusCode::OK, encode(&m)),
        // A duplicate of a request still running: the running one answers.
        Err(None) => return StatusCode::ACCEPTED.into_response(),
    };
    let cancel = CancelOnDrop(plan.cancel_on_drop.then(|| scope.clone()));
    let req_sink = Arc::new(ReqSink::new(plan.json_only));
    let sink: Arc<dyn Sink> = req_sink.clone();
    // Run in place first: a request that finishes without waiting and sent nothing else
    // is answered with JSON, with no task spawned. One that waits continues in a task.
    // Tracked by tokens held beside the box: wrapping the future (some KB) in the
    // trackers' futures would move it whole once more for each.
    let tracked = (st.requests.token(), st.shared.connections.token());
    let mut run = Box::pin(ep.run_as(r, scope, sink, caller));
    let polled = futures::poll!(run.as_mut());
    if let Poll::Ready(Some(m)) = &polled {
        if !req_sink.is_used() {
            req_sink.close();
            return json_answer(plan, cancel, encode(m));
        }
    }
    // Answered as it runs: the channel's receiver makes the answer, which ends when the
    // sink (held by the request) and `tx` are gone.
    let (tx, rx) = req_sink.channel();
    drop(req_sink);
    match polled {
        Poll::Ready(m) => {
            // Events came first (an SSE answer), or no response is owed (cancelled).
            if let Some(m) = m {
                st.shared.connections.spawn(async move {
                    let _ = tx.send(Out::Final(encode(&m))).await;
                });
            } else {
                drop(tx);
            }
        }
        Poll::Pending => {
            st.shared.connections.spawn(async move {
                let out = run.await;
                drop(tracked);
                if let Some(m) = out {
                    let _ = tx.send(Out::Final(encode(&m))).await;
                }
            });
        }
    }
    // Boxed: only a request that waits or sends comes here, and inline its future would
    // make every request's (moved whole a few times per request) larger by its size.
    Box::pin(respond(rx, plan, cancel, &st.opts)).await
}

async fn stateless(
    st: &HttpState,
    h: &HeaderMap,
    msg: Message,
    version: String,
    peer: Option<SocketAddr>,
    caller: Caller,
) -> Response {
    let (r, note, method) = match msg {
        Message::Request(r) => {
            let m = r.method.clone();
            (Some(r), None, m)
        }
        Message::Notification(n) => {
            let m = n.method.clone();
            (None, Some(n), m)
        }
        _ => {
            return rpc_error(
                StatusCode::BAD_REQUEST,
                None,
                error_code::INVALID_REQUEST,
                "Clients must not send responses",
            )
        }
    };
    let id = r.as_ref().map(|r| r.id.clone());
    let params = r.as_ref().and_then(|r| r.params.as_deref());
    // The tool named, for the `Mcp-Param-*` headers its schema declares.
    let tool = match (&*method, params) {
        ("tools/call", Some(p)) => {
            #[derive(Deserialize)]
            struct N<'a> {
                #[serde(borrow)]
                name: std::borrow::Cow<'a, str>,
            }
            match serde_json::from_str::<N>(p.get()) {
                Ok(n) => st.shared.rt.catalog.find_tool(&n.name).await.ok().flatten(),
                Err(_) => None,
            }
        }
        _ => None,
    };
    let schema = tool.as_ref().map(|t| &t.handler().tool().input_schema);
    if let Err(msg) = headers::validate(h, &method, params, &version, schema) {
        return rpc_error(
            StatusCode::BAD_REQUEST,
            id,
            error_code::HEADER_MISMATCH,
            msg,
        );
    }
    if r.is_some() {
        if let Err(e) = crate::meta::check_stateless_meta(params) {
            let m = crate::session::error_message(id, e.to_error_object());
            return super::guard::json_message(StatusCode::BAD_REQUEST, &m);
        }
    }
    let Some(r) = r else {
        // No session to act on; the middleware's hooks still see it.
        if let Some(n) = note {
            Endpoint::new(st.shared.pipeline.clone(), connection_session(peer)).on_notification(n);
        }
        return StatusCode::ACCEPTED.into_response();
    };
    let extended = st.shared.rt.config.extensions.for_method(&method).is_some();
    if !STATELESS_METHODS.contains(&&*method) && !extended {
        return rpc_error(
            StatusCode::NOT_FOUND,
            id,
            error_code::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        );
    }
    let ep = Endpoint::for_one_request(st.shared.pipeline.clone(), connection_session(peer));
    let mut plan = unresumable_plan(st);
    plan.cancel_on_drop = true;
    plan.status = stateless_status;
    run_request(st, ep, r, plan, caller).await
}

/// The plan of a request with no session: its SSE stream cannot be resumed.
fn unresumable_plan(st: &HttpState) -> Plan {
    Plan {
        json_only: false,
        stream: StreamOf::Unresumable,
        prime: false,
        cancel_on_drop: false,
        status: ok_status,
        headers: vec![],
        st: st.clone(),
        step_up: None,
    }
}

/// The plan of request `id` of a session: its SSE stream is kept for `Last-Event-ID`
/// (and described for the other replicas, when they share sessions).
fn session_plan(
    st: &HttpState,
    s: &Arc<HttpSession>,
    version: Option<ProtocolVersion>,
    id: &RequestId,
) -> Plan {
    Plan {
        json_only: st.opts.json_response,
        stream: StreamOf::Session(s.clone(), id.clone(), super::shared_streams::describe),
        prime: version.is_some_and(|v| v >= ProtocolVersion::V2025_11_25),
        ..unresumable_plan(st)
    }
}

/// The session of one request that belongs to no `Mcp-Session-Id` (a stateless-era
/// request builds its own from `_meta`, keeping the address), from a client at `peer`.
fn connection_session(peer: Option<SocketAddr>) -> Arc<Session> {
    let session = Session::handshake(None);
    super::remote::record(&session, peer);
    session
}

/// An endpoint for one request of a session-less handshake server (`stateless(true)`).
fn sessionless(
    st: &HttpState,
    version: Option<ProtocolVersion>,
    peer: Option<SocketAddr>,
) -> Arc<Endpoint> {
    let session = connection_session(peer);
    session.initialize_unknown_client(version.unwrap_or(ProtocolVersion::V2025_03_26));
    Endpoint::for_one_request(st.shared.pipeline.clone(), session)
}

async fn handshake(
    st: &HttpState,
    header_version: Option<ProtocolVersion>,
    session_id: Option<&str>,
    msg: Message,
    peer: Option<SocketAddr>,
    caller: Caller,
) -> Response {
    let is_init = matches!(&msg, Message::Request(r) if r.method == "initialize");
    if st.opts.stateless {
        return match msg {
            Message::Request(r) => {
                let ep = if is_init {
                    Endpoint::for_one_request(st.shared.pipeline.clone(), connection_session(peer))
                } else {
                    sessionless(st, header_version, peer)
                };
                let mut plan = unresumable_plan(st);
                plan.json_only = st.opts.json_response;
                run_request(st, ep, r, plan, caller).await
            }
            _ => StatusCode::ACCEPTED.into_response(),
        };
    }
    if is_init {
        let Message::Request(r) = msg else {
            unreachable!()
        };
        // Boxed, as it is once per session (see the end of `run_request`).
        return Box::pin(initialize(st, r, peer, caller)).await;
    }
    let session = match session_named(st, session_id, caller.auth.as_deref()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let version = session.endpoint.session.protocol_version();
    match msg {
        Message::Request(r) => {
            let set_level = r.method == "logging/setLevel";
            let plan = session_plan(st, &session, version, &r.id);
            let resp = run_request(st, session.endpoint.clone(), r, plan, caller).await;
            if set_level {
                super::shared_sessions::level_changed(st, &session).await;
            }
            resp
        }
        other => {
            super::shared_sessions::route(st, &session, other).await;
            StatusCode::ACCEPTED.into_response()
        }
    }
}

/// `initialize` without a session: a new session (shared with the other replicas once
/// the handshake succeeds), or none if it fails.
async fn initialize(
    st: &HttpState,
    r: Request,
    peer: Option<SocketAddr>,
    caller: Caller,
) -> Response {
    let owner = Owner::of(caller.auth.as_deref());
    let session = match st.sessions.create(&st.shared.pipeline, peer, owner) {
        Ok(s) => s,
        Err(Full) => {
            return rpc_error(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(r.id),
                error_code::LIMIT_EXCEEDED,
                "Too many sessions",
            )
        }
    };
    session
        .endpoint
        .set_id_prefix(super::shared_sessions::id_prefix(st));
    let mut plan = session_plan(st, &session, None, &r.id);
    plan.json_only = true;
    plan.headers.push((
        SESSION.clone(),
        HeaderValue::from_str(&session.id).expect("hex id"),
    ));
    let resp = run_request(st, session.endpoint.clone(), r, plan, caller).await;
    if session.endpoint.session.protocol_version().is_none() {
        st.sessions
            .remove(&session.id, CancelReason::SessionClosed)
            .await;
    } else {
        super::shared_sessions::save(st, &session).await;
        super::keepalive::watch(st, &session);
    }
    resp
}

/// The session a request names, when it belongs to `who` (one that another replica
/// created is loaded from the session store).
pub(crate) async fn session_of(
    st: &HttpState,
    h: &HeaderMap,
    who: Option<&AuthInfo>,
) -> Result<Arc<HttpSession>, Response> {
    session_named(st, header_str(h, &SESSION), who).await
}

/// [`session_of`] the id a request sent.
async fn session_named(
    st: &HttpState,
    id: Option<&str>,
    who: Option<&AuthInfo>,
) -> Result<Arc<HttpSession>, Response> {
    let Some(id) = id else {
        return Err(rpc_error(
            StatusCode::BAD_REQUEST,
            None,
            error_code::INVALID_REQUEST,
            "Missing Mcp-Session-Id header",
        ));
    };
    let s = match st.sessions.get(id) {
        Some(s) => {
            super::shared_sessions::touch(st, &s);
            Some(s)
        }
        None => super::shared_sessions::adopt(st, id).await,
    };
    let s = s.ok_or_else(|| {
        rpc_error(
            StatusCode::NOT_FOUND,
            None,
            error_code::INVALID_REQUEST,
            "Session not found",
        )
    })?;
    if !s.owner.is(who) {
        return Err(super::auth::not_the_owner());
    }
    Ok(s)
}

async fn batch(st: &HttpState, named: &Named, bytes: Bytes, caller: Caller) -> Response {
    let session = match session_named(st, named.session(), caller.auth.as_deref()).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let store = st.opts.event_store.clone();
    let stream = session.standalone(store, st.opts.stream_buffer);
    let sink: Arc<dyn Sink> = Arc::new(StreamSink(stream, st.shared.connections.clone()));
    match crate::session::batch(&session.endpoint, &sink, &bytes, Some(caller)).await {
        Some(reply) => json_bytes(StatusCode::OK, reply),
        None => StatusCode::ACCEPTED.into_response(),
    }
}

/// Writes to a session's SSE stream.
pub(crate) struct StreamSink(pub(crate) Arc<SseStream>, pub(crate) TaskTracker);

impl Sink for StreamSink {
    fn send(&self, msg: Bytes) -> fastmcp_core::BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move {
            self.0.emit(msg).await;
            Ok(())
        })
    }

    fn try_send(&self, msg: Bytes) {
        let s = self.0.clone();
        self.1.spawn(async move { s.emit(msg).await });
    }
}
