//! PKCE (RFC 7636) on the server's side: an authorization request must carry a `S256`
//! challenge (`plain` and no method are refused, as OAuth 2.1 and the MCP authorization
//! specification require), and the token request's verifier must hash to it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Why PKCE does not hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PkceError {
    /// The authorization request has no `code_challenge`.
    MissingChallenge,
    /// A method other than `S256` (or none, which means `plain`).
    MethodNotS256(String),
    /// The challenge is not 43 base64url characters (a SHA-256 digest).
    MalformedChallenge,
    /// The verifier is not 43 to 128 characters of `[A-Za-z0-9-._~]`.
    MalformedVerifier,
    /// The verifier does not hash to the challenge.
    Mismatch,
}

impl std::fmt::Display for PkceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PkceError::MissingChallenge => write!(f, "code_challenge is required (PKCE)"),
            PkceError::MethodNotS256(m) => {
                write!(f, "code_challenge_method must be S256, not {m:?}")
            }
            PkceError::MalformedChallenge => write!(f, "code_challenge is not a S256 challenge"),
            PkceError::MalformedVerifier => write!(f, "code_verifier is malformed"),
            PkceError::Mismatch => write!(f, "code_verifier does not match the code_challenge"),
        }
    }
}

impl std::error::Error for PkceError {}

/// Whether `a` and `b` are equal, in time that does not depend on where they differ
/// (secrets, digests, CSRF tokens).
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Check an authorization request's `code_challenge` and `code_challenge_method`; the
/// challenge to keep with the code.
///
/// ```
/// use fastmcp_auth_server::pkce::{check_challenge, PkceError};
/// let c = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// assert!(check_challenge(Some(c), Some("S256")).is_ok());
/// assert_eq!(check_challenge(Some(c), Some("plain")), Err(PkceError::MethodNotS256("plain".into())));
/// assert_eq!(check_challenge(Some(c), None), Err(PkceError::MethodNotS256("plain".into())));
/// assert_eq!(check_challenge(None, Some("S256")), Err(PkceError::MissingChallenge));
/// ```
pub fn check_challenge(challenge: Option<&str>, method: Option<&str>) -> Result<String, PkceError> {
    let challenge = challenge.ok_or(PkceError::MissingChallenge)?;
    let method = method.unwrap_or("plain");
    if method != "S256" {
        return Err(PkceError::MethodNotS256(method.to_owned()));
    }
    let ok = challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(PkceError::MalformedChallenge);
    }
    Ok(challenge.to_owned())
}

/// Check a token request's `code_verifier` against the challenge kept with the code
/// (compared in constant time).
///
/// ```
/// use fastmcp_auth_server::pkce::verify;
/// // RFC 7636, appendix B.
/// let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// assert!(verify(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").is_ok());
/// ```
pub fn verify(verifier: &str, challenge: &str) -> Result<(), PkceError> {
    let ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !ok {
        return Err(PkceError::MalformedVerifier);
    }
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if same(&digest, challenge) {
        Ok(())
    } else {
        Err(PkceError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn only_s256_with_a_well_formed_challenge_is_accepted() {
        assert_eq!(
            check_challenge(Some(CHALLENGE), Some("S256")).unwrap(),
            CHALLENGE
        );
        for (c, m, e) in [
            (None, Some("S256"), PkceError::MissingChallenge),
            (
                Some(CHALLENGE),
                None,
                PkceError::MethodNotS256("plain".into()),
            ),
            (
                Some(CHALLENGE),
                Some("plain"),
                PkceError::MethodNotS256("plain".into()),
            ),
            (
                Some(CHALLENGE),
                Some("s256"),
                PkceError::MethodNotS256("s256".into()),
            ),
            (Some("short"), Some("S256"), PkceError::MalformedChallenge),
            (
                Some(&"=".repeat(43)),
                Some("S256"),
                PkceError::MalformedChallenge,
            ),
        ] {
            assert_eq!(check_challenge(c, m), Err(e));
        }
    }

    #[test]
    fn the_verifier_must_be_well_formed_and_hash_to_the_challenge() {
        assert!(verify(VERIFIER, CHALLENGE).is_ok());
        assert_eq!(
            verify(&VERIFIER.replace('d', "e"), CHALLENGE),
            Err(PkceError::Mismatch)
        );
        assert_eq!(
            verify(CHALLENGE, CHALLENGE),
            Err(PkceError::Mismatch),
            "the challenge is not its own verifier"
        );
        assert_eq!(
            verify("short", CHALLENGE),
            Err(PkceError::MalformedVerifier)
        );
        assert_eq!(
            verify(&"a".repeat(129), CHALLENGE),
            Err(PkceError::MalformedVerifier)
        );
        assert_eq!(
            verify(&format!("{VERIFIER} "), CHALLENGE),
            Err(PkceError::MalformedVerifier)
        );
    }
}
