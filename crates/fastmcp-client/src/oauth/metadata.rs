//! Discovery: protected resource metadata (RFC 9728) and authorization server metadata
//! (RFC 8414, OpenID Connect Discovery), in the order the MCP specification gives, with
//! the checks it asks for (the resource matches the server, the issuer matches the URL).

use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::error::OAuthError;
use super::fetch::{send, Answer};

/// Protected resource metadata (RFC 9728), the fields a client uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResourceMetadata {
    /// The resource identifier: what goes in the `resource` parameter.
    pub resource: String,
    /// The issuers of the authorization servers that protect it.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// The scopes the resource knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
}

/// Authorization server metadata (RFC 8414), the fields a client uses.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// Where the user authorizes (absent for servers of the client credentials grant only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// Where codes, refresh tokens and client credentials are exchanged for tokens.
    pub token_endpoint: String,
    /// Dynamic client registration (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// The scopes it knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// PKCE methods; must hold `S256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// Client authentication methods at the token endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// Grant types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// Client ID Metadata Documents: an HTTPS URL may be the `client_id`.
    #[serde(default)]
    pub client_id_metadata_document_supported: bool,
    /// RFC 9207: the authorization response carries `iss`.
    #[serde(default)]
    pub authorization_response_iss_parameter_supported: bool,
}

impl ServerMetadata {
    /// Whether `scopes_supported` lists `scope`.
    pub fn supports_scope(&self, scope: &str) -> bool {
        self.scopes_supported
            .as_ref()
            .is_some_and(|s| s.iter().any(|x| x == scope))
    }

    /// Whether `token_endpoint_auth_methods_supported` lists `method` (when absent,
    /// RFC 8414's default is `client_secret_basic`).
    pub fn supports_auth_method(&self, method: &str) -> bool {
        match &self.token_endpoint_auth_methods_supported {
            Some(m) => m.iter().any(|x| x == method),
            None => method == "client_secret_basic",
        }
    }

    /// The endpoints a 2025-03-26 server has without metadata: `/authorize`, `/token` and
    /// `/register` at the root of `base`.
    pub(crate) fn fallback(base: &Url) -> Result<Self, OAuthError> {
        let at = |p: &str| {
            base.join(p)
                .map(String::from)
                .map_err(|e| OAuthError::InvalidUrl(e.to_string()))
        };
        Ok(ServerMetadata {
            issuer: base.origin().ascii_serialization(),
            authorization_endpoint: Some(at("/authorize")?),
            token_endpoint: at("/token")?,
            registration_endpoint: Some(at("/register")?),
            scopes_supported: None,
            // 2025-03-26 made PKCE mandatory for every server.
            code_challenge_methods_supported: Some(vec!["S256".into()]),
            token_endpoint_auth_methods_supported: None,
            grant_types_supported: None,
            client_id_metadata_document_supported: false,
            authorization_response_iss_parameter_supported: false,
        })
    }
}

pub(crate) fn parse_url(s: &str) -> Result<Url, OAuthError> {
    Url::parse(s).map_err(|e| OAuthError::InvalidUrl(format!("{s:?}: {e}")))
}

/// Where to look for the protected resource metadata of `server`, in order: the URL of the
/// `WWW-Authenticate` header, the path-based well-known URL, the root one.
pub(crate) fn resource_metadata_urls(server: &Url, from_header: Option<&str>) -> Vec<Url> {
    let mut out = vec![];
    if let Some(u) = from_header.and_then(|h| server.join(h).ok()) {
        if matches!(u.scheme(), "http" | "https") {
            out.push(u);
        }
    }
    let path = server.path().trim_end_matches('/');
    let root = "/.well-known/oauth-protected-resource";
    if !path.is_empty() {
        if let Ok(u) = server.join(&format!("{root}{path}")) {
            out.push(u);
        }
    }
    if let Ok(u) = server.join(root) {
        out.push(u);
    }
    out.dedup();
    out
}

/// Whether the metadata's `resource` is the server's: same origin, and its path is the
/// server's path or a parent of it (at a segment boundary).
pub fn resource_matches(published: &str, server: &Url) -> bool {
    let Ok(p) = Url::parse(published) else {
        return false;
    };
    if p.origin() != server.origin() || p.fragment().is_some() {
        return false;
    }
    let pp = p.path().trim_end_matches('/');
    let sp = server.path().trim_end_matches('/');
    sp == pp || sp.starts_with(&format!("{pp}/"))
}

/// Where to look for the metadata of the authorization server `issuer`, in order:
/// RFC 8414 and OpenID Connect Discovery, path inserted after the well-known prefix, and
/// OpenID's path-appended form last.
pub(crate) fn server_metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let mut candidates = vec![];
    if path.is_empty() {
        candidates.push("/.well-known/oauth-authorization-server".to_owned());
        candidates.push("/.well-known/openid-configuration".to_owned());
    } else {
        candidates.push(format!("/.well-known/oauth-authorization-server{path}"));
        candidates.push(format!("/.well-known/openid-configuration{path}"));
        candidates.push(format!("{path}/.well-known/openid-configuration"));
    }
    candidates
        .iter()
        .filter_map(|c| issuer.join(c).ok())
        .collect()
}

/// A GET of a JSON document; `None` for a 4xx (not there), an error otherwise.
async fn get(http: &reqwest::Client, url: &Url) -> Result<Option<Answer>, OAuthError> {
    let rb = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let a = send(rb, url).await?;
    if a.status.is_success() {
        Ok(Some(a))
    } else {
        tracing::debug!("OAuth discovery: {url}: HTTP {}", a.status);
        Ok(None)
    }
}

/// The protected resource metadata of `server` that names it; `None` when no document was
/// found (a server of 2025-03-26 has none).
pub(crate) async fn discover_resource(
    http: &reqwest::Client,
    server: &Url,
    from_header: Option<&str>,
) -> Result<Option<ResourceMetadata>, OAuthError> {
    for url in resource_metadata_urls(server, from_header) {
        let answer = match get(http, &url).await {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                tracing::debug!("OAuth discovery: {e}");
                continue;
            }
        };
        let prm: ResourceMetadata = match answer.json("the protected resource metadata") {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!("OAuth discovery: {url}: {e}");
                continue;
            }
        };
        if !resource_matches(&prm.resource, server) {
            return Err(OAuthError::ResourceMismatch {
                published: prm.resource,
                server: server.to_string(),
            });
        }
        return Ok(Some(prm));
    }
    Ok(None)
}

/// The metadata of the authorization server `issuer` (the string exactly as published),
/// whose `issuer` is identical to it; `None` when no document was found.
///
/// `legacy` is the 2025-03-26 discovery, where no issuer identifier was published: the
/// metadata URL is built from the MCP server's origin, so there is no identifier to
/// compare with character for character; the document's `issuer` must then be of that
/// origin (same scheme, host and port), and becomes the recorded issuer.
pub(crate) async fn discover_server(
    http: &reqwest::Client,
    issuer: &str,
    legacy: bool,
) -> Result<Option<ServerMetadata>, OAuthError> {
    let base = parse_url(issuer)?;
    let mut mismatch = None;
    for url in server_metadata_urls(&base) {
        let answer = match get(http, &url).await {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                tracing::debug!("OAuth discovery: {e}");
                continue;
            }
        };
        let meta: ServerMetadata = match answer.json("the authorization server metadata") {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!("OAuth discovery: {url}: {e}");
                continue;
            }
        };
        let same_origin = || Url::parse(&meta.issuer).is_ok_and(|u| u.origin() == base.origin());
        if meta.issuer != issuer && !(legacy && same_origin()) {
            // RFC 8414 section 3.3: such metadata must not be used.
            mismatch = Some(OAuthError::IssuerMismatch {
                expected: issuer.to_owned(),
                found: meta.issuer,
            });
            continue;
        }
        return Ok(Some(meta));
    }
    match mismatch {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn resource_metadata_is_looked_for_in_the_spec_order() {
        let got = resource_metadata_urls(&u("http://h:1/a/mcp"), Some("/custom.json"));
        let got: Vec<String> = got.into_iter().map(String::from).collect();
        assert_eq!(
            got,
            [
                "http://h:1/custom.json",
                "http://h:1/.well-known/oauth-protected-resource/a/mcp",
                "http://h:1/.well-known/oauth-protected-resource",
            ]
        );
        let got = resource_metadata_urls(&u("http://h:1/"), None);
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn server_metadata_urls_insert_the_path() {
        let s = |i: &str| -> Vec<String> {
            server_metadata_urls(&u(i))
                .into_iter()
                .map(String::from)
                .collect()
        };
        assert_eq!(
            s("http://a:2/tenant1"),
            [
                "http://a:2/.well-known/oauth-authorization-server/tenant1",
                "http://a:2/.well-known/openid-configuration/tenant1",
                "http://a:2/tenant1/.well-known/openid-configuration",
            ]
        );
        assert_eq!(
            s("http://a:2"),
            [
                "http://a:2/.well-known/oauth-authorization-server",
                "http://a:2/.well-known/openid-configuration",
            ]
        );
    }

    #[test]
    fn a_resource_matches_its_server_or_a_parent_path() {
        let server = u("http://h:1/api/mcp");
        assert!(resource_matches("http://h:1/api/mcp", &server));
        assert!(resource_matches("http://h:1/api/mcp/", &server));
        assert!(resource_matches("http://h:1/api", &server));
        assert!(resource_matches("http://h:1", &server));
        assert!(resource_matches("HTTP://H:1/api/mcp", &server));
        assert!(!resource_matches("http://h:1/ap", &server));
        assert!(!resource_matches("http://h:1/api/mcp/x", &server));
        assert!(!resource_matches("https://evil.example.com/mcp", &server));
        assert!(!resource_matches("http://h:2/api/mcp", &server));
        assert!(!resource_matches("not a url", &server));
    }
}
