//! Tokens never appear in logs, errors or Debug output: every event (at TRACE, including
//! reqwest's and hyper's) is captured while good and bad tokens are verified.

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use fastmcp_auth::{
    Algorithm, IntrospectionVerifier, JwksOptions, JwtVerifier, TokenVerifier, Verifiers,
};
use serde_json::json;
use support::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_appear_in_logs_or_errors() {
    let log = Captured::default();
    let writer = log.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let jwks = JwksServer::start(vec![jwk(Algorithm::ES256, "ec")]).await;
    let introspector = Introspector::start().await;
    let jwt = JwtVerifier::builder()
        .jwks(JwksOptions::new(&jwks.url))
        .algorithms([Algorithm::ES256])
        .audience(AUD)
        .build()
        .unwrap();
    let introspection = IntrospectionVerifier::builder(&introspector.url)
        .client_credentials("mcp", "client-secret-value")
        .build()
        .unwrap();
    let chain = Verifiers::new().with(jwt).with(introspection);

    let mut other_aud = claims();
    other_aud["aud"] = json!("https://other.example.com/");
    let mut expired = claims();
    expired["exp"] = json!(now() - 3600);
    let tokens = [
        mint(Algorithm::ES256, Some("ec"), &claims()),
        mint(Algorithm::ES256, Some("ec"), &other_aud),
        mint(Algorithm::ES256, Some("ec"), &expired),
        mint(Algorithm::ES256, Some("unknown-kid"), &claims()),
        mint(Algorithm::HS256, None, &claims()),
        "opaque-good-token-5d1c".to_owned(),
        "opaque-inactive-token-91be".to_owned(),
        "opaque-while-down-token-3f07".to_owned(),
    ];
    introspector.answer(
        &tokens[5],
        json!({"active": true, "sub": "bob", "exp": now() + 60}),
    );

    let mut shown = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i == 7 {
            introspector.break_with(Some((500, "boom")));
        }
        let answer = chain.verify(token).await;
        shown += &format!("{answer:?} ");
        if let Err(e) = answer {
            shown += &format!("{e} ");
        }
    }
    shown += &format!("{chain:?}");
    assert!(chain.verify(&tokens[0]).await.is_ok());

    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    // The capture works: the refusals and the outage were logged.
    assert!(logged.contains("JWT refused"), "{logged}");
    assert!(logged.contains("introspection refused the token"));
    assert!(logged.contains("cannot introspect"));
    for token in &tokens {
        // The whole token, and each part of a JWT (its signature above all).
        let parts = token.split('.').filter(|p| p.len() >= 16);
        for needle in std::iter::once(token.as_str()).chain(parts) {
            assert!(!logged.contains(needle), "logged: {needle}");
            assert!(!shown.contains(needle), "shown: {needle}");
        }
    }
    assert!(!logged.contains("client-secret-value"));
    assert!(!shown.contains("client-secret-value"));
}
