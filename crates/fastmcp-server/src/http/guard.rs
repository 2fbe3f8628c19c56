//! Checks every HTTP request passes before it reaches a session: `Host` and `Origin`
//! against allow-lists (DNS rebinding), content type and `Accept`.

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use fastmcp_protocol::{error_code, ErrorObject, Message, RequestId};

use super::options::HttpOptions;
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
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    })
}

fn is_loopback(host: &str) -> bool {
    matches!(host_name(host), "localhost" | "127.0.0.1" | "::1")
        || host_name(host).starts_with("127.")
}

/// `Host` and `Origin` validation: 403 when either is present and not allowed.
pub(crate) fn check_origin_and_host(
    headers: &HeaderMap,
    opts: &HttpOptions,
) -> Result<(), Response> {
    if let Some(host) = headers.get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        let ok = opts.any_host
            || is_loopback(host)
            || opts
                .allowed_hosts
                .iter()
                .any(|h| h == host || h == host_name(host));
        if !ok {
            return Err(rpc_error(
                StatusCode::FORBIDDEN,
                None,
                error_code::INVALID_REQUEST,
                format!("Host not allowed: {host}"),
            ));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin.split_once("://").map_or("", |(_, a)| a);
        let ok = (origin.starts_with("http") && is_loopback(authority))
            || opts.allowed_origins.iter().any(|o| o == "*" || o == origin);
        if !ok {
            return Err(rpc_error(
                StatusCode::FORBIDDEN,
                None,
                error_code::INVALID_REQUEST,
                format!("Origin not allowed: {origin}"),
            ));
        }
    }
    Ok(())
}

fn accepts(headers: &HeaderMap, mime: &str) -> bool {
    let (kind, _) = mime.split_once('/').unwrap_or((mime, ""));
    headers.get_all(header::ACCEPT).iter().any(|v| {
        v.to_str().unwrap_or("").split(',').any(|part| {
            let m = part.split(';').next().unwrap_or("").trim();
            m.eq_ignore_ascii_case(mime)
                || m == "*/*"
                || m.split_once('/')
                    .is_some_and(|(k, sub)| sub == "*" && k.eq_ignore_ascii_case(kind))
        })
    })
}

/// POST must send JSON and accept both JSON and SSE.
pub(crate) fn check_post(headers: &HeaderMap) -> Result<(), Response> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
    {
        return Err(rpc_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            None,
            error_code::INVALID_REQUEST,
            "Content-Type must be application/json",
        ));
    }
    if !(accepts(headers, "application/json") && accepts(headers, "text/event-stream")) {
        return Err(rpc_error(
            StatusCode::NOT_ACCEPTABLE,
            None,
            error_code::INVALID_REQUEST,
            "Accept must list application/json and text/event-stream",
        ));
    }
    Ok(())
}

/// GET must accept SSE.
pub(crate) fn check_get(headers: &HeaderMap) -> Result<(), Response> {
    if !accepts(headers, "text/event-stream") {
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
    fn loopback_is_allowed_and_others_are_not() {
        let o = HttpOptions::default();
        assert!(check_origin_and_host(&h(&[("host", "127.0.0.1:8080")]), &o).is_ok());
        assert!(check_origin_and_host(&h(&[("host", "localhost")]), &o).is_ok());
        assert!(check_origin_and_host(&h(&[("host", "[::1]:80")]), &o).is_ok());
        assert!(check_origin_and_host(&h(&[("host", "evil.com")]), &o).is_err());
        assert!(check_origin_and_host(&h(&[("host", "localhost.evil.com")]), &o).is_err());
        assert!(check_origin_and_host(&h(&[("origin", "http://localhost:3000")]), &o).is_ok());
        assert!(check_origin_and_host(&h(&[("origin", "https://evil.com")]), &o).is_err());
        let o = o
            .allow_origin("https://app.example.com")
            .allow_host("mcp.example.com");
        assert!(check_origin_and_host(
            &h(&[
                ("origin", "https://app.example.com"),
                ("host", "mcp.example.com:443")
            ]),
            &o
        )
        .is_ok());
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
    }
}
