//! The `auth` option of a remote server in an MCPConfig: `"oauth"` (log in with OAuth),
//! `{"type": "oauth", ...}` (with settings), or any other string, sent as a bearer token.

use std::collections::BTreeMap;
use std::path::PathBuf;

use fastmcp_core::Error;
use serde::{Deserialize, Serialize};

/// How a remote server of an [`McpConfig`](crate::McpConfig) is authorized.
///
/// ```
/// use fastmcp_client::McpConfig;
/// let c = McpConfig::from_json(r#"{"mcpServers": {
///     "a": {"url": "https://a.example/mcp", "auth": "oauth"},
///     "b": {"url": "https://b.example/mcp", "auth": {
///         "type": "oauth", "scopes": ["files:read"], "token_file": "/home/me/.mcp-tokens.json"
///     }},
///     "c": {"url": "https://c.example/mcp", "auth": "a-static-bearer-token"}
/// }}"#).unwrap();
/// assert_eq!(c.servers.len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AuthEntry {
    /// `"oauth"`: OAuth with the defaults (the authorization URL printed to stderr, tokens
    /// in memory); any other string is a bearer token sent as `Authorization: Bearer …`.
    Name(String),
    /// OAuth with settings.
    OAuth(OAuthEntry),
}

/// The settings of `{"type": "oauth", ...}`; every field is optional but `type`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OAuthEntry {
    /// `"oauth"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A pre-registered client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Its secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The scopes to ask for when the server does not say.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The `client_name` of dynamic registration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    /// The URL of this client's Client ID Metadata Document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_metadata_url: Option<String>,
    /// Keep tokens in this file (mode 0600 on Unix) instead of in memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_file: Option<PathBuf>,
    /// Fetch the authorization URL instead of asking a user (for authorization servers
    /// that approve without one, e.g. in tests).
    #[serde(default)]
    pub headless: bool,
    /// Use the client credentials grant (needs `client_id` and `client_secret`).
    #[serde(default)]
    pub client_credentials: bool,
}

/// The headers and the `HttpAuth` of a remote entry, its `auth` option applied.
pub(crate) struct RemoteAuth {
    pub(crate) headers: BTreeMap<String, String>,
    #[cfg(feature = "http")]
    auth: Option<std::sync::Arc<dyn fastmcp_transport::http_auth::HttpAuth>>,
}

impl RemoteAuth {
    pub(crate) fn new(
        auth: Option<&AuthEntry>,
        url: &str,
        headers: &BTreeMap<String, String>,
    ) -> Result<Self, Error> {
        let mut r = RemoteAuth {
            headers: headers.clone(),
            #[cfg(feature = "http")]
            auth: None,
        };
        match auth.map(|a| a.setup(url)).transpose()? {
            Some(AuthSetup::Header(k, v)) => {
                r.headers.insert(k, v);
            }
            #[cfg(feature = "http")]
            Some(AuthSetup::Auth(a)) => r.auth = Some(a),
            None => {}
        }
        Ok(r)
    }

    /// Whether OAuth is on (it needs an HTTP transport).
    pub(crate) fn oauth(&self) -> bool {
        #[cfg(feature = "http")]
        return self.auth.is_some();
        #[cfg(not(feature = "http"))]
        false
    }

    /// A Streamable HTTP transport to `url` with the headers and the auth.
    #[cfg(feature = "http")]
    pub(crate) fn streamable(&self, url: &str) -> fastmcp_transport::http_client::StreamableHttp {
        let mut t = fastmcp_transport::http_client::StreamableHttp::new(url);
        for (k, v) in &self.headers {
            t = t.header(k, v);
        }
        if let Some(a) = &self.auth {
            t = t.auth(a.clone());
        }
        t
    }

    /// A legacy HTTP+SSE transport to `url` with the headers and the auth.
    #[cfg(feature = "http")]
    pub(crate) fn legacy_sse(&self, url: &str) -> fastmcp_transport::sse_client::LegacySse {
        let mut t = fastmcp_transport::sse_client::LegacySse::new(url);
        for (k, v) in &self.headers {
            t = t.header(k, v);
        }
        if let Some(a) = &self.auth {
            t = t.auth(a.clone());
        }
        t
    }
}

/// What an `auth` option adds to a transport: an `HttpAuth`, or a header.
pub(crate) enum AuthSetup {
    #[cfg(feature = "http")]
    Auth(std::sync::Arc<dyn fastmcp_transport::http_auth::HttpAuth>),
    Header(String, String),
}

impl AuthEntry {
    /// The setup for the server at `url`.
    pub(crate) fn setup(&self, url: &str) -> Result<AuthSetup, Error> {
        let entry = match self {
            AuthEntry::Name(n) if n.eq_ignore_ascii_case("oauth") => OAuthEntry {
                kind: "oauth".into(),
                ..Default::default()
            },
            AuthEntry::Name(token) => {
                return Ok(AuthSetup::Header(
                    "Authorization".into(),
                    format!("Bearer {token}"),
                ))
            }
            AuthEntry::OAuth(e) if e.kind.eq_ignore_ascii_case("oauth") => e.clone(),
            AuthEntry::OAuth(e) => {
                return Err(Error::invalid_params(format!(
                    "unknown auth type {:?} (expected \"oauth\")",
                    e.kind
                )))
            }
        };
        oauth(&entry, url)
    }
}

#[cfg(feature = "http")]
fn oauth(e: &OAuthEntry, url: &str) -> Result<AuthSetup, Error> {
    use crate::oauth::{Credentials, FileStore, OAuth, Redirect};
    let mut b = OAuth::builder(url).scopes(e.scopes.clone());
    if let Some(n) = &e.client_name {
        b = b.client_name(n);
    }
    if let Some(u) = &e.client_metadata_url {
        b = b.client_metadata_url(u);
    }
    if let Some(id) = &e.client_id {
        let mut c = Credentials::new(id);
        if let Some(s) = &e.client_secret {
            c = c.secret(s);
        }
        b = b.credentials(c);
    }
    if let Some(f) = &e.token_file {
        b = b.store(FileStore::new(f));
    }
    if e.headless {
        b = b.redirect(Redirect::Headless);
    }
    if e.client_credentials {
        b = b.client_credentials();
    }
    let o = b
        .build()
        .map_err(|err| Error::invalid_params(format!("auth: {err}")))?;
    Ok(AuthSetup::Auth(std::sync::Arc::new(o)))
}

#[cfg(not(feature = "http"))]
fn oauth(_e: &OAuthEntry, _url: &str) -> Result<AuthSetup, Error> {
    Err(Error::invalid_params(
        "OAuth needs fastmcp-client's `http` feature",
    ))
}
