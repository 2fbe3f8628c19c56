//! A JWKS (RFC 7517 key set) fetched from a URL and cached: a TTL (the response's
//! `Cache-Control: max-age` within bounds), one fetch in flight at a time, at most one
//! refresh for unknown key ids per cool-down period, exponential back-off after a failed
//! fetch, and the keys already cached kept while the endpoint is down.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jsonwebtoken::jwk::{Jwk, PublicKeyUse};
use serde_json::Value;
use tokio::time::Instant;

use crate::fetch;
use crate::key::{Family, JwtKey};
use crate::VerifyError;

/// How a JWKS is fetched and cached.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_auth::JwksOptions;
/// let opts = JwksOptions::new("https://idp.example.com/.well-known/jwks.json")
///     .ttl(Duration::from_secs(600))
///     .refresh_cooldown(Duration::from_secs(60));
/// ```
#[derive(Clone, Debug)]
pub struct JwksOptions {
    pub(crate) url: String,
    pub(crate) ttl: Duration,
    pub(crate) min_ttl: Duration,
    pub(crate) max_ttl: Duration,
    pub(crate) cooldown: Duration,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_bytes: usize,
}

impl JwksOptions {
    /// The key set at `url`, with the defaults: a TTL of 5 minutes (a `max-age` is
    /// respected between 30 s and 24 h), one refresh for unknown key ids per 30 s, a
    /// back-off from 1 s to 5 min after failed fetches, a 10 s timeout, 1 MiB at most.
    pub fn new(url: impl Into<String>) -> Self {
        JwksOptions {
            url: url.into(),
            ttl: Duration::from_secs(300),
            min_ttl: Duration::from_secs(30),
            max_ttl: Duration::from_secs(86_400),
            cooldown: Duration::from_secs(30),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
            timeout: Duration::from_secs(10),
            max_bytes: 1 << 20,
        }
    }

    /// How long a fetched set is used when the response has no `max-age`.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The bounds a response's `Cache-Control: max-age` is held within.
    pub fn max_age_bounds(mut self, min: Duration, max: Duration) -> Self {
        self.min_ttl = min;
        self.max_ttl = max.max(min);
        self
    }

    /// At most one refresh for a token with an unknown key id per `period`, counted from
    /// the last fetch (for whatever reason it was made). A flood of tokens with made-up
    /// key ids costs the issuer one request per period at most.
    pub fn refresh_cooldown(mut self, period: Duration) -> Self {
        self.cooldown = period;
        self
    }

    /// After a failed fetch, wait `first`, then twice as long after each further failure,
    /// up to `max`.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    /// The timeout of a fetch.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest key set accepted, in bytes.
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }
}

/// One fetched key set.
#[derive(Debug)]
pub(crate) struct KeySet {
    pub(crate) keys: Vec<(Option<String>, JwtKey)>,
    /// Counts the fetches: a caller knows whether the set changed since it looked.
    pub(crate) generation: u64,
    /// The last fetch failed: these keys are what was known before.
    pub(crate) stale: bool,
}

#[derive(Default)]
struct State {
    set: Option<Arc<KeySet>>,
    expires: Option<Instant>,
    last_attempt: Option<Instant>,
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<String>,
    generation: u64,
}

/// The cache of one JWKS URL.
pub(crate) struct Jwks {
    opts: JwksOptions,
    client: reqwest::Client,
    state: Mutex<State>,
    /// Held while fetching: one fetch in flight, the others wait for its result.
    fetching: tokio::sync::Mutex<()>,
}

impl fmt::Debug for Jwks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwks").field("url", &self.opts.url).finish()
    }
}

/// Why a fetch is wanted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// The set to use now: fetched when there is none or it expired.
    Current,
    /// A token names a key id the set of this generation lacks.
    Refresh(u64),
}

impl Jwks {
    pub(crate) fn new(opts: JwksOptions) -> Result<Self, String> {
        Ok(Jwks {
            client: fetch::client(opts.timeout)?,
            opts,
            state: Mutex::default(),
            fetching: tokio::sync::Mutex::new(()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The key set to check a token with, fetched first when `want` calls for it and the
    /// rules allow it.
    pub(crate) async fn keys(&self, want: Want) -> Result<Arc<KeySet>, VerifyError> {
        if let Some(known) = self.cached(want, Instant::now()) {
            return known;
        }
        let _one = self.fetching.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(known) = self.cached(want, Instant::now()) {
            return known;
        }
        self.fetch().await;
        let s = self.lock();
        s.set.clone().ok_or_else(|| unavailable(&s))
    }

    /// The answer without a fetch, when no fetch is due (or none is allowed now).
    fn cached(&self, want: Want, now: Instant) -> Option<Result<Arc<KeySet>, VerifyError>> {
        let s = self.lock();
        let backing_off = s.retry_at.is_some_and(|t| now < t);
        let due = match want {
            Want::Current => s.expires.is_none_or(|t| now >= t),
            Want::Refresh(seen) => {
                seen == s.generation && s.last_attempt.is_none_or(|t| now >= t + self.opts.cooldown)
            }
        };
        if due && !backing_off {
            return None;
        }
        Some(s.set.clone().ok_or_else(|| unavailable(&s)))
    }

    async fn fetch(&self) {
        self.lock().last_attempt = Some(Instant::now());
        let got = self.download().await;
        let mut s = self.lock();
        s.generation += 1;
        match got {
            Ok((keys, ttl)) => {
                tracing::debug!(url = %self.opts.url, keys = keys.len(), "fetched the JWKS");
                s.set = Some(Arc::new(KeySet {
                    keys,
                    generation: s.generation,
                    stale: false,
                }));
                s.expires = Some(Instant::now() + ttl);
                s.failures = 0;
                s.retry_at = None;
                s.last_error = None;
            }
            Err(why) => {
                let wait = self
                    .opts
                    .backoff
                    .saturating_mul(1 << s.failures.min(20))
                    .min(self.opts.max_backoff);
                s.failures += 1;
                s.retry_at = Some(Instant::now() + wait);
                tracing::warn!(url = %self.opts.url, error = %why, retry_in = ?wait,
                    "cannot fetch the JWKS");
                s.last_error = Some(why);
                if let Some(set) = s.set.take() {
                    // The keys already known keep working; the new generation says a
                    // fetch was tried.
                    s.set = Some(Arc::new(KeySet {
                        keys: set.keys.clone(),
                        generation: s.generation,
                        stale: true,
                    }));
                }
            }
        }
    }

    async fn download(&self) -> Result<(Vec<(Option<String>, JwtKey)>, Duration), String> {
        let resp = self
            .client
            .get(&self.opts.url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(fetch::describe)?;
        if !resp.status().is_success() {
            return Err(format!("the JWKS endpoint answered {}", resp.status()));
        }
        let ttl = resp
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .and_then(max_age)
            .map(|age| age.clamp(self.opts.min_ttl, self.opts.max_ttl))
            .unwrap_or(self.opts.ttl);
        let body = fetch::body(resp, self.opts.max_bytes).await?;
        Ok((parse(&body)?, ttl))
    }
}

fn unavailable(s: &State) -> VerifyError {
    let why = s.last_error.as_deref().unwrap_or("no keys fetched yet");
    VerifyError::Unavailable(format!("the key set is unavailable: {why}"))
}

/// The `max-age` of a `Cache-Control` header (`no-cache` and `no-store` count as 0).
pub(crate) fn max_age(header: &str) -> Option<Duration> {
    header.split(',').map(str::trim).find_map(|d| {
        let d = d.to_ascii_lowercase();
        if d == "no-cache" || d == "no-store" {
            return Some(Duration::ZERO);
        }
        let secs = d.strip_prefix("max-age=")?.trim_matches('"').parse().ok()?;
        Some(Duration::from_secs(secs))
    })
}

/// The signing keys of a JWKS document; keys of an unknown type, for encryption, or
/// unreadable are skipped.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<(Option<String>, JwtKey)>, String> {
    let doc: Value = serde_json::from_slice(body).map_err(|_| "the JWKS is not JSON".to_owned())?;
    let Some(Value::Array(keys)) = doc.get("keys") else {
        return Err("the JWKS has no \"keys\" array".into());
    };
    Ok(keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .filter(|jwk| {
            matches!(
                jwk.common.public_key_use,
                None | Some(PublicKeyUse::Signature)
            )
        })
        .filter_map(|jwk| {
            let key = JwtKey::from_jwk(&jwk).ok()?;
            // A key set is public: a symmetric key in it is never used.
            (key.family != Family::Hmac).then_some((jwk.common.key_id.clone(), key))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control() {
        assert_eq!(
            max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("public"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }

    #[test]
    fn only_signing_keys_of_known_types() {
        let doc = br#"{"keys": [
            {"kty": "oct", "kid": "h", "k": "c2VjcmV0"},
            {"kty": "EC", "kid": "e", "crv": "P-256", "use": "enc",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "EC", "kid": "s", "crv": "P-256",
             "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
             "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
            {"kty": "XYZ", "kid": "u"}
        ]}"#;
        let keys = parse(doc).unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].0.as_deref(), Some("s"));
        assert!(parse(b"[]").is_err());
        assert!(parse(b"nope").is_err());
    }
}
