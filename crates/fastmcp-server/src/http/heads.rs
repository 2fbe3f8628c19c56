//! The request headers a POST to the Streamable HTTP endpoint reads, found in one pass
//! over the header map. A lookup by name hashes the name and probes the map: about 110
//! instructions for a standard name and 240 for `Mcp-Protocol-Version`, and the path made
//! seven such lookups per request; the pass compares each header's name instead (for the
//! standard names, one byte).

use axum::http::{header, HeaderMap, HeaderName, HeaderValue};

use super::guard::Accepted;

/// `Mcp-Session-Id` and `MCP-Protocol-Version`, as header names made once: a header looked
/// up by a `&str` has its name parsed and checked on every lookup.
pub(crate) static SESSION: HeaderName = HeaderName::from_static("mcp-session-id");
pub(crate) static VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");

/// The first value of each header read (the value `HeaderMap::get` gives), and what
/// needs every value (a second `Host`; all `Accept` headers).
#[derive(Default)]
pub(crate) struct Heads<'a> {
    pub(crate) host: Option<&'a HeaderValue>,
    /// A second `Host` header (a request with two is refused).
    pub(crate) more_hosts: bool,
    pub(crate) origin: Option<&'a HeaderValue>,
    pub(crate) content_type: Option<&'a HeaderValue>,
    pub(crate) content_length: Option<&'a HeaderValue>,
    pub(crate) accepted: Accepted,
    /// `Mcp-Protocol-Version`.
    pub(crate) version: Option<&'a HeaderValue>,
    /// `Mcp-Session-Id`.
    pub(crate) session: Option<&'a HeaderValue>,
}

impl<'a> Heads<'a> {
    pub(crate) fn of(headers: &'a HeaderMap) -> Heads<'a> {
        let mut h = Heads::default();
        // A map yields the values of one name together, the first one first.
        for (name, value) in headers {
            if name == header::HOST {
                if h.host.is_some() {
                    h.more_hosts = true;
                } else {
                    h.host = Some(value);
                }
            } else if name == header::ACCEPT {
                h.accepted.add(value);
            } else if name == header::CONTENT_TYPE {
                h.content_type.get_or_insert(value);
            } else if name == header::CONTENT_LENGTH {
                h.content_length.get_or_insert(value);
            } else if name == header::ORIGIN {
                h.origin.get_or_insert(value);
            } else if *name == VERSION {
                h.version.get_or_insert(value);
            } else if *name == SESSION {
                h.session.get_or_insert(value);
            }
        }
        h
    }

    /// The MCP headers, kept past the borrow of the map (a header value's clone shares
    /// its bytes).
    pub(crate) fn named(&self) -> Named {
        Named {
            version: self.version.cloned(),
            session: self.session.cloned(),
        }
    }
}

/// `Mcp-Protocol-Version` and `Mcp-Session-Id`, as a request sent them first.
pub(crate) struct Named {
    version: Option<HeaderValue>,
    session: Option<HeaderValue>,
}

impl Named {
    /// `Mcp-Protocol-Version`, when it is visible ASCII.
    pub(crate) fn version(&self) -> Option<&str> {
        self.version.as_ref().and_then(|v| v.to_str().ok())
    }

    /// `Mcp-Session-Id`, when it is visible ASCII.
    pub(crate) fn session(&self) -> Option<&str> {
        self.session.as_ref().and_then(|v| v.to_str().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn each_header_is_found_as_a_lookup_by_name_finds_it() {
        let h = map(&[
            ("Host", "127.0.0.1:8000"),
            ("Accept", "text/event-stream"),
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", "2025-06-18"),
            ("Accept", "application/json"),
            ("Origin", "http://localhost"),
            ("Content-Length", "12"),
            ("Mcp-Session-Id", "abc"),
            ("Content-Type", "text/plain"),
            ("X-Other", "1"),
        ]);
        let heads = Heads::of(&h);
        assert_eq!(heads.host, h.get(header::HOST));
        assert!(!heads.more_hosts);
        assert_eq!(heads.origin, h.get(header::ORIGIN));
        // The first of two, as `get` gives.
        assert_eq!(heads.content_type, h.get(header::CONTENT_TYPE));
        assert_eq!(heads.content_type.unwrap(), "application/json");
        assert_eq!(heads.content_length, h.get(header::CONTENT_LENGTH));
        assert_eq!(heads.version, h.get(&VERSION));
        assert_eq!(heads.session, h.get(&SESSION));
        // Both `Accept` headers counted.
        assert!(super::super::guard::check_post_of(heads.content_type, &heads.accepted).is_ok());
        let named = heads.named();
        assert_eq!(named.version(), Some("2025-06-18"));
        assert_eq!(named.session(), Some("abc"));
    }

    #[test]
    fn a_second_host_is_noticed_and_absent_headers_are_none() {
        let h = map(&[("host", "a"), ("host", "b")]);
        let heads = Heads::of(&h);
        assert_eq!(heads.host.unwrap(), "a");
        assert!(heads.more_hosts);
        assert!(heads.origin.is_none() && heads.version.is_none() && heads.session.is_none());
        assert!(super::super::guard::check_post_of(None, &heads.accepted).is_err());
        let named = Heads::of(&map(&[("mcp-session-id", "caf\u{e9}")])).named();
        assert_eq!(named.session(), None, "not visible ASCII");
    }
}
