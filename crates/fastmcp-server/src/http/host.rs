//! `Host` (or HTTP/2 `:authority`) and `Origin` against allow-lists: the defence against
//! DNS rebinding. Host names are compared whole: `127.0.0.1.evil.example` is not
//! loopback.

use std::net::IpAddr;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri, Version};
use axum::response::Response;
use fastmcp_protocol::error_code;

use super::guard::rpc_error;
use super::options::HttpOptions;

/// The host name of an authority (`host`, `host:port`, `[v6]:port`), without the port.
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

/// `localhost`, or an IP address that is loopback (`127.0.0.0/8`, `::1`); nothing else.
fn is_loopback(host: &str) -> bool {
    let name = host_name(host);
    // The names clients use most, compared before an address is parsed.
    matches!(name, "127.0.0.1" | "::1")
        || name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn refused(status: StatusCode, msg: String) -> Response {
    rpc_error(status, None, error_code::INVALID_REQUEST, msg)
}

fn check_host(host: &str, opts: &HttpOptions) -> Result<(), Response> {
    let ok = opts.any_host
        || is_loopback(host)
        || opts
            .allowed_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(host_name(host)));
    if ok {
        Ok(())
    } else {
        Err(refused(
            StatusCode::FORBIDDEN,
            format!(
                "Host not allowed: {host}. Only loopback hosts (localhost, 127.0.0.1, ::1) \
                 are accepted unless others are allowed (a defence against DNS rebinding); \
                 to serve this name, start the server with \
                 HttpOptions::allow_host({:?})",
                host_name(host)
            ),
        ))
    }
}

/// For a server bound to `addr`: which `Host` names it accepts, when that is not every
/// name a client may use to reach it (an address that is not loopback); `None` otherwise.
pub(crate) fn accepted_hosts_note(
    addr: std::net::SocketAddr,
    opts: &HttpOptions,
) -> Option<String> {
    if addr.ip().is_loopback() || opts.any_host {
        return None;
    }
    let mut names = vec!["localhost".to_owned(), "127.0.0.1".into(), "::1".into()];
    names.extend(opts.allowed_hosts.iter().cloned());
    Some(format!(
        "accepts Host {}; a client that reaches it under another name (this machine's \
         address or DNS name) gets 403: allow the name with HttpOptions::allow_host, or any \
         with HttpOptions::allow_any_host behind a proxy that checks it",
        names.join(", ")
    ))
}

/// Whether an `Origin` is a loopback page: `http(s)://` and a loopback authority.
fn loopback_origin(origin: &str) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    (scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https"))
        && !authority.contains(['/', '@', '?', '#'])
        && is_loopback(authority)
}

/// `Host` and `Origin` validation. 400 for a request without a host (HTTP/1.1 without
/// `Host`, HTTP/2 without `:authority` or `Host`) or with two `Host` headers; 403 when the
/// host or origin is not allowed. Over HTTP/2 the `:authority` (the URI's authority) is
/// checked, and so is a `Host` sent along with it.
pub(crate) fn check_origin_and_host(
    headers: &HeaderMap,
    version: Version,
    uri: &Uri,
    opts: &HttpOptions,
) -> Result<(), Response> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = hosts.next();
    let more = hosts.next().is_some();
    let origin = headers.get(header::ORIGIN);
    check_origin_and_host_of(host, more, origin, version, uri, opts)
}

/// [`check_origin_and_host`] of the first `Host`, whether there are more, and the first
/// `Origin`, found by the caller.
pub(crate) fn check_origin_and_host_of(
    host: Option<&HeaderValue>,
    more_hosts: bool,
    origin: Option<&HeaderValue>,
    version: Version,
    uri: &Uri,
    opts: &HttpOptions,
) -> Result<(), Response> {
    if more_hosts {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "More than one Host header".into(),
        ));
    }
    let authority = uri.authority();
    let needs_host = version == Version::HTTP_11 || version >= Version::HTTP_2;
    if host.is_none() && authority.is_none() && needs_host {
        return Err(refused(
            StatusCode::BAD_REQUEST,
            "Missing Host header".into(),
        ));
    }
    if let Some(a) = authority {
        check_host(a.as_str(), opts)?;
    }
    if let Some(host) = host {
        let Ok(host) = host.to_str() else {
            return Err(refused(
                StatusCode::BAD_REQUEST,
                "Invalid Host header".into(),
            ));
        };
        check_host(host, opts)?;
    }
    if let Some(origin) = origin {
        let origin = origin.to_str().unwrap_or("");
        let ok =
            loopback_origin(origin) || opts.allowed_origins.iter().any(|o| o == "*" || o == origin);
        if !ok {
            return Err(refused(
                StatusCode::FORBIDDEN,
                format!(
                    "Origin not allowed: {origin}. Only loopback origins are accepted unless \
                     others are allowed; to accept pages of this origin, start the server \
                     with HttpOptions::allow_origin({origin:?})"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_bound_beyond_loopback_says_which_hosts_it_accepts() {
        let lan: std::net::SocketAddr = "192.168.1.20:8000".parse().unwrap();
        let opts = HttpOptions::default().allow_host("notes.internal");
        let note = accepted_hosts_note(lan, &opts).expect("a note for a LAN address");
        assert!(
            note.starts_with("accepts Host localhost, 127.0.0.1, ::1, notes.internal;")
                && note.contains("HttpOptions::allow_host"),
            "{note}"
        );
        let any: std::net::SocketAddr = "0.0.0.0:8000".parse().unwrap();
        assert!(accepted_hosts_note(any, &HttpOptions::default()).is_some());
        let local: std::net::SocketAddr = "127.0.0.1:8000".parse().unwrap();
        assert_eq!(accepted_hosts_note(local, &opts), None);
        assert_eq!(
            accepted_hosts_note(lan, &HttpOptions::default().allow_any_host()),
            None
        );
    }

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, v.parse().unwrap());
        }
        m
    }

    fn check(pairs: &[(&'static str, &'static str)], o: &HttpOptions) -> Result<(), Response> {
        let uri = Uri::from_static("/mcp");
        check_origin_and_host(&h(pairs), Version::HTTP_11, &uri, o)
    }

    #[test]
    fn loopback_is_allowed_and_others_are_not() {
        let o = HttpOptions::default();
        assert!(check(&[("host", "127.0.0.1:8080")], &o).is_ok());
        assert!(check(&[("host", "127.3.4.5")], &o).is_ok());
        assert!(check(&[("host", "localhost")], &o).is_ok());
        assert!(check(&[("host", "[::1]:80")], &o).is_ok());
        assert!(check(&[("host", "evil.com")], &o).is_err());
        assert!(check(&[("host", "localhost.evil.com")], &o).is_err());
        assert!(check(&[("host", "127.evil.example")], &o).is_err());
        assert!(check(&[("host", "127.0.0.1.evil.example:80")], &o).is_err());
        let local = ("host", "127.0.0.1");
        assert!(check(&[local, ("origin", "http://localhost:3000")], &o).is_ok());
        assert!(check(&[local, ("origin", "https://evil.com")], &o).is_err());
        assert!(check(&[local, ("origin", "http://127.0.0.1.evil.example")], &o).is_err());
        assert!(check(&[local, ("origin", "http://127.evil.example")], &o).is_err());
        assert!(check(&[local, ("origin", "http://127.0.0.1@evil.example")], &o).is_err());
        let o = o
            .allow_origin("https://app.example.com")
            .allow_host("mcp.example.com");
        let pairs = [
            ("origin", "https://app.example.com"),
            ("host", "mcp.example.com:443"),
        ];
        assert!(check(&pairs, &o).is_ok());
    }

    #[test]
    fn one_host_is_required() {
        let o = HttpOptions::default();
        let none = check(&[], &o).unwrap_err();
        assert_eq!(none.status(), StatusCode::BAD_REQUEST);
        let two = check(&[("host", "127.0.0.1"), ("host", "127.0.0.1")], &o).unwrap_err();
        assert_eq!(two.status(), StatusCode::BAD_REQUEST);
        let h2 = Uri::from_static("http://evil.example/mcp");
        let r = check_origin_and_host(&HeaderMap::new(), Version::HTTP_2, &h2, &o);
        assert_eq!(r.unwrap_err().status(), StatusCode::FORBIDDEN);
        let h2 = Uri::from_static("http://127.0.0.1:9/mcp");
        assert!(check_origin_and_host(&HeaderMap::new(), Version::HTTP_2, &h2, &o).is_ok());
    }
}
