//! Pre-registered client credentials: a client id, with a secret or a private key, or
//! neither (a public client).

use std::fmt;

use jsonwebtoken::{Algorithm, EncodingKey};

use super::error::OAuthError;

/// Credentials registered with the authorization server beforehand.
///
/// ```
/// use fastmcp_client::oauth::Credentials;
/// let c = Credentials::new("my-client").secret("s3cret");
/// assert_eq!(c.client_id(), "my-client");
/// assert!(!format!("{c:?}").contains("s3cret"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    pub(crate) client_id: String,
    pub(crate) secret: Option<String>,
    pub(crate) key: Option<SigningKey>,
    pub(crate) issuer: Option<String>,
}

/// A private key for `private_key_jwt` client assertions (RFC 7523).
#[derive(Clone)]
pub(crate) struct SigningKey {
    pub(crate) key: EncodingKey,
    pub(crate) alg: Algorithm,
}

impl Credentials {
    /// A public client (token endpoint authentication `none`) with this id.
    pub fn new(client_id: impl Into<String>) -> Self {
        Credentials {
            client_id: client_id.into(),
            secret: None,
            key: None,
            issuer: None,
        }
    }

    /// With a client secret (`client_secret_basic` or `client_secret_post`, whichever
    /// the authorization server supports).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// With a private key in PEM (PKCS#8 for EC and Ed25519, PKCS#1 or PKCS#8 for RSA)
    /// signing `private_key_jwt` assertions with `alg` (`ES256`, `ES384`, `RS256`,
    /// `PS256`, `EdDSA`, ...).
    pub fn private_key_pem(mut self, pem: &str, alg: &str) -> Result<Self, OAuthError> {
        let alg: Algorithm = alg
            .parse()
            .map_err(|_| OAuthError::Assertion(format!("unknown algorithm {alg:?}")))?;
        let bad = |e: jsonwebtoken::errors::Error| {
            OAuthError::Assertion(format!("the private key is not a usable PEM key: {e}"))
        };
        let key = match alg {
            Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(pem.as_bytes()),
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => EncodingKey::from_rsa_pem(pem.as_bytes()),
            Algorithm::EdDSA => EncodingKey::from_ed_pem(pem.as_bytes()),
            _ => {
                return Err(OAuthError::Assertion(format!(
                    "{alg:?} is not an asymmetric algorithm"
                )))
            }
        }
        .map_err(bad)?;
        self.key = Some(SigningKey { key, alg });
        Ok(self)
    }

    /// Use these credentials only with the authorization server of this issuer (with
    /// another one, the client registers anew). Without it they are used with any.
    pub fn for_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("key", &self.key.as_ref().map(|k| k.alg))
            .field("issuer", &self.issuer)
            .finish()
    }
}
