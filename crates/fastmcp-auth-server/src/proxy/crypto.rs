//! Upstream tokens at rest: AES-256-GCM (the `aes-gcm` crate), a random 96-bit nonce per
//! value, the key derived from the configured secret with SHA-256. What the store holds
//! is `base64url(nonce || ciphertext)`: unreadable without the key, and any change to it
//! fails the authentication tag.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Seals and opens values with one key.
#[derive(Clone)]
pub(crate) struct Sealer(Aes256Gcm);

impl Sealer {
    /// The key derived from `secret` (share it between replicas).
    pub fn new(secret: &[u8]) -> Self {
        let key = Sha256::digest(secret);
        Self(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)))
    }

    pub fn seal(&self, plain: &[u8]) -> Result<String, String> {
        let nonce: [u8; 12] = rand::random();
        let ct = self
            .0
            .encrypt(Nonce::from_slice(&nonce), plain)
            .map_err(|_| "cannot encrypt".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    pub fn open(&self, sealed: &str) -> Result<Vec<u8>, String> {
        let raw = URL_SAFE_NO_PAD
            .decode(sealed)
            .map_err(|_| "not a sealed value".to_owned())?;
        if raw.len() < 12 + 16 {
            return Err("not a sealed value".into());
        }
        let (nonce, ct) = raw.split_at(12);
        self.0
            .decrypt(Nonce::from_slice(nonce), ct)
            .map_err(|_| "cannot decrypt (another key, or the value was changed)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_only_and_unchanged() {
        let s = Sealer::new(b"secret one");
        let sealed = s.seal(b"gho_upstream-token").unwrap();
        assert!(!sealed.contains("gho_"), "not in clear");
        assert_ne!(
            sealed,
            s.seal(b"gho_upstream-token").unwrap(),
            "a fresh nonce each time"
        );
        assert_eq!(s.open(&sealed).unwrap(), b"gho_upstream-token");
        assert!(Sealer::new(b"secret two").open(&sealed).is_err());
        let mut raw = URL_SAFE_NO_PAD.decode(&sealed).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        assert!(s.open(&URL_SAFE_NO_PAD.encode(raw)).is_err(), "tampered");
        assert!(s.open("short").is_err());
    }
}
