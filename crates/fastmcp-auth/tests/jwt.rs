//! JwtVerifier with static keys: every algorithm family, the claims' rules, and the
//! classic attacks (`alg: none`, HMAC with a public key, algorithms off the list).

mod support;

use std::time::Duration;

use base64::Engine;
use fastmcp_auth::{Algorithm, JwtKey, JwtVerifier, TokenVerifier, VerifyError};
use jsonwebtoken::EncodingKey;
use serde_json::json;
use support::*;

fn verifier(alg: Algorithm) -> JwtVerifier {
    JwtVerifier::builder()
        .key(verifying_key(alg))
        .algorithms([alg])
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap()
}

fn is_invalid(r: Result<fastmcp_auth::AuthInfo, VerifyError>) -> bool {
    matches!(r, Err(VerifyError::Invalid(_)))
}

#[tokio::test]
async fn every_algorithm_is_accepted_with_its_key() {
    for alg in ALL {
        let who = verifier(alg)
            .verify(&mint(alg, None, &claims()))
            .await
            .unwrap_or_else(|e| panic!("{alg:?}: {e}"));
        assert_eq!(who.subject.as_deref(), Some("alice"), "{alg:?}");
        assert_eq!(who.client_id.as_deref(), Some("notes-app"));
        assert_eq!(who.scopes, ["notes:read", "notes:write"]);
        assert_eq!(who.audience, [AUD]);
        assert_eq!(who.issuer.as_deref(), Some(ISS));
        assert!(who.expires_at.unwrap() > now());
        assert!(who.claim("iat").is_some());
    }
}

#[tokio::test]
async fn a_key_checks_only_its_own_signatures() {
    let other = EncodingKey::from_rsa_pem(&fixture("rsa2.key.pem")).unwrap();
    let forged = mint_with(Algorithm::RS256, None, &claims(), &other);
    assert!(is_invalid(verifier(Algorithm::RS256).verify(&forged).await));
    let wrong_secret = EncodingKey::from_secret(b"another secret of thirty-two bytes");
    let forged = mint_with(Algorithm::HS256, None, &claims(), &wrong_secret);
    assert!(is_invalid(verifier(Algorithm::HS256).verify(&forged).await));
    for garbage in ["", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.e30"] {
        assert!(is_invalid(verifier(Algorithm::HS256).verify(garbage).await));
    }
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_invalid() {
    let v = verifier(Algorithm::ES256);
    let mut c = claims();
    c["exp"] = json!(now() - 3600);
    assert_eq!(
        v.verify(&mint(Algorithm::ES256, None, &c)).await,
        Err(VerifyError::Invalid("the token has expired".into()))
    );
    let mut c = claims();
    c["nbf"] = json!(now() + 3600);
    assert_eq!(
        v.verify(&mint(Algorithm::ES256, None, &c)).await,
        Err(VerifyError::Invalid(
            "the token is not valid yet (nbf)".into()
        ))
    );
    let mut c = claims();
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        v.verify(&mint(Algorithm::ES256, None, &c)).await,
        Err(VerifyError::Invalid("the token has no expiry".into()))
    );
}

#[tokio::test]
async fn leeway_is_honoured() {
    let alg = Algorithm::HS256;
    let strict = JwtVerifier::builder()
        .key(verifying_key(alg))
        .algorithms([alg])
        .audience(AUD)
        .leeway(Duration::ZERO)
        .build()
        .unwrap();
    // Expired 20 s ago, valid from 20 s on: inside the default 60 s, outside none.
    let mut late = claims();
    late["exp"] = json!(now() - 20);
    let mut early = claims();
    early["nbf"] = json!(now() + 20);
    for c in [late, early] {
        let token = mint(alg, None, &c);
        assert!(verifier(alg).verify(&token).await.is_ok());
        assert!(is_invalid(strict.verify(&token).await));
    }
}

#[tokio::test]
async fn issuer_and_audience_are_checked() {
    let v = verifier(Algorithm::EdDSA);
    let check = |c: serde_json::Value| {
        let token = mint(Algorithm::EdDSA, None, &c);
        let v = &v;
        async move { v.verify(&token).await }
    };
    let mut c = claims();
    c["iss"] = json!("https://evil.example.com/");
    assert_eq!(
        check(c).await,
        Err(VerifyError::Invalid(
            "the token is from another issuer".into()
        ))
    );
    let mut c = claims();
    c.as_object_mut().unwrap().remove("iss");
    assert_eq!(
        check(c).await,
        Err(VerifyError::Invalid("the token has no issuer".into()))
    );
    // A token minted for another resource.
    let mut c = claims();
    c["aud"] = json!("https://other.example.com/mcp");
    assert_eq!(
        check(c).await,
        Err(VerifyError::Invalid(
            "the token is for another audience".into()
        ))
    );
    let mut c = claims();
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        check(c).await,
        Err(VerifyError::Invalid("the token has no audience".into()))
    );
    let mut c = claims();
    c["aud"] = json!(["https://other.example.com/mcp", AUD]);
    assert!(check(c).await.is_ok());
}

#[tokio::test]
async fn several_audiences_are_accepted_and_one_is_required() {
    let alg = Algorithm::RS256;
    let v = JwtVerifier::builder()
        .key(verifying_key(alg))
        .algorithms([alg])
        .audience(AUD)
        .audience("https://mcp2.example.com/")
        .build()
        .unwrap();
    let mut c = claims();
    c["aud"] = json!("https://mcp2.example.com/");
    assert!(v.verify(&mint(alg, None, &c)).await.is_ok());
    assert!(v.verify(&mint(alg, None, &claims())).await.is_ok());
    let no_audience = JwtVerifier::builder()
        .key(verifying_key(alg))
        .algorithms([alg])
        .build();
    assert!(no_audience.is_err());
    let no_algorithms = JwtVerifier::builder()
        .key(verifying_key(alg))
        .audience(AUD)
        .build();
    assert!(no_algorithms.is_err());
}

fn b64(v: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

#[tokio::test]
async fn alg_none_is_refused() {
    for alg in ["none", "None", "NONE", ""] {
        let header = b64(&json!({"alg": alg, "typ": "JWT"}));
        let unsigned = format!("{header}.{}.", b64(&claims()));
        for v in [verifier(Algorithm::HS256), verifier(Algorithm::RS256)] {
            assert_eq!(
                v.verify(&unsigned).await,
                Err(VerifyError::Invalid("malformed JWT".into())),
                "{alg}"
            );
        }
    }
}

#[tokio::test]
async fn hmac_signed_with_the_public_key_is_refused() {
    // The classic confusion: the RSA public key's bytes as an HMAC secret.
    let public_pem = fixture("rsa.pub.pem");
    for alg in [Algorithm::HS256, Algorithm::HS512] {
        let forged = mint_with(alg, None, &claims(), &EncodingKey::from_secret(&public_pem));
        let v = JwtVerifier::builder()
            .key(JwtKey::rsa_pem(&public_pem).unwrap())
            .algorithms([Algorithm::RS256, Algorithm::PS256])
            .audience(AUD)
            .build()
            .unwrap();
        assert_eq!(
            v.verify(&forged).await,
            Err(VerifyError::Invalid(
                "the token's algorithm is not allowed".into()
            ))
        );
    }
    // Nor can such a verifier be configured: the key decides the algorithms.
    let mixed = JwtVerifier::builder()
        .key(JwtKey::rsa_pem(&public_pem).unwrap())
        .algorithms([Algorithm::RS256, Algorithm::HS256])
        .audience(AUD)
        .build();
    assert!(mixed.is_err());
    let asymmetric_with_secret = JwtVerifier::builder()
        .key(JwtKey::hmac(SECRET))
        .algorithms([Algorithm::RS256])
        .audience(AUD)
        .build();
    assert!(asymmetric_with_secret.is_err());
    let hmac_with_jwks = JwtVerifier::builder()
        .jwks_url("http://127.0.0.1:9/jwks")
        .algorithms([Algorithm::HS256])
        .audience(AUD)
        .build();
    assert!(hmac_with_jwks.is_err());
}

#[tokio::test]
async fn an_algorithm_off_the_list_is_refused() {
    // Signed with the right key, but PS256 is not on the list.
    let token = mint(Algorithm::PS256, None, &claims());
    assert_eq!(
        verifier(Algorithm::RS256).verify(&token).await,
        Err(VerifyError::Invalid(
            "the token's algorithm is not allowed".into()
        ))
    );
    let token = mint(Algorithm::HS512, None, &claims());
    assert!(is_invalid(verifier(Algorithm::HS256).verify(&token).await));
}

#[tokio::test]
async fn keys_from_a_jwk_and_der() {
    let jwk = jwk(Algorithm::ES256, "k1").to_string();
    let v = JwtVerifier::builder()
        .key(JwtKey::jwk(&jwk).unwrap())
        .algorithms([Algorithm::ES256])
        .audience(AUD)
        .build()
        .unwrap();
    assert!(v
        .verify(&mint(Algorithm::ES256, None, &claims()))
        .await
        .is_ok());
    let der = fixture("ed25519.pub.der");
    let v = JwtVerifier::builder()
        .key(JwtKey::ed_der(&der[der.len() - 32..]).unwrap())
        .algorithms([Algorithm::EdDSA])
        .audience(AUD)
        .build()
        .unwrap();
    assert!(v
        .verify(&mint(Algorithm::EdDSA, None, &claims()))
        .await
        .is_ok());
    let rsa = JwtKey::rsa_der(fixture("rsa.pub.pkcs1.der"));
    let spki = fixture("ec256.pub.der");
    let ec = JwtKey::ec_der(&spki[spki.len() - 65..]);
    for (key, alg) in [(rsa, Algorithm::PS384), (ec, Algorithm::ES256)] {
        let v = JwtVerifier::builder()
            .key(key)
            .algorithms([alg])
            .audience(AUD)
            .build()
            .unwrap();
        assert!(
            v.verify(&mint(alg, None, &claims())).await.is_ok(),
            "{alg:?}"
        );
    }
    assert!(JwtKey::jwk("{\"kty\": \"nope\"}").is_err());
    assert!(
        JwtKey::ed_der(&der).is_err(),
        "the whole SPKI is not the raw key"
    );
    assert!(JwtKey::jwk(r#"{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}"#).is_err());
}

#[test]
fn debug_never_shows_the_secret() {
    let v = verifier(Algorithm::HS256);
    let shown = format!("{v:?}");
    assert!(shown.contains("Hmac"), "{shown}");
    assert!(!shown.contains("test-only hmac secret"));
    assert!(!shown.contains(&format!("{:?}", SECRET)));
}
