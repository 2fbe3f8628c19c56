//! [`AuthorizationServer`]: its settings, built once, and what it offers the rest of the
//! application (its axum routes, a verifier of its own tokens, its metadata).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ConfigError;

use crate::authorize::Policy;
use crate::cimd::{CimdOptions, CimdResolver};
use crate::grants::{Grants, RegisteredClient};
use crate::keys::SigningKeys;
use crate::register::RegistrationPolicy;
use crate::store::{AuthStore, MemoryStore};
use crate::token::Issuer;
use crate::user::Authenticator;

/// Every client authentication method there is.
pub(crate) const METHODS: [&str; 3] = ["none", "client_secret_basic", "client_secret_post"];

/// Lifetimes, in seconds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ttls {
    pub code: u64,
    pub pending: u64,
    pub consent: u64,
    pub client: u64,
}

pub(crate) struct Inner {
    pub issuer: Issuer,
    pub policy: Policy,
    pub grants: Grants,
    pub static_clients: HashMap<String, RegisteredClient>,
    pub authenticator: Arc<dyn Authenticator>,
    pub registration: Option<RegistrationPolicy>,
    pub cimd: Option<CimdResolver>,
    pub openid: bool,
    /// The client authentication methods accepted at the token and revocation endpoints.
    pub auth_methods: Vec<String>,
    pub ttl: Ttls,
    /// The issuer's path (`""` for an issuer at the root): where the endpoints live.
    pub base: String,
}

/// An OAuth 2.1 authorization server (with OpenID Connect), mounted next to the MCP
/// endpoint in the same axum app with [`AuthorizationServer::router`].
///
/// ```
/// use fastmcp_auth_server::{AuthorizationServer, PasswordLogin, User};
/// let login = PasswordLogin::new(|name, password| async move {
///     (name == "alice" && password == "wonderland").then(|| User::new("alice"))
/// });
/// let pem = include_bytes!("../tests/fixtures/rsa.key.pem");
/// let auth = AuthorizationServer::builder("https://auth.example.com")
///     .signing_key("k1", "RS256", pem)
///     .scopes(["notes:read", "notes:write"])
///     .resource("https://mcp.example.com/mcp")
///     .authenticator(login)
///     .dynamic_registration(Default::default())
///     .build()
///     .unwrap();
/// let app: axum::Router = auth.router();
/// # let _ = app;
/// ```
#[derive(Clone)]
pub struct AuthorizationServer(pub(crate) Arc<Inner>);

/// The settings of an [`AuthorizationServer`].
pub struct Builder {
    issuer: String,
    keys: SigningKeys,
    key_errors: Vec<ConfigError>,
    scopes: Vec<String>,
    resources: Vec<String>,
    store: Option<Arc<dyn AuthStore>>,
    clients: Vec<RegisteredClient>,
    authenticator: Option<Arc<dyn Authenticator>>,
    registration: Option<RegistrationPolicy>,
    cimd: Option<CimdOptions>,
    openid: bool,
    auth_methods: Vec<String>,
    access_ttl: u64,
    refresh_ttl: u64,
    ttl: Ttls,
}

impl AuthorizationServer {
    /// An authorization server whose issuer identifier is `issuer` (an `https` URL, or
    /// `http` on loopback for development; a path is allowed: the endpoints live under it).
    pub fn builder(issuer: impl Into<String>) -> Builder {
        Builder {
            issuer: issuer.into().trim_end_matches('/').to_owned(),
            keys: SigningKeys::new(),
            key_errors: vec![],
            scopes: vec![],
            resources: vec![],
            store: None,
            clients: vec![],
            authenticator: None,
            registration: None,
            cimd: None,
            openid: false,
            auth_methods: METHODS.iter().map(|m| m.to_string()).collect(),
            access_ttl: 3600,
            refresh_ttl: 30 * 86400,
            ttl: Ttls {
                code: 60,
                pending: 600,
                consent: 90 * 86400,
                client: 90 * 86400,
            },
        }
    }

    /// The issuer identifier.
    pub fn issuer(&self) -> &str {
        &self.0.issuer.issuer
    }

    /// The signing keys (add a new one to rotate; retire the old one once its tokens have
    /// expired).
    pub fn keys(&self) -> &SigningKeys {
        &self.0.issuer.keys
    }

    /// The records it keeps.
    pub fn grants(&self) -> &Grants {
        &self.0.grants
    }
}

/// The path of `issuer` (where the endpoints live), if it is a valid issuer identifier.
fn issuer_path(issuer: &str) -> Result<String, ConfigError> {
    let bad = |m: &str| Err(ConfigError(m.to_owned()));
    let Some((scheme, rest)) = issuer.split_once("://") else {
        return bad("the issuer must be an absolute URL");
    };
    let host = rest.split('/').next().unwrap_or_default();
    let loopback =
        host.starts_with("127.0.0.1") || host.starts_with("localhost") || host.starts_with("[::1]");
    if !(scheme == "https" || scheme == "http" && loopback) {
        return bad("the issuer must be https (http only on loopback, for development)");
    }
    if issuer.contains(['?', '#']) {
        return bad("the issuer has no query or fragment");
    }
    Ok(rest[host.len()..].to_owned())
}

impl Builder {
    /// Sign tokens with this PEM private key (`RS256` or `ES256`), published as `kid`. The
    /// last key given signs; all are published.
    pub fn signing_key(mut self, kid: &str, alg: &str, pem: &[u8]) -> Self {
        if let Err(e) = self.keys.add_pem(kid, alg, pem) {
            self.key_errors.push(e);
        }
        self
    }

    /// Sign with these keys (shared, so that rotating them later is seen here).
    pub fn keys(mut self, keys: SigningKeys) -> Self {
        self.keys = keys;
        self
    }

    /// The scopes it offers (`openid` is added by [`Builder::openid`]).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// A resource (an MCP server's canonical URL) tokens may be bound to. The first is the
    /// audience of tokens asked for without a `resource`. Without any, every resource is
    /// accepted.
    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resources.push(resource.into());
        self
    }

    /// Keep state in this store (memory by default; Redis for replicas).
    pub fn store(mut self, store: Arc<dyn AuthStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// A client known by configuration.
    pub fn client(mut self, client: RegisteredClient) -> Self {
        self.clients.push(client);
        self
    }

    /// How users sign in (required).
    pub fn authenticator(mut self, a: impl Authenticator) -> Self {
        self.authenticator = Some(Arc::new(a));
        self
    }

    /// Accept dynamic client registration (RFC 7591) under this policy.
    pub fn dynamic_registration(mut self, policy: RegistrationPolicy) -> Self {
        self.registration = Some(policy);
        self
    }

    /// Accept Client ID Metadata Documents (an `https` URL as the `client_id`), fetched
    /// with these guards.
    pub fn client_id_metadata_documents(mut self, opts: CimdOptions) -> Self {
        self.cimd = Some(opts);
        self
    }

    /// Act as an OpenID Provider: the `openid` scope, ID tokens, UserInfo, discovery.
    pub fn openid(mut self, on: bool) -> Self {
        self.openid = on;
        self
    }

    /// Accept only these client authentication methods (of `none`,
    /// `client_secret_basic`, `client_secret_post`; all three by default). Without `none`
    /// the server serves confidential clients only: public clients are refused at the
    /// token endpoint and cannot register.
    pub fn client_auth_methods(mut self, methods: &[&str]) -> Self {
        self.auth_methods = methods.iter().map(|m| m.to_string()).collect();
        self
    }

    /// How long access tokens live (1 hour by default).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_ttl = ttl.as_secs().max(1);
        self
    }

    /// How long refresh tokens live (30 days by default).
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl.as_secs().max(1);
        self
    }

    /// How long a remembered consent lasts (90 days by default; zero asks every time).
    pub fn consent_ttl(mut self, ttl: Duration) -> Self {
        self.ttl.consent = ttl.as_secs();
        self
    }

    /// The authorization server, or what is wrong with its settings.
    pub fn build(self) -> Result<AuthorizationServer, ConfigError> {
        if let Some(e) = self.key_errors.into_iter().next() {
            return Err(e);
        }
        let bad = |m: &str| Err(ConfigError(m.to_owned()));
        let base = issuer_path(&self.issuer)?;
        if self.keys.jwks().keys.is_empty() {
            return bad("give at least one signing key (RS256 or ES256)");
        }
        if let Some(m) = self
            .auth_methods
            .iter()
            .find(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(ConfigError(format!(
                "unknown client authentication method {m:?}"
            )));
        }
        if self.auth_methods.is_empty() {
            return bad("accept at least one client authentication method");
        }
        let Some(authenticator) = self.authenticator else {
            return bad("give an authenticator: how users sign in");
        };
        let mut scopes = self.scopes;
        if self.openid {
            for s in ["openid", "profile", "email"] {
                if !scopes.iter().any(|x| x == s) {
                    scopes.push(s.into());
                }
            }
        }
        let default_audience = self
            .resources
            .first()
            .cloned()
            .unwrap_or_else(|| self.issuer.clone());
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let cimd = self.cimd.map(CimdResolver::new);
        Ok(AuthorizationServer(Arc::new(Inner {
            issuer: Issuer {
                issuer: self.issuer.clone(),
                keys: self.keys,
                access_ttl: self.access_ttl,
                refresh_ttl: self.refresh_ttl,
                default_audience,
            },
            policy: Policy {
                issuer: self.issuer,
                scopes,
                resources: self.resources,
            },
            grants: Grants::new(store),
            static_clients: self
                .clients
                .into_iter()
                .map(|c| (c.client_id.clone(), c))
                .collect(),
            authenticator,
            registration: self.registration,
            cimd,
            openid: self.openid,
            auth_methods: self.auth_methods,
            ttl: self.ttl,
            base,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::issuer_path;

    #[test]
    fn an_issuer_is_https_or_loopback_http_without_query_or_fragment() {
        assert_eq!(issuer_path("https://auth.example.com").unwrap(), "");
        assert_eq!(
            issuer_path("https://auth.example.com/tenant").unwrap(),
            "/tenant"
        );
        assert_eq!(issuer_path("http://127.0.0.1:9000").unwrap(), "");
        for bad in [
            "http://auth.example.com",
            "auth.example.com",
            "https://a.example/?x=1",
            "https://a.example/#f",
        ] {
            assert!(issuer_path(bad).is_err(), "{bad}");
        }
    }
}
