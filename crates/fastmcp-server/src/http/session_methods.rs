//! The other methods of the Streamable HTTP endpoint: `GET` (a session's standalone SSE
//! stream, or the resumption of a request's stream with `Last-Event-ID`) and `DELETE` (the
//! client ends its session).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri, Version};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fastmcp_core::{AuthInfo, CancelReason};
use fastmcp_protocol::{error_code, ProtocolVersion};

use super::events::parse_event_id;
use super::guard::{check_get, rpc_error};
use super::heads::VERSION;
use super::host::check_origin_and_host;
use super::reply::{sse_events, sse_response};
use super::sessions::is_standalone;
use super::streamable::{header_str, session_of};
use super::HttpState;

/// What GET and DELETE check first: Host and Origin, and that the endpoint has sessions
/// (405 in the stateless era and for a `stateless(true)` server).
fn session_method_allowed(
    st: &HttpState,
    version: Version,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(), Response> {
    check_origin_and_host(headers, version, uri, &st.opts)?;
    if header_str(headers, &VERSION) == Some(ProtocolVersion::V2026_07_28.as_str())
        || st.opts.stateless
    {
        return Err(method_not_allowed());
    }
    Ok(())
}

pub(crate) async fn get(
    State(st): State<HttpState>,
    version: Version,
    uri: Uri,
    auth: Option<axum::Extension<Arc<AuthInfo>>>,
    headers: HeaderMap,
) -> Response {
    let who = auth.as_ref().map(|a| &*a.0);
    if let Err(r) = session_method_allowed(&st, version, &uri, &headers) {
        return r;
    }
    if let Err(r) = check_get(&headers) {
        return r;
    }
    let session = match session_of(&st, &headers, who).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let store = st.opts.event_store.clone();
    let (stream, after) = match header_str(&headers, "last-event-id").and_then(parse_event_id) {
        Some((sid, seq)) => match session.stream(sid) {
            Some(s) => (s, Some(seq)),
            None => {
                if let Some(r) = super::shared_streams::resume_elsewhere(&st, sid, seq).await {
                    return r;
                }
                if !is_standalone(sid) {
                    // Not 404, which would tell the client that its session ended.
                    return rpc_error(
                        StatusCode::BAD_REQUEST,
                        None,
                        error_code::INVALID_REQUEST,
                        "Unknown event stream: it cannot be resumed",
                    );
                }
                // The GET stream of a replica that stopped: the session's GET stream goes
                // on here, from now (what that replica had not delivered died with it).
                (session.standalone(store, st.opts.stream_buffer), None)
            }
        },
        None => (session.standalone(store, st.opts.stream_buffer), None),
    };
    let fresh = after.is_none();
    let version = session.endpoint.session.protocol_version();
    let rx = stream.attach(after).await;
    if fresh && stream.resumable() && version.is_some_and(|v| v >= ProtocolVersion::V2025_11_25) {
        stream.emit(Bytes::new()).await;
    }
    sse_response(
        sse_events(rx, st.shared.shutdown.clone(), None, st.opts.retry),
        &st.opts,
    )
}

pub(crate) async fn delete(
    State(st): State<HttpState>,
    version: Version,
    uri: Uri,
    auth: Option<axum::Extension<Arc<AuthInfo>>>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = session_method_allowed(&st, version, &uri, &headers) {
        return r;
    }
    let who = auth.as_ref().map(|a| &*a.0);
    // Missing header (400), unknown here and in the session store (404), another
    // identity's (403).
    let session = match session_of(&st, &headers, who).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    super::shared_sessions::deleted(&st, &session.id).await;
    st.sessions
        .remove(&session.id, CancelReason::SessionClosed)
        .await;
    StatusCode::OK.into_response()
}

fn method_not_allowed() -> Response {
    let mut r = rpc_error(
        StatusCode::METHOD_NOT_ALLOWED,
        None,
        error_code::INVALID_REQUEST,
        "Method not allowed",
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}
