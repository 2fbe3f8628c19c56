//! Who a request comes from: the identity a token verifier established ([`AuthInfo`]), and
//! the HTTP request it came in ([`HttpParts`]). Both are read from the
//! [`Context`](crate::Context) of a request that came over HTTP; a request over stdio or in
//! memory has neither.

use std::net::SocketAddr;

use serde_json::{Map, Value};

/// The identity behind a verified access token: subject, client, scopes, audience, expiry
/// and the token's claims. It never holds the token itself, so it can be logged and kept.
///
/// ```
/// use fastmcp_core::AuthInfo;
/// let who = AuthInfo::new()
///     .with_subject("alice")
///     .with_scopes(["notes:read", "notes:write"]);
/// assert!(who.has_scope("notes:read"));
/// assert_eq!(who.missing_scopes(&["notes:read", "admin"]), ["admin"]);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct AuthInfo {
    /// The `sub` claim: the user (or service) the token was issued for.
    pub subject: Option<String>,
    /// The OAuth client the token was issued to (`client_id`, `azp` or `cid`).
    pub client_id: Option<String>,
    /// The scopes granted (`scope`, space-separated, or `scp`).
    pub scopes: Vec<String>,
    /// The resources the token is meant for (`aud`).
    pub audience: Vec<String>,
    /// The issuer (`iss`).
    pub issuer: Option<String>,
    /// When the token expires, in seconds since the Unix epoch (`exp`).
    pub expires_at: Option<u64>,
    /// Every claim of the token (or of the introspection answer), as sent.
    pub claims: Map<String, Value>,
}

impl AuthInfo {
    /// An identity with nothing known yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// With this subject.
    pub fn with_subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// With this client id.
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// With these scopes.
    pub fn with_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// With these audiences.
    pub fn with_audience<S: Into<String>>(mut self, aud: impl IntoIterator<Item = S>) -> Self {
        self.audience = aud.into_iter().map(Into::into).collect();
        self
    }

    /// With this issuer.
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Expiring at this time (seconds since the Unix epoch).
    pub fn with_expires_at(mut self, at: u64) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// With these claims.
    pub fn with_claims(mut self, claims: Map<String, Value>) -> Self {
        self.claims = claims;
        self
    }

    /// Whether the token grants `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }

    /// The scopes of `required` the token does not grant, in their order.
    pub fn missing_scopes<'a>(&self, required: &[&'a str]) -> Vec<&'a str> {
        required
            .iter()
            .copied()
            .filter(|s| !self.has_scope(s))
            .collect()
    }

    /// A claim of the token.
    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }
}

/// The HTTP request a message came in: method, URI, headers and the peer's address.
///
/// The `Authorization` header is removed before a handler sees these: the client's token
/// is for this server alone, and a handler cannot pass it on by mistake.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct HttpParts {
    /// The request's method.
    pub method: http::Method,
    /// The request's URI (path and query, as sent).
    pub uri: http::Uri,
    /// The request's headers, without `Authorization`.
    pub headers: http::HeaderMap,
    /// The address of the peer that sent it.
    pub remote_addr: Option<SocketAddr>,
}

impl HttpParts {
    /// The parts of a request: `authorization` is dropped from `headers`.
    ///
    /// ```
    /// use fastmcp_core::HttpParts;
    /// let mut h = http::HeaderMap::new();
    /// h.insert("authorization", "Bearer secret".parse().unwrap());
    /// h.insert("x-tenant", "acme".parse().unwrap());
    /// let parts = HttpParts::new(http::Method::POST, "/mcp".parse().unwrap(), h, None);
    /// assert_eq!(parts.header("x-tenant"), Some("acme"));
    /// assert_eq!(parts.header("authorization"), None);
    /// ```
    pub fn new(
        method: http::Method,
        uri: http::Uri,
        mut headers: http::HeaderMap,
        remote_addr: Option<SocketAddr>,
    ) -> Self {
        headers.remove(http::header::AUTHORIZATION);
        HttpParts {
            method,
            uri,
            headers,
            remote_addr,
        }
    }

    /// A header's value, when it is present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
