//! [`IntrospectionVerifier`]: opaque tokens checked by the authorization server's
//! introspection endpoint (RFC 7662), the answers cached.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{Map, Value};
use tokio::time::Instant;

use crate::key::ConfigError;
use crate::token_cache::{digest, TokenCache};
use crate::{claims, fetch, AuthInfo, BoxFuture, TokenVerifier, VerifyError};

/// How the verifier authenticates to the introspection endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// HTTP Basic with the URL-encoded client id and secret (the default).
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// Checks tokens with an RFC 7662 introspection endpoint: `active: false` is
/// [`VerifyError::Invalid`]; an endpoint that is down, answers an error or garbage is
/// [`VerifyError::Unavailable`]. Answers are cached by the token's SHA-256: an active
/// token until its `exp`, an inactive one briefly.
///
/// ```no_run
/// use fastmcp_auth::{IntrospectionVerifier, TokenVerifier};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let verifier = IntrospectionVerifier::builder("https://idp.example.com/oauth2/introspect")
///     .client_credentials("mcp-server", "its-secret")
///     .audience("https://mcp.example.com/mcp")
///     .build()
///     .unwrap();
/// let who = verifier.verify("an-opaque-token").await;
/// # }
/// ```
pub struct IntrospectionVerifier {
    opts: IntrospectionBuilder,
    client: reqwest::Client,
    cache: TokenCache,
}

/// Builds an [`IntrospectionVerifier`].
///
/// ```
/// use std::time::Duration;
/// use fastmcp_auth::{ClientAuth, IntrospectionVerifier};
/// let v = IntrospectionVerifier::builder("https://idp.example.com/introspect")
///     .client_credentials("id", "secret")
///     .client_auth(ClientAuth::Post)
///     .negative_ttl(Duration::from_secs(10))
///     .cache_size(1000)
///     .build()
///     .unwrap();
/// assert!(!format!("{v:?}").contains("secret"));
/// ```
#[must_use]
#[derive(Clone)]
pub struct IntrospectionBuilder {
    url: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    auth: ClientAuth,
    audience: Vec<String>,
    cache_size: usize,
    negative_ttl: Duration,
    max_ttl: Option<Duration>,
    timeout: Duration,
    max_bytes: usize,
}

impl fmt::Debug for IntrospectionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the client secret.
        f.debug_struct("IntrospectionVerifier")
            .field("url", &self.url)
            .field("client_id", &self.client_id)
            .field("auth", &self.auth)
            .field("audience", &self.audience)
            .finish()
    }
}

impl fmt::Debug for IntrospectionVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.opts.fmt(f)
    }
}

impl IntrospectionVerifier {
    /// A builder for the endpoint at `url`.
    pub fn builder(url: impl Into<String>) -> IntrospectionBuilder {
        IntrospectionBuilder {
            url: url.into(),
            client_id: None,
            client_secret: None,
            auth: ClientAuth::Basic,
            audience: Vec::new(),
            cache_size: 10_000,
            negative_ttl: Duration::from_secs(5),
            max_ttl: None,
            timeout: Duration::from_secs(10),
            max_bytes: 64 * 1024,
        }
    }
}

impl IntrospectionBuilder {
    /// The credentials this server authenticates to the endpoint with.
    pub fn client_credentials(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.client_id = Some(id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// How the credentials are sent ([`ClientAuth::Basic`] by default).
    pub fn client_auth(mut self, auth: ClientAuth) -> Self {
        self.auth = auth;
        self
    }

    /// An audience accepted (call again for several): when any is set, the answer's `aud`
    /// must name one.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// How many answers are cached at most (10,000 by default; 0 caches nothing).
    pub fn cache_size(mut self, n: usize) -> Self {
        self.cache_size = n;
        self
    }

    /// How long a refusal is cached (5 s by default).
    pub fn negative_ttl(mut self, ttl: Duration) -> Self {
        self.negative_ttl = ttl;
        self
    }

    /// Cache an active token no longer than this, even when its `exp` is later (by
    /// default, until `exp`; an answer without `exp` is not cached).
    pub fn max_cache_ttl(mut self, ttl: Duration) -> Self {
        self.max_ttl = Some(ttl);
        self
    }

    /// The timeout of a call to the endpoint (10 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest answer accepted, in bytes (64 KiB by default).
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// The verifier.
    pub fn build(self) -> Result<IntrospectionVerifier, ConfigError> {
        if !self.url.starts_with("http://") && !self.url.starts_with("https://") {
            return Err(ConfigError(
                "the introspection endpoint is not an http(s) URL".into(),
            ));
        }
        Ok(IntrospectionVerifier {
            client: fetch::client(self.timeout).map_err(ConfigError)?,
            cache: TokenCache::new(self.cache_size),
            opts: self,
        })
    }
}

impl TokenVerifier for IntrospectionVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move {
            let key = digest(token);
            if let Some(answer) = self.cache.get(&key) {
                return answer;
            }
            let answer = self.introspect(token).await;
            match &answer {
                Ok(who) => {
                    let left = who.expires_at.map(until);
                    let keep = match (left, self.opts.max_ttl) {
                        (Some(l), Some(m)) => Some(l.min(m)),
                        (l, _) => l,
                    };
                    if let Some(keep) = keep {
                        self.cache.put(key, Instant::now() + keep, answer.clone());
                    }
                }
                Err(VerifyError::Invalid(why)) => {
                    tracing::debug!(reason = %why, "introspection refused the token");
                    let until = Instant::now() + self.opts.negative_ttl;
                    self.cache.put(key, until, answer.clone());
                }
                Err(VerifyError::Unavailable(why)) => {
                    tracing::warn!(url = %self.opts.url, error = %why, "cannot introspect");
                }
            }
            answer
        })
    }
}

/// The time left until `exp` (seconds since the epoch), exactly.
fn until(exp: u64) -> Duration {
    (UNIX_EPOCH + Duration::from_secs(exp))
        .duration_since(SystemTime::now())
        .unwrap_or_default()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn unavailable(why: impl Into<String>) -> VerifyError {
    VerifyError::Unavailable(why.into())
}

impl IntrospectionVerifier {
    async fn introspect(&self, token: &str) -> Result<AuthInfo, VerifyError> {
        let o = &self.opts;
        let mut form = vec![("token", token), ("token_type_hint", "access_token")];
        let mut req = self
            .client
            .post(&o.url)
            .header("accept", "application/json");
        if let (Some(id), Some(secret)) = (&o.client_id, &o.client_secret) {
            match o.auth {
                ClientAuth::Basic => {
                    let pair = format!("{}:{}", form_encode(id), form_encode(secret));
                    let b64 = base64::engine::general_purpose::STANDARD.encode(pair);
                    req = req.header("authorization", format!("Basic {b64}"));
                }
                ClientAuth::Post => {
                    form.push(("client_id", id));
                    form.push(("client_secret", secret));
                }
            }
        }
        let resp = req
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable(fetch::describe(e)))?;
        if !resp.status().is_success() {
            return Err(unavailable(format!(
                "the introspection endpoint answered {}",
                resp.status()
            )));
        }
        let body = fetch::body(resp, o.max_bytes).await.map_err(unavailable)?;
        let Ok(Value::Object(answer)) = serde_json::from_slice::<Value>(&body) else {
            return Err(unavailable("the introspection answer is not a JSON object"));
        };
        self.judge(answer)
    }

    fn judge(&self, answer: Map<String, Value>) -> Result<AuthInfo, VerifyError> {
        let invalid = |why: &str| Err(VerifyError::Invalid(why.into()));
        match answer.get("active") {
            Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => return invalid("the token is not active"),
            _ => return Err(unavailable("the introspection answer has no \"active\"")),
        }
        let who = claims::auth_info(answer);
        if who.expires_at.is_some_and(|exp| exp <= now()) {
            return invalid("the token has expired");
        }
        let aud = &self.opts.audience;
        if !aud.is_empty() && !who.audience.iter().any(|a| aud.contains(a)) {
            return invalid("the token is for another audience");
        }
        Ok(who)
    }
}

/// `application/x-www-form-urlencoded` of a credential, as RFC 6749 §2.3.1 asks before
/// Basic's base64.
fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::form_encode;

    #[test]
    fn credentials_are_form_encoded() {
        assert_eq!(form_encode("a b:c%é"), "a+b%3Ac%25%C3%A9");
        assert_eq!(form_encode("plain-id_1.x"), "plain-id_1.x");
    }
}
