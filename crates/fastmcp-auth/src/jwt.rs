//! [`JwtVerifier`]: JWT access tokens checked locally, with a static key or the keys of a
//! JWKS URL.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use crate::jwks::{Jwks, JwksOptions, Want};
use crate::key::{ConfigError, Family, JwtKey};
use crate::{claims, AuthInfo, BoxFuture, TokenVerifier, VerifyError};

/// Checks JWT access tokens: the signature (with an algorithm of the allow-list that fits
/// the key), `exp` (required), `nbf`, the audience (required), the issuer (when set).
///
/// The key's kind decides which algorithms are possible: an HMAC secret checks HS256/384/512
/// only, an RSA key RS*/PS*, an EC key ES256/384, an Ed25519 key EdDSA. A JWKS never
/// provides HMAC keys. `none` is never accepted.
///
/// ```no_run
/// use fastmcp_auth::{Algorithm, JwksOptions, JwtVerifier, TokenVerifier};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let verifier = JwtVerifier::builder()
///     .jwks(JwksOptions::new("https://idp.example.com/.well-known/jwks.json"))
///     .algorithms([Algorithm::RS256, Algorithm::ES256])
///     .issuer("https://idp.example.com/")
///     .audience("https://mcp.example.com/mcp")
///     .build()
///     .unwrap();
/// let who = verifier.verify("eyJ...").await;
/// # }
/// ```
pub struct JwtVerifier {
    keys: Keys,
    algorithms: Vec<Algorithm>,
    validation: Validation,
}

enum Keys {
    Static(JwtKey),
    Jwks(Box<Jwks>),
}

impl fmt::Debug for JwtVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("JwtVerifier");
        match &self.keys {
            Keys::Static(k) => d.field("key", k),
            Keys::Jwks(j) => d.field("jwks", j),
        };
        d.field("algorithms", &self.algorithms)
            .field("audience", &self.validation.aud)
            .field("issuer", &self.validation.iss)
            .field("leeway", &self.validation.leeway)
            .finish()
    }
}

/// Builds a [`JwtVerifier`]: a key (or a JWKS), the allowed algorithms and the audience
/// are required.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_auth::{Algorithm, JwtKey, JwtVerifier};
/// let v = JwtVerifier::builder()
///     .key(JwtKey::hmac(b"a long shared secret of 32 bytes!"))
///     .algorithms([Algorithm::HS256])
///     .audience("https://mcp.example.com/mcp")
///     .leeway(Duration::from_secs(30))
///     .build();
/// assert!(v.is_ok());
/// // Without an audience, no verifier.
/// let v = JwtVerifier::builder()
///     .key(JwtKey::hmac(b"a long shared secret of 32 bytes!"))
///     .algorithms([Algorithm::HS256])
///     .build();
/// assert!(v.is_err());
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct JwtVerifierBuilder {
    key: Option<JwtKey>,
    jwks: Option<JwksOptions>,
    algorithms: Vec<Algorithm>,
    audience: Vec<String>,
    issuer: Option<String>,
    leeway: Option<Duration>,
}

impl JwtVerifier {
    /// A builder.
    pub fn builder() -> JwtVerifierBuilder {
        JwtVerifierBuilder::default()
    }
}

impl JwtVerifierBuilder {
    /// Check signatures with this key.
    pub fn key(mut self, key: JwtKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Check signatures with the keys of this JWKS.
    pub fn jwks(mut self, opts: JwksOptions) -> Self {
        self.jwks = Some(opts);
        self
    }

    /// Check signatures with the keys of the JWKS at `url`, with the default caching.
    pub fn jwks_url(self, url: impl Into<String>) -> Self {
        self.jwks(JwksOptions::new(url))
    }

    /// The algorithms accepted (added to those given before).
    pub fn algorithms(mut self, algs: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms.extend(algs);
        self
    }

    /// An audience accepted (call again for several): a token's `aud` must name one.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// The issuer required in `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer = Some(iss.into());
        self
    }

    /// The clock skew allowed on `exp` and `nbf` (60 s by default).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// The verifier, or why this configuration is refused.
    pub fn build(self) -> Result<JwtVerifier, ConfigError> {
        let fail = |why: &str| Err(ConfigError(why.into()));
        if self.audience.is_empty() {
            return fail("an audience is required (the resource's own URL)");
        }
        if self.algorithms.is_empty() {
            return fail("an allow-list of algorithms is required");
        }
        let keys = match (self.key, self.jwks) {
            (Some(_), Some(_)) => return fail("give either a key or a JWKS, not both"),
            (None, None) => return fail("a key or a JWKS is required"),
            (Some(key), None) => {
                if let Some(a) = self.algorithms.iter().find(|a| !key.fits(**a)) {
                    return Err(ConfigError(format!(
                        "{a:?} cannot be checked with this key"
                    )));
                }
                Keys::Static(key)
            }
            (None, Some(opts)) => {
                if let Some(a) = self.algorithms.iter().find(|a| a.family() == Family::Hmac) {
                    return Err(ConfigError(format!("{a:?} is never checked with a JWKS")));
                }
                Keys::Jwks(Box::new(Jwks::new(opts).map_err(ConfigError)?))
            }
        };
        let mut v = Validation::new(self.algorithms[0]);
        v.algorithms = self.algorithms.clone();
        v.leeway = self.leeway.unwrap_or(Duration::from_secs(60)).as_secs();
        v.validate_nbf = true;
        v.set_audience(&self.audience);
        let mut required = vec!["exp", "aud"];
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        v.set_required_spec_claims(&required);
        Ok(JwtVerifier {
            keys,
            algorithms: self.algorithms,
            validation: v,
        })
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move {
            let result = self.check(token).await;
            if let Err(e) = &result {
                tracing::debug!(error = %e, "JWT refused");
            }
            result
        })
    }
}

fn invalid(why: &str) -> VerifyError {
    VerifyError::Invalid(why.into())
}

impl JwtVerifier {
    async fn check(&self, token: &str) -> Result<AuthInfo, VerifyError> {
        // The header names an algorithm of the enum (`none` is not one), else it is refused.
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed JWT"))?;
        if !self.algorithms.contains(&header.alg) {
            return Err(invalid("the token's algorithm is not allowed"));
        }
        let key = match &self.keys {
            Keys::Static(key) if key.fits(header.alg) => key.clone(),
            Keys::Static(_) => return Err(invalid("the token's algorithm does not fit the key")),
            Keys::Jwks(jwks) => find_key(jwks, header.kid.as_deref(), header.alg).await?,
        };
        let mut validation = self.validation.clone();
        validation.algorithms = vec![header.alg];
        // A panic of the JWT library on hostile input would be a bug there: refuse the
        // token rather than take the connection's task down.
        let decoded = std::panic::catch_unwind(AssertUnwindSafe(|| {
            jsonwebtoken::decode::<Map<String, Value>>(token, &key.key, &validation)
        }))
        .map_err(|_| invalid("the token could not be checked"))?;
        let data = decoded.map_err(|e| reason(e.kind()))?;
        Ok(claims::auth_info(data.claims))
    }
}

/// The key of the JWKS that checks a token with `kid` and `alg`: the set is refreshed
/// once (within its rules) when the kid is unknown.
async fn find_key(jwks: &Jwks, kid: Option<&str>, alg: Algorithm) -> Result<JwtKey, VerifyError> {
    let set = jwks.keys(Want::Current).await?;
    let pick = |keys: &[(Option<String>, JwtKey)]| -> Result<Option<JwtKey>, VerifyError> {
        let mut fits = keys.iter().filter(|(_, k)| k.fits(alg));
        match kid {
            Some(kid) => Ok(fits
                .find(|(id, _)| id.as_deref() == Some(kid))
                .map(|(_, k)| k.clone())),
            None => match (fits.next(), fits.next()) {
                (Some((_, k)), None) => Ok(Some(k.clone())),
                (Some(_), Some(_)) => Err(invalid("the token has no kid and several keys fit")),
                (None, _) => Ok(None),
            },
        }
    };
    if let Some(key) = pick(&set.keys)? {
        return Ok(key);
    }
    let set = jwks.keys(Want::Refresh(set.generation)).await?;
    match pick(&set.keys)? {
        Some(key) => Ok(key),
        // The key may be new, and the set could not be refreshed: not the client's fault.
        None if set.stale => Err(VerifyError::Unavailable(
            "no known key has the token's kid, and the key set cannot be refreshed".into(),
        )),
        None => Err(invalid("no key of the key set has the token's kid")),
    }
}

/// The reason for a refusal: fixed text, never parts of the token.
fn reason(kind: &ErrorKind) -> VerifyError {
    invalid(match kind {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidAudience => "the token is for another audience",
        ErrorKind::InvalidIssuer => "the token is from another issuer",
        ErrorKind::InvalidSignature => "bad signature",
        ErrorKind::MissingRequiredClaim(c) if c == "aud" => "the token has no audience",
        ErrorKind::MissingRequiredClaim(c) if c == "exp" => "the token has no expiry",
        ErrorKind::MissingRequiredClaim(c) if c == "iss" => "the token has no issuer",
        ErrorKind::MissingRequiredClaim(_) => "the token lacks a required claim",
        ErrorKind::InvalidAlgorithm => "the token's algorithm does not fit the key",
        _ => "malformed JWT",
    })
}
