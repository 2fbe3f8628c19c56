//! Checks every HTTP request passes before it reaches a session: content type, `Accept`
//! and the declared body length (`Host` and `Origin` are in `host.rs`).

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fastmcp_protocol::{error_code, ErrorObject, Message, RequestId};

use crate::session::{encode, error_message};

/// An HTTP error response with a JSON-RPC error body.
pub(crate) fn rpc_error(
    status: StatusCode,
    id: Option<RequestId>,
    code: i32,
    msg: impl Into<String>,
) -> Response {
    json_message(status, &error_message(id, ErrorObject::new(code, msg)))
}

/// A JSON response holding one message.
pub(crate) fn json_message(status: StatusCode, m: &Message) -> Response {
    json_bytes(status, encode(m))
}

pub(crate) fn json_bytes(status: StatusCode, body: bytes::Bytes) -> Response {
    // A static value: made from a `&str` it would be copied into a new buffer every time.
    let json = HeaderValue::from_static("application/json");
    (status, [(header::CONTENT_TYPE, json)], body).into_response()
}

/// The media type of a header value: what comes before any `;`, trimmed (bytes: no UTF-8
/// check on every request).
fn media_type(v: &[u8]) -> &[u8] {
    let end = v.iter().position(|&b| b == b';').unwrap_or(v.len());
    v[..end].trim_ascii()
}

/// What the `Accept` headers allow of the two answers a POST may get, read in one pass.
#[derive(Default)]
pub(crate) struct Accepted {
    json: bool,
    sse: bool,
}

impl Accepted {
    /// Take in one `Accept` header's value.
    pub(crate) fn add(&mut self, v: &HeaderValue) {
        // What clients send most (the specification's own example): read without parsing.
        if v.as_bytes() == b"application/json, text/event-stream" {
            (self.json, self.sse) = (true, true);
            return;
        }
        for part in v.as_bytes().split(|&b| b == b',') {
            let m = media_type(part);
            self.json = self.json || covers(m, b"application", b"json");
            self.sse = self.sse || covers(m, b"text", b"event-stream");
        }
    }
}

fn accepted(headers: &HeaderMap) -> Accepted {
    let mut a = Accepted::default();
    for v in headers.get_all(header::ACCEPT) {
        a.add(v);
    }
    a
}

/// Whether the media range `m` (`kind/sub`, `kind/*` or `*/*`, in any case) covers
/// `kind/sub`.
fn covers(m: &[u8], kind: &[u8], sub: &[u8]) -> bool {
    let Some(i) = memchr::memchr(b'/', m) else {
        return false;
    };
    let (k, s) = (&m[..i], &m[i + 1..]);
    (k == b"*" && s == b"*")
        || (k.eq_ignore_ascii_case(kind) && (s == b"*" || s.eq_ignore_ascii_case(sub)))
}

/// POST must send JSON and accept both JSON and SSE (the server reads the headers with
/// `Heads`, in one pass, and calls [`check_post_of`]).
#[cfg(test)]
fn check_post(headers: &HeaderMap) -> Result<(), Response> {
    check_post_of(headers.get(header::CONTENT_TYPE), &accepted(headers))
}

/// [`check_post`] of the first `Content-Type` and what the `Accept` headers allow.
pub(crate) fn check_post_of(
    content_type: Option<&HeaderValue>,
    accepted: &Accepted,
) -> Result<(), Response> {
    let ct = content_type.map(|v| v.as_bytes()).unwrap_or_default();
    if !media_type(ct).eq_ignore_ascii_case(b"application/json") {
        return Err(rpc_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            error_code::INVALID_REQUEST,
            "Content-Type must be application/json",
        ));
    }
    if !(accepted.json && accepted.sse) {
        return Err(rpc_error(
            StatusCode::NOT_ACCEPTABLE,
            None,
            error_code::INVALID_REQUEST,
            "Accept must list application/json and text/event-stream",
        ));
    }
    Ok(())
}

/// A declared `Content-Length` over the limit: 413 at once, before any of the body is
/// read, and the connection is closed (what the client sends after is not read).
pub(crate) fn check_length(headers: &HeaderMap, max: usize) -> Result<(), Response> {
    check_length_of(headers.get(header::CONTENT_LENGTH), max)
}

/// [`check_length`] of the first `Content-Length`.
pub(crate) fn check_length_of(declared: Option<&HeaderValue>, max: usize) -> Result<(), Response> {
    let declared = declared
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > max as u64 => Err(too_large(max)),
        _ => Ok(()),
    }
}

/// 413 with `Connection: close`.
pub(crate) fn too_large(max: usize) -> Response {
    closing(rpc_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        None,
        error_code::INVALID_REQUEST,
        format!("Request body larger than {max} bytes"),
    ))
}

/// `r` with `Connection: close`: what the client sends after it is not read.
pub(crate) fn closing(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// GET must accept SSE.
pub(crate) fn check_get(headers: &HeaderMap) -> Result<(), Response> {
    if !accepted(headers).sse {
        return Err(rpc_error(
            StatusCode::NOT_ACCEPTABLE,
            None,
            error_code::INVALID_REQUEST,
            "Accept must list text/event-stream",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn accept_rules() {
        let ok = h(&[
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ]);
        assert!(check_post(&ok).is_ok());
        let star = h(&[
            ("content-type", "application/json; charset=utf-8"),
            ("accept", "*/*"),
        ]);
        assert!(check_post(&star).is_ok());
        let only_json = h(&[
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ]);
        assert_eq!(
            check_post(&only_json).unwrap_err().status(),
            StatusCode::NOT_ACCEPTABLE
        );
        let text = h(&[("content-type", "text/plain"), ("accept", "*/*")]);
        assert_eq!(
            check_post(&text).unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // Case, parameters, spaces, wildcards by kind, two Accept headers.
        let mixed = h(&[
            ("content-type", " Application/JSON ;charset=utf-8"),
            ("accept", "text/*;q=0.5"),
            ("accept", "APPLICATION/json;q=1"),
        ]);
        assert!(check_post(&mixed).is_ok());
        for (ct, accept) in [
            ("application/jsonx", "*/*"),
            ("application", "*/*"),
            ("", "*/*"),
            ("application/json", "application/*, text/event-streams"),
            ("application/json", "text/*"),
            ("application/json", "*/json, text/event-stream"),
            ("application/json", "application json, text/event-stream"),
            ("application/json", "application/json/, text/event-stream"),
        ] {
            let m = h(&[("content-type", ct), ("accept", accept)]);
            assert!(check_post(&m).is_err(), "{ct:?} {accept:?}");
        }
    }
}
