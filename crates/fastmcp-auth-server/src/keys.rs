//! The authorization server's signing keys: RS256 or ES256 private keys (PEM), the newest
//! signing, all of them published at the JWKS endpoint so that tokens signed before a
//! rotation still verify until their key is retired.

use std::sync::{Arc, RwLock};

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::error::ConfigError;

struct Key {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Jwk,
}

/// The keys tokens are signed with. Cheap to clone (shared).
///
/// ```
/// use fastmcp_auth_server::keys::SigningKeys;
/// let keys = SigningKeys::new();
/// keys.add_pem("2026-12", "RS256", include_bytes!("../tests/fixtures/rsa.key.pem")).unwrap();
/// assert_eq!(keys.jwks().keys.len(), 1);
/// ```
#[derive(Clone, Default)]
pub struct SigningKeys(Arc<RwLock<Vec<Key>>>);

impl SigningKeys {
    /// No keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a private key (PKCS#8 or PKCS#1 PEM) for `alg` (`RS256` or `ES256`) under `kid`;
    /// it signs from now on (the newest key signs).
    pub fn add_pem(&self, kid: &str, alg: &str, pem: &[u8]) -> Result<(), ConfigError> {
        let alg = match alg {
            "RS256" => Algorithm::RS256,
            "ES256" => Algorithm::ES256,
            other => {
                return Err(ConfigError(format!(
                    "signing algorithm {other:?}: use RS256 or ES256"
                )))
            }
        };
        let encoding = match alg {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem),
            _ => EncodingKey::from_ec_pem(pem),
        }
        .map_err(|e| ConfigError(format!("cannot read the {alg:?} signing key {kid:?}: {e}")))?;
        let mut jwk = Jwk::from_encoding_key(&encoding, alg)
            .map_err(|e| ConfigError(format!("signing key {kid:?}: {e}")))?;
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let mut keys = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        keys.retain(|k| k.kid != kid);
        keys.push(Key {
            kid: kid.to_owned(),
            alg,
            encoding,
            jwk,
        });
        Ok(())
    }

    /// Stop publishing the key `kid` (tokens it signed no longer verify); whether it was
    /// there.
    pub fn retire(&self, kid: &str) -> bool {
        let mut keys = self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = keys.len();
        keys.retain(|k| k.kid != kid);
        keys.len() != before
    }

    /// The public keys, for the JWKS endpoint.
    pub fn jwks(&self) -> JwkSet {
        let keys = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        JwkSet {
            keys: keys.iter().map(|k| k.jwk.clone()).collect(),
        }
    }

    /// The claims of `token` if one of these keys signed it (by its `kid`), it was issued by
    /// `issuer`, has not expired and, given `audience`, is meant for one of them.
    pub fn verify(
        &self,
        token: &str,
        issuer: &str,
        audience: Option<&[String]>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| e.to_string())?;
        let (alg, key) = {
            let keys = self
                .0
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let k = keys
                .iter()
                .find(|k| header.kid.as_deref() == Some(k.kid.as_str()))
                .ok_or("signed by an unknown key")?;
            let key = jsonwebtoken::DecodingKey::from_jwk(&k.jwk).map_err(|e| e.to_string())?;
            (k.alg, key)
        };
        if header.alg != alg {
            return Err("the algorithm is not the key's".into());
        }
        let mut v = jsonwebtoken::Validation::new(alg);
        v.set_issuer(&[issuer]);
        v.set_required_spec_claims(&["exp", "iss", "sub"]);
        match audience {
            Some(aud) => v.set_audience(aud),
            None => v.validate_aud = false,
        }
        jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(token, &key, &v)
            .map(|d| d.claims)
            .map_err(|e| e.to_string())
    }

    /// A new ES256 private key as PEM (PKCS#8), from the OS's generator: for development,
    /// or to write once and share with every replica.
    ///
    /// ```
    /// use fastmcp_auth_server::keys::SigningKeys;
    /// let keys = SigningKeys::new();
    /// keys.add_pem("k1", "ES256", SigningKeys::generate_es256_pem().as_bytes()).unwrap();
    /// assert_eq!(keys.jwks().keys.len(), 1);
    /// ```
    pub fn generate_es256_pem() -> String {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        loop {
            // A random scalar is a valid key but with negligible probability.
            let bytes: [u8; 32] = rand::random();
            if let Ok(k) = p256::SecretKey::from_slice(&bytes) {
                if let Ok(pem) = k.to_pkcs8_pem(LineEnding::LF) {
                    return pem.to_string();
                }
            }
        }
    }

    /// Sign `claims` with the newest key.
    pub fn sign<C: Serialize>(&self, claims: &C) -> Result<String, ConfigError> {
        self.sign_typed(claims, "at+jwt")
    }

    /// Sign `claims` with the newest key, with this `typ` header (`JWT` for an ID token).
    pub fn sign_typed<C: Serialize>(&self, claims: &C, typ: &str) -> Result<String, ConfigError> {
        let keys = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = keys
            .last()
            .ok_or_else(|| ConfigError("no signing key".into()))?;
        let mut header = Header::new(key.alg);
        header.kid = Some(key.kid.clone());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .map_err(|e| ConfigError(format!("signing: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastmcp_auth::{JwtKey, JwtVerifier, TokenVerifier};

    #[tokio::test]
    async fn tokens_verify_against_the_published_keys_until_their_key_is_retired() {
        let keys = SigningKeys::new();
        keys.add_pem(
            "r1",
            "RS256",
            include_bytes!("../tests/fixtures/rsa.key.pem"),
        )
        .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = serde_json::json!({"iss": "https://as", "aud": "https://rs", "sub": "alice", "exp": now + 60});
        let old = keys.sign(&claims).unwrap();
        keys.add_pem(
            "e1",
            "ES256",
            include_bytes!("../tests/fixtures/ec256.key.pem"),
        )
        .unwrap();
        let new = keys.sign(&claims).unwrap();
        assert_eq!(
            jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
            Some("e1")
        );
        let jwks = serde_json::to_value(keys.jwks()).unwrap();
        let verifier = |i: usize| {
            let key = JwtKey::jwk(&jwks["keys"][i].to_string()).unwrap();
            let alg = match i {
                0 => jsonwebtoken::Algorithm::RS256,
                _ => jsonwebtoken::Algorithm::ES256,
            };
            JwtVerifier::builder()
                .key(key)
                .algorithms([alg])
                .issuer("https://as")
                .audience("https://rs")
                .build()
                .unwrap()
        };
        // Both keys are published: the old token verifies with the RSA key, the new with
        // the EC key.
        assert_eq!(
            verifier(0).verify(&old).await.unwrap().subject.as_deref(),
            Some("alice")
        );
        assert!(verifier(0).verify(&new).await.is_err());
        assert_eq!(
            verifier(1).verify(&new).await.unwrap().subject.as_deref(),
            Some("alice")
        );
        assert!(keys.retire("r1"));
        assert_eq!(keys.jwks().keys.len(), 1);
        assert!(keys.add_pem("x", "HS256", b"secret").is_err());
        assert!(keys.add_pem("x", "RS256", b"not a key").is_err());
    }
}
