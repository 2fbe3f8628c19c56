//! The legacy HTTP+SSE transport (protocol 2024-11-05): `GET /sse` opens a session and its
//! event stream, whose first event (`endpoint`) names the URL to POST messages to; every
//! server-to-client message is then an SSE `message` event on that stream. A POST answers
//! `202 Accepted` at once; the response travels on the stream. Closing the stream ends the
//! session and cancels its requests.
//!
//! A session is a message-stream connection like stdio: POST bodies are its inbound frames,
//! the SSE stream its outbound side, and [`crate::session::serve_session`] runs it.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{OriginalUri, Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri, Version};
use axum::response::sse::Event;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use fastmcp_core::{AuthInfo, Session};
use fastmcp_protocol::{error_code, Message};
use fastmcp_transport::{Channel, Inbound, Outbound};
use futures::stream::{self, Stream, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower_http::cors::CorsLayer;

use super::auth::Owner;
use super::body::read_body;
use super::guard::{check_length, rpc_error};
use super::host::check_origin_and_host;
use super::options::HttpOptions;
use super::remote::RemoteAddr;
use super::reply::sse_response;
use crate::lock::lock;
use crate::shared::Shared;

/// Messages queued per direction of a session.
const QUEUE: usize = 256;

type SessionMap = Mutex<HashMap<Arc<str>, (mpsc::Sender<Inbound>, Owner)>>;

#[derive(Clone)]
struct LegacyState {
    shared: Arc<Shared>,
    opts: Arc<HttpOptions>,
    /// Open sessions: id → the inbound side of the session's connection.
    sessions: Arc<SessionMap>,
}

/// The legacy HTTP+SSE router: `GET <sse_path>` and `POST <messages_path>`.
pub(crate) fn router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    let (sse, messages, cors) = (opts.sse_path.clone(), opts.messages_path.clone(), opts.cors);
    let auth = opts.auth.clone();
    let st = LegacyState {
        shared,
        opts: Arc::new(opts),
        sessions: Arc::default(),
    };
    let r = if sse == messages {
        axum::Router::new().route(&sse, get(open).post(message))
    } else {
        axum::Router::new()
            .route(&sse, get(open))
            .route(&messages, post(message))
    };
    let r = super::auth::protect(r.with_state(st), auth.as_ref());
    if cors {
        r.layer(CorsLayer::very_permissive())
    } else {
        r
    }
}

/// The path the router is mounted at (`/api` when nested with `Router::nest("/api", ..)`).
fn mount_prefix<'a>(original: &'a Uri, uri: &Uri) -> &'a str {
    original.path().strip_suffix(uri.path()).unwrap_or("")
}

/// Removes a session from the map when its SSE stream goes away, which closes the
/// session's inbound side: the connection sees end of input and ends the session.
struct Unregister {
    sessions: Arc<SessionMap>,
    id: Arc<str>,
}

impl Drop for Unregister {
    fn drop(&mut self) {
        lock(&self.sessions).remove(&self.id);
    }
}

/// `GET /sse`: a new session and its event stream.
async fn open(
    State(st): State<LegacyState>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    version: Version,
    RemoteAddr(peer): RemoteAddr,
    auth: Option<axum::Extension<Arc<AuthInfo>>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check_origin_and_host(&headers, version, &original, &st.opts) {
        return r;
    }
    let auth = auth.map(|a| a.0);
    let owner = Owner::of(auth.as_deref());
    let caller = super::auth::caller_of(auth, &Method::GET, &original, &headers, peer);
    let id: Arc<str> = super::sessions::new_session_id().into();
    let (in_tx, in_rx) = mpsc::channel::<Inbound>(QUEUE);
    {
        let mut map = lock(&st.sessions);
        if map.len() >= st.opts.max_sessions {
            return rpc_error(
                StatusCode::SERVICE_UNAVAILABLE,
                None,
                error_code::LIMIT_EXCEEDED,
                "Too many sessions",
            );
        }
        map.insert(id.clone(), (in_tx, owner));
    }
    let unregister = Unregister {
        sessions: st.sessions.clone(),
        id: id.clone(),
    };
    let (out_tx, out_rx) = mpsc::channel::<Bytes>(QUEUE);
    let channel = Channel {
        inbound: in_rx,
        outbound: Outbound::new(out_tx),
    };
    // Set when the session's connection has ended (also by a panic): the stream ends then
    // even if a task spawned by a handler still holds a sender.
    let done = CancellationToken::new();
    let (shared, ended) = (st.shared.clone(), done.clone());
    let session = Session::handshake(Some(id.clone()));
    super::remote::record(&session, peer);
    st.shared.connections.spawn(async move {
        let _ended = ended.drop_guard();
        crate::session::serve_session(shared, channel, session, caller).await;
    });
    let endpoint = format!(
        "{}{}?sessionId={id}",
        mount_prefix(&original, &uri),
        st.opts.messages_path
    );
    sse_response(events(endpoint, out_rx, done, unregister), &st.opts)
}

/// The session's SSE events: `endpoint` first, then one `message` event per message.
fn events(
    endpoint: String,
    rx: mpsc::Receiver<Bytes>,
    done: CancellationToken,
    unregister: Unregister,
) -> impl Stream<Item = Result<Event, Infallible>> + Send {
    let first = stream::once(async move { Ok(Event::default().event("endpoint").data(endpoint)) });
    let rest = stream::unfold(
        (rx, done, unregister),
        |(mut rx, done, unregister)| async move {
            let msg = tokio::select! {
                biased;
                m = rx.recv() => m,
                _ = done.cancelled() => None,
            }?;
            let e = Event::default()
                .event("message")
                .data(String::from_utf8_lossy(&msg));
            Some((Ok(e), (rx, done, unregister)))
        },
    );
    first.chain(rest)
}

#[derive(Deserialize)]
struct SessionQuery {
    #[serde(rename = "sessionId", alias = "session_id")]
    session_id: Option<String>,
}

fn bad_request(code: i32, msg: impl Into<String>) -> Response {
    rpc_error(StatusCode::BAD_REQUEST, None, code, msg)
}

fn session_not_found() -> Response {
    rpc_error(
        StatusCode::NOT_FOUND,
        None,
        error_code::INVALID_REQUEST,
        "Session not found",
    )
}

/// `POST /messages?sessionId=..`: one JSON-RPC message (or a batch, 2025-03-26) for the
/// session; `202 Accepted`, and whatever it causes goes out on the session's stream.
async fn message(
    State(st): State<LegacyState>,
    query: Result<Query<SessionQuery>, QueryRejection>,
    OriginalUri(uri): OriginalUri,
    version: Version,
    auth: Option<axum::Extension<Arc<AuthInfo>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Err(r) = check_origin_and_host(&headers, version, &uri, &st.opts) {
        return r;
    }
    let Some(id) = query.ok().and_then(|Query(q)| q.session_id) else {
        return bad_request(
            error_code::INVALID_REQUEST,
            "Missing sessionId query parameter",
        );
    };
    let Some((inbound, owner)) = lock(&st.sessions).get(id.as_str()).cloned() else {
        return session_not_found();
    };
    if !owner.is(auth.as_ref().map(|a| &*a.0)) {
        return super::auth::not_the_owner();
    }
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let mime = ct.to_str().unwrap_or("").split(';').next().unwrap_or("");
        if !mime.trim().eq_ignore_ascii_case("application/json") {
            return rpc_error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                None,
                error_code::INVALID_REQUEST,
                "Content-Type must be application/json",
            );
        }
    }
    if let Err(r) = check_length(&headers, st.opts.max_body) {
        return r;
    }
    let bytes = match read_body(body, st.opts.max_body, st.opts.body_timeout).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // Refuse what cannot be read here, with the reason; what is well-formed goes to the
    // session, which answers on the stream (a batch the negotiated version forbids too).
    if Message::is_batch(&bytes) {
        // Only checked to be JSON here (nothing kept); the session reads it, capped.
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            return bad_request(error_code::PARSE_ERROR, format!("Parse error: {e}"));
        }
    } else if let Err(f) = Message::parse(&bytes) {
        return rpc_error(StatusCode::BAD_REQUEST, f.id, f.error.code, f.error.message);
    }
    if inbound.send(Ok(bytes)).await.is_err() {
        return session_not_found();
    }
    StatusCode::ACCEPTED.into_response()
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use futures::StreamExt;
    use tower::ServiceExt;

    use crate::{HttpOptions, Server};

    #[tokio::test]
    async fn the_endpoint_event_is_relative_to_the_mount() {
        let running = Server::new("t", "0").start().await.unwrap();
        let opts = HttpOptions::default().legacy_paths("/events", "/post");
        let app = axum::Router::new().nest("/api/v1", running.legacy_sse(opts));
        let req = Request::get("/api/v1/events")
            .header("host", "127.0.0.1")
            .body(axum::body::Body::empty())
            .unwrap();
        let resp = app.oneshot(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        let mut body = resp.into_body().into_data_stream();
        let first = body.next().await.unwrap().unwrap();
        let first = std::str::from_utf8(&first).unwrap();
        assert!(
            first.starts_with("event: endpoint\ndata: /api/v1/post?sessionId="),
            "{first}"
        );
        running.shutdown().await.unwrap();
    }
}
