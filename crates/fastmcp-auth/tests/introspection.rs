//! IntrospectionVerifier against an RFC 7662 endpoint served on 127.0.0.1: active and
//! inactive tokens, both client authentications, the cache, outages; and a chain of a JWT
//! verifier then introspection.

mod support;

use std::time::Duration;

use base64::Engine;
use fastmcp_auth::{
    Algorithm, ClientAuth, IntrospectionVerifier, JwtVerifier, TokenVerifier, Verifiers,
    VerifyError,
};
use serde_json::json;
use support::*;

fn active(exp: u64) -> serde_json::Value {
    json!({
        "active": true, "sub": "bob", "client_id": "cli", "scope": "notes:read",
        "aud": [AUD], "iss": ISS, "exp": exp,
    })
}

fn verifier(server: &Introspector) -> IntrospectionVerifier {
    IntrospectionVerifier::builder(&server.url)
        .client_credentials("mcp server", "s3cr:t")
        .build()
        .unwrap()
}

#[tokio::test]
async fn active_and_inactive_tokens() {
    let server = Introspector::start().await;
    server.answer("opaque-1", active(now() + 600));
    server.answer("opaque-2", json!({"active": false}));
    let v = verifier(&server);
    let who = v.verify("opaque-1").await.unwrap();
    assert_eq!(who.subject.as_deref(), Some("bob"));
    assert_eq!(who.client_id.as_deref(), Some("cli"));
    assert_eq!(who.scopes, ["notes:read"]);
    assert_eq!(who.audience, [AUD]);
    assert_eq!(who.issuer.as_deref(), Some(ISS));
    assert_eq!(
        who.expires_at,
        Some(now() + 600).filter(|e| who.expires_at.unwrap() <= *e)
    );
    assert_eq!(
        v.verify("opaque-2").await,
        Err(VerifyError::Invalid("the token is not active".into()))
    );
    assert!(matches!(
        v.verify("never-issued").await,
        Err(VerifyError::Invalid(_))
    ));
    // An "active" answer whose exp has passed is not trusted.
    server.answer("opaque-3", active(now() - 10));
    assert!(matches!(
        v.verify("opaque-3").await,
        Err(VerifyError::Invalid(_))
    ));
}

#[tokio::test]
async fn client_secret_basic_is_the_default() {
    let server = Introspector::start().await;
    server.answer("t", active(now() + 600));
    verifier(&server).verify("t").await.unwrap();
    let got = server.last();
    // RFC 6749 §2.3.1: the id and secret are form-encoded, then base64'd.
    let expected = base64::engine::general_purpose::STANDARD.encode("mcp+server:s3cr%3At");
    assert_eq!(got.authorization, Some(format!("Basic {expected}")));
    assert_eq!(got.form.get("token").map(String::as_str), Some("t"));
    assert_eq!(
        got.form.get("token_type_hint").map(String::as_str),
        Some("access_token")
    );
    assert!(!got.form.contains_key("client_secret"));
}

#[tokio::test]
async fn client_secret_post_sends_the_credentials_in_the_form() {
    let server = Introspector::start().await;
    server.answer("t", active(now() + 600));
    let v = IntrospectionVerifier::builder(&server.url)
        .client_credentials("mcp server", "s3cr:t")
        .client_auth(ClientAuth::Post)
        .build()
        .unwrap();
    v.verify("t").await.unwrap();
    let got = server.last();
    assert_eq!(got.authorization, None);
    assert_eq!(
        got.form.get("client_id").map(String::as_str),
        Some("mcp server")
    );
    assert_eq!(
        got.form.get("client_secret").map(String::as_str),
        Some("s3cr:t")
    );
    assert_eq!(got.form.get("token").map(String::as_str), Some("t"));
}

#[tokio::test]
async fn answers_are_cached_until_exp() {
    let server = Introspector::start().await;
    server.answer("short", active(now() + 3));
    server.answer("long", active(now() + 600));
    let v = verifier(&server);
    for _ in 0..3 {
        assert!(v.verify("long").await.is_ok());
    }
    assert_eq!(server.hits(), 1, "cached: the endpoint is asked once");
    assert!(v.verify("short").await.is_ok());
    assert!(v.verify("short").await.is_ok());
    assert_eq!(server.hits(), 2);
    // Past its exp, the token is asked about again (and the endpoint's answer judged).
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert!(matches!(
        v.verify("short").await,
        Err(VerifyError::Invalid(_))
    ));
    assert_eq!(server.hits(), 3);
    // Refusals are cached briefly too.
    assert!(v.verify("unknown").await.is_err());
    assert!(v.verify("unknown").await.is_err());
    assert_eq!(server.hits(), 4);
    // Revoked meanwhile: the cache still answers until exp (the price of caching).
    server.answer("long", json!({"active": false}));
    assert!(v.verify("long").await.is_ok());
    let uncached = IntrospectionVerifier::builder(&server.url)
        .cache_size(0)
        .build()
        .unwrap();
    assert!(matches!(
        uncached.verify("long").await,
        Err(VerifyError::Invalid(_))
    ));
}

#[tokio::test]
async fn the_audience_is_checked_when_set() {
    let server = Introspector::start().await;
    server.answer("mine", active(now() + 600));
    let mut other = active(now() + 600);
    other["aud"] = json!("https://other.example.com/mcp");
    server.answer("theirs", other);
    let v = IntrospectionVerifier::builder(&server.url)
        .audience(AUD)
        .build()
        .unwrap();
    assert!(v.verify("mine").await.is_ok());
    assert_eq!(
        v.verify("theirs").await,
        Err(VerifyError::Invalid(
            "the token is for another audience".into()
        ))
    );
}

#[tokio::test]
async fn an_endpoint_down_or_broken_is_unavailable() {
    let v = IntrospectionVerifier::builder(dead_url("/introspect").await)
        .build()
        .unwrap();
    assert!(matches!(
        v.verify("t").await,
        Err(VerifyError::Unavailable(_))
    ));

    let server = Introspector::start().await;
    server.answer("t", active(now() + 600));
    let v = verifier(&server);
    let big = format!("{{\"active\": true, \"pad\": \"{}\"}}", "x".repeat(100_000));
    for (status, body) in [
        (500, "{\"active\": true}"),
        (401, "{\"error\": \"invalid_client\"}"),
        (200, "not json"),
        (200, "{\"sub\": \"no active field\"}"),
        (200, big.as_str()),
    ] {
        server.break_with(Some((status, body)));
        assert!(
            matches!(v.verify("t").await, Err(VerifyError::Unavailable(_))),
            "{status} {body:.40}"
        );
    }
    // Not cached: once the endpoint is back, the token is accepted.
    server.break_with(None);
    assert!(v.verify("t").await.is_ok());
    assert_eq!(server.hits(), 6);
}

#[tokio::test]
async fn a_chain_of_jwt_then_introspection() {
    let server = Introspector::start().await;
    server.answer("opaque", active(now() + 600));
    let jwt = JwtVerifier::builder()
        .key(verifying_key(Algorithm::ES256))
        .algorithms([Algorithm::ES256])
        .audience(AUD)
        .build()
        .unwrap();
    let chain = Verifiers::new().with(jwt).with(verifier(&server));
    let who = chain
        .verify(&mint(Algorithm::ES256, None, &claims()))
        .await
        .unwrap();
    assert_eq!(who.subject.as_deref(), Some("alice"));
    assert_eq!(server.hits(), 0, "the JWT verifier answered");
    let who = chain.verify("opaque").await.unwrap();
    assert_eq!(who.subject.as_deref(), Some("bob"));
    assert_eq!(server.hits(), 1);
    assert!(matches!(
        chain.verify("forged").await,
        Err(VerifyError::Invalid(_))
    ));
    // The endpoint down: a token the JWT verifier refuses might still be good.
    server.break_with(Some((503, "")));
    assert!(matches!(
        chain.verify("other").await,
        Err(VerifyError::Unavailable(_))
    ));
}
