//! The static key of a [`JwtVerifier`](crate::JwtVerifier): an HMAC secret, or an RSA,
//! EC or Ed25519 public key (PEM, DER or JWK). The key's kind decides which algorithms a
//! token may use with it.

use std::fmt;

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey};

pub(crate) use jsonwebtoken::AlgorithmFamily as Family;

/// A verifier's configuration was refused (no audience, no algorithm, a key that cannot
/// be read, an algorithm its key cannot check...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad verifier configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A key to check the signature of JWTs with.
///
/// ```
/// use fastmcp_auth::JwtKey;
/// let hmac = JwtKey::hmac(b"a long shared secret of 32 bytes!");
/// let rsa = JwtKey::rsa_pem(include_bytes!("../tests/fixtures/rsa.pub.pem")).unwrap();
/// assert!(JwtKey::ec_pem(b"not a key").is_err());
/// ```
#[derive(Clone)]
pub struct JwtKey {
    pub(crate) key: DecodingKey,
    pub(crate) family: Family,
    /// The key's own `alg`, when a JWK names one: only that algorithm is accepted with it.
    pub(crate) alg: Option<Algorithm>,
}

impl fmt::Debug for JwtKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The kind only: never an HMAC secret.
        f.debug_struct("JwtKey")
            .field("family", &self.family)
            .field("alg", &self.alg)
            .finish()
    }
}

fn bad(what: &str) -> impl FnOnce(jsonwebtoken::errors::Error) -> ConfigError + '_ {
    move |e| ConfigError(format!("cannot read the {what} key: {e}"))
}

impl JwtKey {
    fn of(key: DecodingKey) -> Self {
        JwtKey {
            family: key.family(),
            key,
            alg: None,
        }
    }

    /// The key, when its material has the size its kind needs (jsonwebtoken assumes it).
    fn checked(key: DecodingKey) -> Result<Self, String> {
        if key.family() == Family::Ed && key.as_bytes().len() != 32 {
            return Err("an Ed25519 public key has 32 bytes".into());
        }
        Ok(Self::of(key))
    }

    /// A shared HMAC secret (HS256, HS384, HS512).
    pub fn hmac(secret: impl AsRef<[u8]>) -> Self {
        Self::of(DecodingKey::from_secret(secret.as_ref()))
    }

    /// An RSA public key in PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`): RS* and PS*.
    pub fn rsa_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        DecodingKey::from_rsa_pem(pem.as_ref())
            .map(Self::of)
            .map_err(bad("RSA"))
    }

    /// An RSA public key in DER (PKCS#1 `RSAPublicKey`).
    pub fn rsa_der(der: impl AsRef<[u8]>) -> Self {
        Self::of(DecodingKey::from_rsa_der(der.as_ref()))
    }

    /// An EC public key (P-256 or P-384) in PEM: ES256, ES384.
    pub fn ec_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        DecodingKey::from_ec_pem(pem.as_ref())
            .map(Self::of)
            .map_err(bad("EC"))
    }

    /// An EC public key as an uncompressed SEC1 point (DER).
    pub fn ec_der(der: impl AsRef<[u8]>) -> Self {
        Self::of(DecodingKey::from_ec_der(der.as_ref()))
    }

    /// An Ed25519 public key in PEM: EdDSA.
    pub fn ed_pem(pem: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        let key = DecodingKey::from_ed_pem(pem.as_ref()).map_err(bad("Ed25519"))?;
        Self::checked(key).map_err(ConfigError)
    }

    /// An Ed25519 public key: its 32 raw bytes.
    pub fn ed_der(raw: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Self::checked(DecodingKey::from_ed_der(raw.as_ref())).map_err(ConfigError)
    }

    /// A JWK (RFC 7517), as JSON text: `RSA`, `EC`, `OKP` or `oct` (an HMAC secret). A JWK
    /// that names its `alg` is used with that algorithm only.
    pub fn jwk(json: &str) -> Result<Self, ConfigError> {
        let jwk: Jwk = serde_json::from_str(json)
            .map_err(|e| ConfigError(format!("cannot read the JWK: {e}")))?;
        Self::from_jwk(&jwk).map_err(ConfigError)
    }

    pub(crate) fn from_jwk(jwk: &Jwk) -> Result<Self, String> {
        let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable JWK: {e}"))?;
        let key = Self::checked(key)?.key;
        let alg = match &jwk.common.key_algorithm {
            None => None,
            Some(a) => Some(
                a.to_string()
                    .parse::<Algorithm>()
                    .map_err(|_| format!("JWK for an unsupported algorithm {a}"))?,
            ),
        };
        let family = match &jwk.algorithm {
            AlgorithmParameters::OctetKey(_) => Family::Hmac,
            _ => key.family(),
        };
        if alg.is_some_and(|a| a.family() != family) {
            return Err("the JWK's alg does not fit its key type".into());
        }
        Ok(JwtKey { key, family, alg })
    }

    /// Whether a token signed with `alg` can be checked with this key.
    pub(crate) fn fits(&self, alg: Algorithm) -> bool {
        alg.family() == self.family && self.alg.is_none_or(|a| a == alg)
    }
}
