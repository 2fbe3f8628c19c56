//! [`UpstreamLogin`]: the OAuth proxy's way of signing users in. It is an
//! [`Authenticator`]: where the authorization server needs a user, it runs the real
//! authorization code flow (PKCE S256, `state`, `nonce`) against the upstream provider,
//! learns who the user is (a verified ID token, or the provider's user-info API), keeps
//! the upstream tokens encrypted in the store, and signs the user in with a cookie. The
//! MCP client only ever sees the proxy's own tokens.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::Query;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fastmcp_auth::{Algorithm, JwtVerifier, TokenVerifier};
use fastmcp_core::{BoxFuture, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::crypto::Sealer;
use super::upstream::{Upstream, UpstreamAuth};
use crate::grants::now;
use crate::html;
use crate::session::Session;
use crate::token::new_secret;
use crate::user::{Authenticator, Mount, SignIn, User};

/// A sign-in in flight upstream, kept under its `state`.
#[derive(Serialize, Deserialize)]
struct Txn {
    return_to: String,
    verifier: String,
    nonce: String,
}

/// The upstream tokens of a user (sealed in the store).
#[derive(Serialize, Deserialize)]
struct Held {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_at: Option<u64>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    id_token: Option<String>,
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The claims copied from the upstream identity into the user's.
const COPIED: [&str; 7] = [
    "email",
    "email_verified",
    "name",
    "preferred_username",
    "login",
    "picture",
    "avatar_url",
];

struct Inner {
    upstream: Upstream,
    sealer: Sealer,
    session: Session,
    token_ttl: u64,
    mount: OnceLock<Mount>,
    http: reqwest::Client,
    id_tokens: Option<JwtVerifier>,
}

/// Sign users in with an upstream provider (see the module).
///
/// ```
/// use fastmcp_auth_server::proxy::{Upstream, UpstreamLogin};
/// let login = UpstreamLogin::new(Upstream::github("client-id", "client-secret"), b"32+ random bytes, shared by replicas")
///     .unwrap();
/// # let _ = login;
/// ```
#[derive(Clone)]
pub struct UpstreamLogin(Arc<Inner>);

fn derive(secret: &[u8], label: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update(secret);
    h.finalize().to_vec()
}

impl UpstreamLogin {
    /// Sign in with `upstream`. `secret` (at least 32 bytes; the same on every replica)
    /// encrypts the upstream tokens and signs the sign-in cookie.
    pub fn new(upstream: Upstream, secret: &[u8]) -> Result<Self, crate::ConfigError> {
        if secret.len() < 32 {
            return Err(crate::ConfigError(
                "the proxy's secret must be at least 32 bytes".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(upstream.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("fastmcp-oauth-proxy")
            .build()
            .map_err(|e| crate::ConfigError(e.to_string()))?;
        let id_tokens = match (&upstream.jwks_url, &upstream.issuer) {
            (Some(jwks), Some(iss)) => Some(
                JwtVerifier::builder()
                    .jwks_url(jwks)
                    .issuer(iss)
                    .audience(&upstream.client_id)
                    .algorithms([
                        Algorithm::RS256,
                        Algorithm::RS384,
                        Algorithm::RS512,
                        Algorithm::PS256,
                        Algorithm::ES256,
                        Algorithm::ES384,
                        Algorithm::EdDSA,
                    ])
                    .build()
                    .map_err(|e| crate::ConfigError(e.to_string()))?,
            ),
            _ => None,
        };
        Ok(Self(Arc::new(Inner {
            sealer: Sealer::new(&derive(secret, "fastmcp upstream tokens")),
            session: Session {
                key: derive(secret, "fastmcp sign-in cookie"),
                ttl: 8 * 3600,
                secure: true,
            },
            token_ttl: 30 * 86400,
            mount: OnceLock::new(),
            http,
            id_tokens,
            upstream,
        })))
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Self {
        match Arc::try_unwrap(self.0) {
            Ok(mut inner) => {
                f(&mut inner);
                Self(Arc::new(inner))
            }
            Err(shared) => Self(shared), // mounted already: settings are fixed
        }
    }

    /// Cookies without `Secure`, for plain HTTP other than `localhost` (development only).
    pub fn insecure_http(self) -> Self {
        self.edit(|i| i.session.secure = false)
    }

    /// How long a sign-in lasts (8 hours by default).
    pub fn session_ttl(self, ttl: Duration) -> Self {
        self.edit(|i| i.session.ttl = ttl.as_secs().max(1))
    }

    /// How long the upstream tokens of a user are kept (30 days by default).
    pub fn upstream_token_ttl(self, ttl: Duration) -> Self {
        self.edit(|i| i.token_ttl = ttl.as_secs().max(1))
    }

    fn mount(&self) -> Result<&Mount, Error> {
        self.0
            .mount
            .get()
            .ok_or_else(|| Error::internal("UpstreamLogin is not mounted: give it to an AuthorizationServer and serve its router"))
    }

    fn callback_url(&self, m: &Mount) -> String {
        format!("{}/upstream/callback", m.issuer)
    }

    /// The upstream access token of `subject` (the `sub` of the proxy's tokens: a tool reads
    /// it from `ctx.auth()`), refreshed upstream first when it has expired. `None` when
    /// the user never signed in here, or the tokens expired and cannot be refreshed.
    pub async fn upstream_token(&self, subject: &str) -> Result<Option<String>, Error> {
        let m = self.mount()?;
        let Some(sealed) = m.grants.record::<String>("upstream-token", subject).await? else {
            return Ok(None);
        };
        let plain = self.0.sealer.open(&sealed).map_err(Error::internal)?;
        let held: Held =
            serde_json::from_slice(&plain).map_err(|e| Error::internal(e.to_string()))?;
        if held.expires_at.is_none_or(|t| t > now() + 30) {
            return Ok(Some(held.access_token));
        }
        let Some(rt) = held.refresh_token else {
            return Ok(None);
        };
        let answer = self
            .token_request(&[("grant_type", "refresh_token"), ("refresh_token", &rt)])
            .await
            .map_err(Error::internal)?;
        let kept = Held {
            access_token: answer.access_token.clone(),
            refresh_token: answer.refresh_token.or(Some(rt)),
            expires_at: answer.expires_in.map(|s| now() + s),
        };
        self.keep(m, subject, &kept).await?;
        Ok(Some(answer.access_token))
    }

    async fn keep(&self, m: &Mount, subject: &str, held: &Held) -> Result<(), Error> {
        let plain = serde_json::to_vec(held).map_err(|e| Error::internal(e.to_string()))?;
        let sealed = self.0.sealer.seal(&plain).map_err(Error::internal)?;
        m.grants
            .put_record("upstream-token", subject, &sealed, self.0.token_ttl)
            .await
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<TokenAnswer, String> {
        let u = &self.0.upstream;
        let mut form: Vec<(&str, &str)> = form.to_vec();
        let mut req = self
            .0
            .http
            .post(&u.token_url)
            .header("accept", "application/json");
        match u.auth {
            UpstreamAuth::Basic => {
                let enc =
                    |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
                req = req.basic_auth(enc(&u.client_id), Some(enc(&u.client_secret)));
            }
            UpstreamAuth::Post => {
                form.push(("client_id", &u.client_id));
                form.push(("client_secret", &u.client_secret));
            }
        }
        let r = req
            .form(&form)
            .send()
            .await
            .map_err(|e| format!("{} cannot be reached: {e}", u.name))?;
        let status = r.status();
        let body = r.text().await.map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!(
                "{} refused the token request ({status}): {}",
                u.name,
                body.chars().take(300).collect::<String>()
            ));
        }
        serde_json::from_str(&body).map_err(|_| {
            format!(
                "{} answered the token request with no token: {}",
                u.name,
                body.chars().take(300).collect::<String>()
            )
        })
    }

    /// Who the upstream tokens belong to.
    async fn identify(&self, t: &TokenAnswer, nonce: &str) -> Result<User, String> {
        let u = &self.0.upstream;
        let claims: Map<String, Value> = match (&t.id_token, &self.0.id_tokens) {
            (Some(id), Some(v)) => {
                let who = v
                    .verify(id)
                    .await
                    .map_err(|e| format!("the ID token of {} is not valid: {e:?}", u.name))?;
                if who.claims.get("nonce").and_then(Value::as_str) != Some(nonce) {
                    return Err("the ID token's nonce is not this sign-in's".into());
                }
                who.claims
            }
            _ => {
                let url = u
                    .userinfo_url
                    .as_deref()
                    .ok_or("no way to know the user: no ID token, no user-info endpoint")?;
                let r = self
                    .0
                    .http
                    .get(url)
                    .bearer_auth(&t.access_token)
                    .header("accept", "application/json")
                    .send()
                    .await
                    .map_err(|e| format!("{url}: {e}"))?;
                if !r.status().is_success() {
                    return Err(format!("{url} answered {}", r.status()));
                }
                r.json().await.map_err(|e| format!("{url}: {e}"))?
            }
        };
        let subject = match claims.get(&u.subject_claim) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(format!("the user has no {:?}", u.subject_claim)),
        };
        let mut user = User::new(subject);
        for c in COPIED {
            if let Some(v) = claims.get(c) {
                user.claims.insert(c.into(), v.clone());
            }
        }
        Ok(user)
    }

    async fn callback(&self, q: Callback) -> Response {
        let bad = |status: StatusCode, m: &str| html::error(status, m);
        let Ok(m) = self.mount() else {
            return bad(StatusCode::INTERNAL_SERVER_ERROR, "not mounted");
        };
        let Some(state) = q.state.as_deref() else {
            return bad(
                StatusCode::BAD_REQUEST,
                "the provider's answer has no state",
            );
        };
        let txn: Txn = match m.grants.take_record("upstream-txn", state).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return bad(
                    StatusCode::BAD_REQUEST,
                    "this sign-in expired or was finished already: start again",
                )
            }
            Err(e) => return bad(StatusCode::SERVICE_UNAVAILABLE, e.message()),
        };
        if let Some(e) = q.error {
            let d = q.error_description.unwrap_or_default();
            return bad(
                StatusCode::FORBIDDEN,
                &format!("{} refused the sign-in: {e} {d}", self.0.upstream.name),
            );
        }
        let Some(code) = q.code else {
            return bad(StatusCode::BAD_REQUEST, "the provider's answer has no code");
        };
        let redirect_uri = self.callback_url(m);
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("code_verifier", txn.verifier.as_str()),
        ];
        let answer = match self.token_request(&form).await {
            Ok(a) => a,
            Err(e) => return bad(StatusCode::BAD_GATEWAY, &e),
        };
        let user = match self.identify(&answer, &txn.nonce).await {
            Ok(u) => u,
            Err(e) => return bad(StatusCode::BAD_GATEWAY, &e),
        };
        let held = Held {
            access_token: answer.access_token,
            refresh_token: answer.refresh_token,
            expires_at: answer.expires_in.map(|s| now() + s),
        };
        if let Err(e) = self.keep(m, &user.subject, &held).await {
            return bad(StatusCode::SERVICE_UNAVAILABLE, e.message());
        }
        let mut r = Redirect::to(&txn.return_to).into_response();
        self.0.session.sign_in(&mut r, &user);
        r
    }

    async fn start(&self, return_to: &str) -> Result<Response, Error> {
        let m = self.mount()?;
        let u = &self.0.upstream;
        let (state, verifier, nonce) = (new_secret(), new_secret(), new_secret());
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        let txn = Txn {
            return_to: return_to.to_owned(),
            verifier,
            nonce: nonce.clone(),
        };
        m.grants
            .put_record("upstream-txn", &state, &txn, 600)
            .await?;
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("response_type", "code")
            .append_pair("client_id", &u.client_id)
            .append_pair("redirect_uri", &self.callback_url(m))
            .append_pair("state", &state)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        if !u.scopes.is_empty() {
            q.append_pair("scope", &u.scopes.join(" "));
        }
        if u.scopes.iter().any(|s| s == "openid") {
            q.append_pair("nonce", &nonce);
        }
        for (k, v) in &u.extra {
            q.append_pair(k, v);
        }
        let sep = if u.authorize_url.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(Redirect::to(&format!("{}{sep}{}", u.authorize_url, q.finish())).into_response())
    }
}

impl Authenticator for UpstreamLogin {
    fn authenticate<'a>(
        &'a self,
        req: &'a Parts,
        return_to: &'a str,
    ) -> BoxFuture<'a, Result<SignIn, Error>> {
        Box::pin(async move {
            match self.0.session.user(&req.headers) {
                Some(u) => Ok(SignIn::User(u)),
                None if return_to.is_empty() => Err(Error::invalid_request("not signed in")),
                None => self.start(return_to).await.map(SignIn::Respond),
            }
        })
    }

    fn routes(&self, at: &Mount) -> axum::Router {
        let _ = self.0.mount.set(at.clone());
        let me = self.clone();
        axum::Router::new().route(
            &format!("{}/upstream/callback", at.base),
            get(move |Query(q): Query<Callback>| async move { me.callback(q).await }),
        )
    }
}
