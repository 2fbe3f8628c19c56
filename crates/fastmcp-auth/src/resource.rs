//! A protected resource (RFC 9728, RFC 6750, RFC 8707): what an MCP server that requires
//! a bearer token publishes about itself, and how it answers a request whose token is
//! missing, invalid or short of scopes. Transport-neutral: the server's HTTP layer asks
//! [`ResourceServer::authenticate`] and turns a [`Refusal`] into the response.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use fastmcp_core::AuthInfo;
use serde_json::{json, Value};

use crate::{TokenVerifier, VerifyError};

/// The path every protected resource's metadata lives under (RFC 9728 §3).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// An MCP server as an OAuth protected resource: its public URL, the verifier of its
/// tokens, the authorization servers that issue them, and the scopes every request needs.
///
/// ```
/// use fastmcp_auth::{AuthInfo, ResourceServer, StaticTokens};
/// let rs = ResourceServer::new(
///     "https://notes.example.com/mcp",
///     StaticTokens::new().token("dev", AuthInfo::new().with_subject("alice")),
/// )
/// .authorization_server("https://auth.example.com")
/// .scopes_supported(["notes:read", "notes:write"]);
/// assert_eq!(
///     rs.metadata_url(),
///     "https://notes.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// assert_eq!(rs.metadata()["resource"], "https://notes.example.com/mcp");
/// ```
#[derive(Clone)]
pub struct ResourceServer {
    resource: String,
    verifier: Arc<dyn TokenVerifier>,
    authorization_servers: Vec<String>,
    scopes_supported: Vec<String>,
    required_scopes: Vec<String>,
    audiences: Vec<String>,
    resource_name: Option<String>,
    documentation: Option<String>,
}

impl fmt::Debug for ResourceServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResourceServer")
            .field("resource", &self.resource)
            .field("authorization_servers", &self.authorization_servers)
            .field("required_scopes", &self.required_scopes)
            .finish_non_exhaustive()
    }
}

/// Why a request is not let in, and how to answer it: the HTTP status, the
/// `WWW-Authenticate` challenge, and a JSON body for humans and logs. Never holds the
/// token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 401 (no or invalid token), 403 (scopes short), 400 (a malformed request, such as a
    /// token in the query string) or 503 (the token cannot be checked now).
    pub status: u16,
    /// The `WWW-Authenticate` header's value (`None` for 503).
    pub challenge: Option<String>,
    /// The RFC 6750 error code (`invalid_token`, `insufficient_scope`, `invalid_request`),
    /// or `None` when no token was sent.
    pub error: Option<&'static str>,
    /// What went wrong, in words (also the challenge's `error_description`).
    pub description: String,
    /// The scopes still needed (403 only).
    pub missing_scopes: Vec<String>,
}

impl Refusal {
    /// The JSON body of the refusal: `{"error": …, "error_description": …}`.
    pub fn body(&self) -> Value {
        json!({
            "error": self.error.unwrap_or("unauthorized"),
            "error_description": self.description,
        })
    }
}

impl ResourceServer {
    /// A protected resource at `resource`, its public URL exactly as clients reach it
    /// (scheme, host, port, path: `https://notes.example.com/mcp`), whose tokens
    /// `verifier` checks. A token must name `resource` in its audience (RFC 8707) when it
    /// names any (see [`ResourceServer::audiences`]).
    pub fn new(resource: impl Into<String>, verifier: impl TokenVerifier) -> Self {
        let resource = resource.into();
        ResourceServer {
            audiences: vec![resource.clone()],
            resource,
            verifier: Arc::new(verifier),
            authorization_servers: Vec::new(),
            scopes_supported: Vec::new(),
            required_scopes: Vec::new(),
            resource_name: None,
            documentation: None,
        }
    }

    /// An authorization server whose tokens this resource accepts (its issuer URL),
    /// published in the metadata (`authorization_servers`).
    pub fn authorization_server(mut self, issuer: impl Into<String>) -> Self {
        self.authorization_servers.push(issuer.into());
        self
    }

    /// The scopes published in the metadata (`scopes_supported`), what a client asks for
    /// when nothing else tells it.
    pub fn scopes_supported<S: Into<String>>(
        mut self,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        self.scopes_supported = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Scopes every request needs; a token without them gets 403 `insufficient_scope`.
    /// Per-component requirements come on top (`#[tool(auth = …)]`).
    pub fn required_scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The audiences a token may name to be accepted here (default: the resource URL
    /// alone). A token that names audiences, none of them one of these, is refused as
    /// minted for another resource; a verifier that reports no audience (static tokens,
    /// an introspection answer without `aud`) is trusted to have checked it.
    pub fn audiences<S: Into<String>>(mut self, aud: impl IntoIterator<Item = S>) -> Self {
        self.audiences = aud.into_iter().map(Into::into).collect();
        self
    }

    /// A human-readable name, published as `resource_name`.
    pub fn resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// A page about the resource, published as `resource_documentation`.
    pub fn documentation(mut self, url: impl Into<String>) -> Self {
        self.documentation = Some(url.into());
        self
    }

    /// The resource's public URL.
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The scopes every request needs.
    pub fn required(&self) -> &[String] {
        &self.required_scopes
    }

    /// The protected resource metadata document (RFC 9728 §2).
    pub fn metadata(&self) -> Value {
        let mut m = json!({
            "resource": self.resource,
            "authorization_servers": self.authorization_servers,
            "bearer_methods_supported": ["header"],
        });
        if !self.scopes_supported.is_empty() {
            m["scopes_supported"] = json!(self.scopes_supported);
        }
        if let Some(n) = &self.resource_name {
            m["resource_name"] = json!(n);
        }
        if let Some(d) = &self.documentation {
            m["resource_documentation"] = json!(d);
        }
        m
    }

    /// The paths (on this server) the metadata is served at: the path-suffixed form of
    /// the resource's path (`/.well-known/oauth-protected-resource/mcp`) and the root
    /// form (`/.well-known/oauth-protected-resource`).
    pub fn metadata_paths(&self) -> Vec<String> {
        let path = split_url(&self.resource).1.trim_end_matches('/');
        let mut paths = Vec::new();
        if !path.is_empty() {
            paths.push(format!("{WELL_KNOWN}{path}"));
        }
        paths.push(WELL_KNOWN.to_owned());
        paths
    }

    /// Where a client finds the metadata: the well-known URL of the resource (RFC 9728
    /// §3.1), named in every challenge.
    pub fn metadata_url(&self) -> String {
        let (origin, path) = split_url(&self.resource);
        format!("{origin}{WELL_KNOWN}{}", path.trim_end_matches('/'))
    }

    /// Check a request: `authorization` is its `Authorization` header, `query` its query
    /// string. The identity of its token, or how to refuse it.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
        query: Option<&str>,
    ) -> Result<Arc<AuthInfo>, Refusal> {
        if query.is_some_and(has_query_token) {
            return Err(self.refuse(
                400,
                Some("invalid_request"),
                "access tokens are accepted in the Authorization header only, never in the URL",
            ));
        }
        let Some(token) = authorization.and_then(bearer) else {
            let what = if authorization.is_some() {
                "the Authorization header is not a Bearer token"
            } else {
                "this server needs a bearer token"
            };
            return Err(self.refuse(401, None, what));
        };
        let who = match self.verifier.verify_shared(token).await {
            Ok(who) => who,
            Err(VerifyError::Invalid(why)) => {
                return Err(self.refuse(401, Some("invalid_token"), &why));
            }
            Err(VerifyError::Unavailable(why)) => {
                return Err(Refusal {
                    status: 503,
                    challenge: None,
                    error: Some("temporarily_unavailable"),
                    description: format!("cannot verify the token now: {why}"),
                    missing_scopes: Vec::new(),
                });
            }
        };
        if who.expires_at.is_some_and(|at| at <= now_secs()) {
            return Err(self.refuse(401, Some("invalid_token"), "the token has expired"));
        }
        if !who.audience.is_empty() && !who.audience.iter().any(|a| self.accepts_audience(a)) {
            return Err(self.refuse(
                401,
                Some("invalid_token"),
                "the token was issued for another resource (audience)",
            ));
        }
        let required: Vec<&str> = self.required_scopes.iter().map(String::as_str).collect();
        let missing = who.missing_scopes(&required);
        if !missing.is_empty() {
            return Err(self.insufficient_scope(&who, &missing));
        }
        Ok(who)
    }

    /// The 403 of a token that lacks `missing` scopes: the challenge names every scope the
    /// client should ask for (what it has, the server's required ones and the missing
    /// ones), so that a step-up keeps what it had.
    pub fn insufficient_scope(&self, who: &AuthInfo, missing: &[&str]) -> Refusal {
        let mut scopes: Vec<&str> = who.scopes.iter().map(String::as_str).collect();
        for s in self
            .required_scopes
            .iter()
            .map(String::as_str)
            .chain(missing.iter().copied())
        {
            if !scopes.contains(&s) {
                scopes.push(s);
            }
        }
        let description = format!("the token lacks the scope(s): {}", missing.join(" "));
        Refusal {
            status: 403,
            challenge: Some(format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{}\", error_description=\"{}\"",
                quote_safe(&scopes.join(" ")),
                self.metadata_url(),
                quote_safe(&description),
            )),
            error: Some("insufficient_scope"),
            description,
            missing_scopes: missing.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    fn accepts_audience(&self, aud: &str) -> bool {
        let norm = |s: &str| s.trim_end_matches('/').to_owned();
        self.audiences.iter().any(|a| norm(a) == norm(aud))
    }

    fn refuse(&self, status: u16, error: Option<&'static str>, description: &str) -> Refusal {
        let mut challenge = format!("Bearer resource_metadata=\"{}\"", self.metadata_url());
        if !self.required_scopes.is_empty() {
            challenge.push_str(&format!(
                ", scope=\"{}\"",
                quote_safe(&self.required_scopes.join(" "))
            ));
        }
        if let Some(e) = error {
            challenge.push_str(&format!(
                ", error=\"{e}\", error_description=\"{}\"",
                quote_safe(description)
            ));
        }
        Refusal {
            status,
            challenge: Some(challenge),
            error,
            description: description.to_owned(),
            missing_scopes: Vec::new(),
        }
    }
}

/// The token of an `Authorization: Bearer …` header (the scheme is case-insensitive).
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Whether a query string carries an `access_token` parameter (RFC 6750 §2.3, refused).
fn has_query_token(query: &str) -> bool {
    query.split('&').any(|kv| {
        kv.split('=')
            .next()
            .is_some_and(|k| k.eq_ignore_ascii_case("access_token"))
    })
}

/// `https://host:port` and the path (with query dropped) of a URL.
fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path_start = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    let path = &url[path_start..];
    let path = path.split(['?', '#']).next().unwrap_or("");
    (&url[..path_start], path)
}

/// Text safe inside a quoted-string of a challenge: no quotes, backslashes or controls.
fn quote_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '\''
            } else {
                c
            }
        })
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StaticTokens;

    fn rs() -> ResourceServer {
        let tokens = StaticTokens::new()
            .token(
                "good",
                AuthInfo::new().with_subject("a").with_scopes(["read"]),
            )
            .token(
                "other-aud",
                AuthInfo::new().with_audience(["https://other.example/mcp"]),
            )
            .token(
                "our-aud",
                AuthInfo::new().with_audience(["https://notes.example.com/mcp/"]),
            )
            .token("expired", AuthInfo::new().with_expires_at(1));
        ResourceServer::new("https://notes.example.com/mcp", tokens)
            .authorization_server("https://auth.example.com")
    }

    #[test]
    fn metadata_and_paths() {
        let r = rs().scopes_supported(["read"]);
        assert_eq!(
            r.metadata(),
            json!({
                "resource": "https://notes.example.com/mcp",
                "authorization_servers": ["https://auth.example.com"],
                "bearer_methods_supported": ["header"],
                "scopes_supported": ["read"],
            })
        );
        assert_eq!(
            r.metadata_paths(),
            ["/.well-known/oauth-protected-resource/mcp", WELL_KNOWN]
        );
        let root = ResourceServer::new("http://127.0.0.1:9000", StaticTokens::new());
        assert_eq!(root.metadata_paths(), [WELL_KNOWN]);
        assert_eq!(
            root.metadata_url(),
            "http://127.0.0.1:9000/.well-known/oauth-protected-resource"
        );
    }

    #[tokio::test]
    async fn refusals() {
        let r = rs().required_scopes(["read"]);
        let e = r.authenticate(None, None).await.unwrap_err();
        assert_eq!((e.status, e.error), (401, None));
        let c = e.challenge.unwrap();
        assert!(c.starts_with("Bearer resource_metadata=\"https://notes.example.com/.well-known/oauth-protected-resource/mcp\""), "{c}");
        assert!(!c.contains("error="), "{c}");

        let e = r.authenticate(Some("Bearer nope"), None).await.unwrap_err();
        assert_eq!((e.status, e.error), (401, Some("invalid_token")));
        assert!(e.challenge.unwrap().contains("error=\"invalid_token\""));

        let e = r.authenticate(Some("Basic Zm9v"), None).await.unwrap_err();
        assert_eq!((e.status, e.error), (401, None));

        let e = r
            .authenticate(Some("Bearer good"), Some("a=1&access_token=good"))
            .await
            .unwrap_err();
        assert_eq!((e.status, e.error), (400, Some("invalid_request")));

        let e = r
            .authenticate(Some("Bearer other-aud"), None)
            .await
            .unwrap_err();
        assert_eq!((e.status, e.error), (401, Some("invalid_token")));
        assert!(e.description.contains("another resource"));

        let e = r
            .authenticate(Some("Bearer expired"), None)
            .await
            .unwrap_err();
        assert_eq!((e.status, e.error), (401, Some("invalid_token")));

        let who = r
            .authenticate(Some("bearer good"), Some("x=1"))
            .await
            .unwrap();
        assert_eq!(who.subject.as_deref(), Some("a"));

        // The audience names us (a trailing slash aside), but the scope is short.
        let e = r
            .authenticate(Some("Bearer our-aud"), None)
            .await
            .unwrap_err();
        assert_eq!((e.status, e.error), (403, Some("insufficient_scope")));
        assert_eq!(e.missing_scopes, ["read"]);
        assert!(e.challenge.unwrap().contains("scope=\"read\""));
    }

    #[test]
    fn step_up_asks_for_what_it_had_and_what_it_lacks() {
        let who = AuthInfo::new().with_scopes(["read"]);
        let e = rs().insufficient_scope(&who, &["write"]);
        assert!(e.challenge.unwrap().contains("scope=\"read write\""));
        assert_eq!(e.missing_scopes, ["write"]);
    }

    #[test]
    fn urls_split() {
        assert_eq!(
            split_url("https://a.b:8/x/y?q#f"),
            ("https://a.b:8", "/x/y")
        );
        assert_eq!(split_url("https://a.b"), ("https://a.b", ""));
        assert_eq!(bearer("Bearer  t "), Some("t"));
        assert_eq!(bearer("Bearer"), None);
        assert!(has_query_token("ACCESS_TOKEN=x"));
        assert!(!has_query_token("token=x"));
    }
}
