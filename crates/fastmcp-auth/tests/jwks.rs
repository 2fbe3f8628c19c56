//! JwtVerifier with a JWKS served on 127.0.0.1: refresh for unknown kids, key rotation,
//! floods, outages, back-off and Cache-Control, counting the fetches on the server.

mod support;

use std::sync::Arc;
use std::time::Duration;

use fastmcp_auth::{Algorithm, JwksOptions, JwtVerifier, TokenVerifier, VerifyError};
use serde_json::{json, Value};
use support::*;

const ASYMMETRIC: [Algorithm; 5] = [
    Algorithm::RS256,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

fn all_keys() -> Vec<Value> {
    vec![
        jwk(Algorithm::RS256, "rsa"),
        jwk(Algorithm::ES256, "ec256"),
        jwk(Algorithm::ES384, "ec384"),
        jwk(Algorithm::EdDSA, "ed"),
    ]
}

fn kid(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ec256",
        Algorithm::ES384 => "ec384",
        Algorithm::EdDSA => "ed",
        _ => "rsa",
    }
}

fn verifier(opts: JwksOptions) -> JwtVerifier {
    JwtVerifier::builder()
        .jwks(opts)
        .algorithms(ASYMMETRIC)
        .issuer(ISS)
        .audience(AUD)
        .build()
        .unwrap()
}

#[tokio::test]
async fn every_family_is_checked_with_the_key_of_its_kid() {
    let server = JwksServer::start(all_keys()).await;
    let v = verifier(JwksOptions::new(&server.url));
    for alg in ASYMMETRIC {
        let who = v.verify(&mint(alg, Some(kid(alg)), &claims())).await;
        assert_eq!(who.unwrap().subject.as_deref(), Some("alice"), "{alg:?}");
    }
    // A kid naming a key of another family: no key fits.
    let token = mint(Algorithm::ES256, Some("rsa"), &claims());
    assert!(matches!(
        v.verify(&token).await,
        Err(VerifyError::Invalid(_))
    ));
    assert_eq!(server.hits(), 1, "one fetch, the set cached");
}

#[tokio::test]
async fn a_token_without_kid_uses_the_one_key_that_fits() {
    let server = JwksServer::start(all_keys()).await;
    let v = verifier(JwksOptions::new(&server.url));
    let token = mint(Algorithm::EdDSA, None, &claims());
    assert!(v.verify(&token).await.is_ok());
    // Two RSA keys: a kid-less RS256 token is ambiguous.
    server.set_keys(vec![jwk(Algorithm::RS256, "a"), jwk(Algorithm::RS256, "b")]);
    let v = verifier(JwksOptions::new(&server.url));
    let token = mint(Algorithm::RS256, None, &claims());
    assert!(matches!(
        v.verify(&token).await,
        Err(VerifyError::Invalid(_))
    ));
}

#[tokio::test]
async fn an_unknown_kid_is_invalid_after_one_refresh() {
    let server = JwksServer::start(all_keys()).await;
    let v = verifier(JwksOptions::new(&server.url).refresh_cooldown(Duration::ZERO));
    assert!(v
        .verify(&mint(Algorithm::RS256, Some("rsa"), &claims()))
        .await
        .is_ok());
    assert_eq!(server.hits(), 1);
    let token = mint(Algorithm::RS256, Some("nobody"), &claims());
    assert_eq!(
        v.verify(&token).await,
        Err(VerifyError::Invalid(
            "no key of the key set has the token's kid".into()
        ))
    );
    assert_eq!(server.hits(), 2, "exactly one refresh");
}

#[tokio::test]
async fn a_rotated_key_is_accepted_after_one_refresh() {
    let cooldown = Duration::from_secs(2);
    let server = JwksServer::start(vec![jwk(Algorithm::RS256, "old")]).await;
    let v = verifier(JwksOptions::new(&server.url).refresh_cooldown(cooldown));
    assert!(v
        .verify(&mint(Algorithm::RS256, Some("old"), &claims()))
        .await
        .is_ok());
    // The issuer rotates: the new key (another RSA key) appears under a new kid.
    let rsa2 = jsonwebtoken::EncodingKey::from_rsa_pem(&fixture("rsa2.key.pem")).unwrap();
    let mut new_jwk = serde_json::to_value(
        jsonwebtoken::jwk::Jwk::from_encoding_key(&rsa2, Algorithm::RS256).unwrap(),
    )
    .unwrap();
    new_jwk["kid"] = json!("new");
    server.set_keys(vec![jwk(Algorithm::RS256, "old"), new_jwk]);
    let token = mint_with(Algorithm::RS256, Some("new"), &claims(), &rsa2);
    tokio::time::sleep(cooldown + Duration::from_millis(200)).await;
    assert!(v.verify(&token).await.is_ok());
    assert_eq!(server.hits(), 2, "one refresh brought the new key");
    assert!(v.verify(&token).await.is_ok());
    assert!(v
        .verify(&mint(Algorithm::RS256, Some("old"), &claims()))
        .await
        .is_ok());
    assert_eq!(server.hits(), 2);
}

async fn flood(v: &Arc<JwtVerifier>, n: usize, tag: &str) {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let v = v.clone();
            let token = mint(Algorithm::ES256, Some(&format!("{tag}-{i}")), &claims());
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect();
    for t in tasks {
        assert!(matches!(t.await.unwrap(), Err(VerifyError::Invalid(_))));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_unknown_kids_fetches_at_most_once_per_period() {
    let server = JwksServer::start(all_keys()).await;
    // A slow endpoint: the verifications wait for the one fetch in flight.
    server.set(|r| r.delay = Duration::from_millis(200));
    let v = Arc::new(verifier(JwksOptions::new(&server.url)));
    flood(&v, 200, "a").await;
    assert_eq!(server.hits(), 1, "a cold flood: one fetch");
    flood(&v, 200, "b").await;
    assert_eq!(server.hits(), 1, "within the cool-down: no refresh");
    assert!(v
        .verify(&mint(Algorithm::ES256, Some("ec256"), &claims()))
        .await
        .is_ok());

    // After the cool-down, one refresh per period however many unknown kids come.
    let period = Duration::from_secs(1);
    let server = JwksServer::start(all_keys()).await;
    let v = Arc::new(verifier(
        JwksOptions::new(&server.url).refresh_cooldown(period),
    ));
    assert!(v
        .verify(&mint(Algorithm::ES256, Some("ec256"), &claims()))
        .await
        .is_ok());
    tokio::time::sleep(period + Duration::from_millis(100)).await;
    let start = std::time::Instant::now();
    flood(&v, 200, "c").await;
    let periods = start.elapsed().as_secs_f64() / period.as_secs_f64();
    let refreshes = server.hits() - 1;
    assert!(refreshes >= 1, "the cool-down had passed: one refresh");
    assert!(
        refreshes as f64 <= 1.0 + periods.floor(),
        "{refreshes} refreshes in {periods:.2} periods"
    );
}

#[tokio::test]
async fn an_unreachable_jwks_is_unavailable() {
    let v = verifier(JwksOptions::new(dead_url("/jwks").await));
    let token = mint(Algorithm::RS256, Some("rsa"), &claims());
    assert!(matches!(
        v.verify(&token).await,
        Err(VerifyError::Unavailable(_))
    ));

    // An error status: unavailable, and no new fetch during the back-off.
    let server = JwksServer::start(all_keys()).await;
    server.set(|r| r.status = 500);
    let v = verifier(
        JwksOptions::new(&server.url).backoff(Duration::from_secs(60), Duration::from_secs(60)),
    );
    for _ in 0..5 {
        assert!(matches!(
            v.verify(&token).await,
            Err(VerifyError::Unavailable(_))
        ));
    }
    assert_eq!(server.hits(), 1, "backing off");

    // Garbage, and a set over the size limit.
    for body in ["<html>", "{\"keys\": 5}"] {
        server.set(|r| {
            r.status = 200;
            r.body = body.into();
        });
        let v = verifier(JwksOptions::new(&server.url));
        assert!(
            matches!(v.verify(&token).await, Err(VerifyError::Unavailable(_))),
            "{body}"
        );
    }
    server.set_keys(all_keys());
    let v = verifier(JwksOptions::new(&server.url).max_bytes(256));
    assert!(matches!(
        v.verify(&token).await,
        Err(VerifyError::Unavailable(_))
    ));
    let v = verifier(JwksOptions::new(&server.url));
    assert!(v.verify(&token).await.is_ok());
}

#[tokio::test]
async fn cached_keys_keep_working_while_the_endpoint_is_down() {
    let server = JwksServer::start(all_keys()).await;
    let v = verifier(JwksOptions::new(&server.url).ttl(Duration::from_millis(100)));
    let token = mint(Algorithm::ES384, Some("ec384"), &claims());
    assert!(v.verify(&token).await.is_ok());
    server.set(|r| r.status = 503);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The set expired: a fetch is tried, fails, and the known keys still verify.
    assert!(v.verify(&token).await.is_ok());
    assert_eq!(server.hits(), 2);
    assert!(v.verify(&token).await.is_ok());
    assert_eq!(server.hits(), 2, "backing off");
    // A kid nobody knows while the set cannot be refreshed: maybe a new key.
    let unknown = mint(Algorithm::ES384, Some("new"), &claims());
    assert!(matches!(
        v.verify(&unknown).await,
        Err(VerifyError::Unavailable(_))
    ));
    // A bad token is still refused as such.
    let mut c = claims();
    c["aud"] = json!("https://other.example.com/");
    let wrong = mint(Algorithm::ES384, Some("ec384"), &c);
    assert!(matches!(
        v.verify(&wrong).await,
        Err(VerifyError::Invalid(_))
    ));
}

#[tokio::test]
async fn cache_control_max_age_is_respected_within_bounds() {
    let server = JwksServer::start(all_keys()).await;
    server.set(|r| r.cache_control = Some("public, max-age=1".into()));
    let opts = JwksOptions::new(&server.url)
        .max_age_bounds(Duration::from_secs(1), Duration::from_secs(3600));
    let v = verifier(opts);
    let token = mint(Algorithm::RS256, Some("rsa"), &claims());
    assert!(v.verify(&token).await.is_ok());
    assert!(v.verify(&token).await.is_ok());
    assert_eq!(server.hits(), 1);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(v.verify(&token).await.is_ok());
    assert_eq!(server.hits(), 2, "refetched after max-age");

    // max-age=0 is held to the lower bound (30 s by default): no fetch per token.
    let server = JwksServer::start(all_keys()).await;
    server.set(|r| r.cache_control = Some("max-age=0".into()));
    let v = verifier(JwksOptions::new(&server.url));
    for _ in 0..3 {
        assert!(v.verify(&token).await.is_ok());
    }
    assert_eq!(server.hits(), 1);
}

#[tokio::test]
async fn hostile_keys_in_the_set_refuse_tokens_without_panicking() {
    let server = JwksServer::start(vec![
        json!({"kty": "RSA", "kid": "rsa", "n": "AA", "e": "AQAB"}),
        json!({"kty": "EC", "kid": "ec256", "crv": "P-256", "x": "AA", "y": "AA"}),
        json!({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "AAAA"}),
        json!({"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}),
        json!({"kty": "RSA", "kid": "x", "n": 5}),
        json!("not a key"),
    ])
    .await;
    let v = verifier(JwksOptions::new(&server.url));
    for alg in ASYMMETRIC {
        let token = mint(alg, Some(kid(alg)), &claims());
        assert!(
            matches!(v.verify(&token).await, Err(VerifyError::Invalid(_))),
            "{alg:?}"
        );
    }
    // The symmetric key of the set is never used, whatever the token says.
    let hs = mint_with(
        Algorithm::HS256,
        Some("hmac"),
        &claims(),
        &jsonwebtoken::EncodingKey::from_secret(b"secret"),
    );
    assert!(matches!(v.verify(&hs).await, Err(VerifyError::Invalid(_))));
}
