//! The authorization server end to end over HTTP on 127.0.0.1: a user signs in on its
//! login form, consents on its page, the client exchanges the code (PKCE), refreshes, and
//! the tokens are accepted by the server's own verifier until their grant is revoked.

mod common;

use common::*;
use fastmcp_auth::TokenVerifier;
use serde_json::Value;

#[tokio::test]
async fn a_user_signs_in_consents_and_the_client_gets_tokens_with_oidc() {
    let (server, issuer) = serve(|b| b.openid(true)).await;
    let (verifier, challenge) = pkce();
    let b = browser();
    let url = authorize_url(
        &issuer,
        &challenge,
        &[("scope", "openid email notes:read"), ("nonce", "n-42")],
    );
    let page = to_consent(&b, &issuer, &url, "alice").await.unwrap();
    assert!(
        page.contains("Notes app") && page.contains("notes:read"),
        "{page}"
    );
    let back = consent(&b, &issuer, &page, "allow").await;
    assert!(back.starts_with(REDIRECT), "{back}");
    let q = query(&back);
    assert_eq!(q["state"], "st-1");
    assert_eq!(q["iss"], issuer, "RFC 9207");
    let (status, t) = exchange(&issuer, &q["code"], &verifier).await;
    assert_eq!(status, 200, "{t}");
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["scope"], "openid email notes:read");
    let access = t["access_token"].as_str().unwrap();
    let who = server.verifier().verify(access).await.unwrap();
    assert_eq!(who.subject.as_deref(), Some("alice"));
    assert_eq!(who.audience, [RESOURCE], "bound to the resource (RFC 8707)");
    assert_eq!(who.client_id.as_deref(), Some("app"));
    // The ID token: for the client, with the nonce and the email (the scope released it).
    let id = t["id_token"].as_str().expect("an ID token");
    let id = server
        .keys()
        .verify(id, &issuer, Some(&["app".into()]))
        .unwrap();
    assert_eq!(id["nonce"], "n-42");
    assert_eq!(id["email"], "alice@example.com");
    assert!(id.get("name").is_none(), "profile was not asked for");
    let info: Value = reqwest::Client::new()
        .get(format!("{issuer}/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sub"], "alice");
    assert_eq!(info["email"], "alice@example.com");
    // Discovery.
    let d: Value = reqwest::get(format!("{issuer}/.well-known/openid-configuration"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(d["userinfo_endpoint"], format!("{issuer}/userinfo"));
    assert_eq!(d["id_token_signing_alg_values_supported"][0], "RS256");
    // Consent is remembered: the next request goes straight back with a code.
    let (_, challenge2) = pkce();
    let again = to_consent(
        &b,
        &issuer,
        &authorize_url(&issuer, &challenge2, &[("scope", "notes:read")]),
        "alice",
    )
    .await;
    assert!(again.unwrap_err().starts_with(REDIRECT));
    // Unless the client asks again.
    let forced = authorize_url(
        &issuer,
        &challenge2,
        &[("scope", "notes:read"), ("prompt", "consent")],
    );
    assert!(to_consent(&b, &issuer, &forced, "alice").await.is_ok());
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reuse_revokes_every_token_of_the_grant() {
    let (server, issuer) = serve(|b| b).await;
    let (verifier, challenge) = pkce();
    let b = browser();
    let back = log_in(
        &b,
        &issuer,
        &authorize_url(&issuer, &challenge, &[("scope", "notes:read notes:write")]),
        "bob",
    )
    .await;
    let (_, t1) = exchange(&issuer, &query(&back)["code"], &verifier).await;
    let r1 = t1["refresh_token"].as_str().unwrap().to_owned();
    let refresh = |rt: String, scope: Option<&'static str>| {
        let issuer = issuer.clone();
        async move {
            let mut f = vec![
                ("grant_type", "refresh_token".to_owned()),
                ("client_id", "app".into()),
                ("refresh_token", rt),
            ];
            if let Some(s) = scope {
                f.push(("scope", s.into()));
            }
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            token(&issuer, &f).await
        }
    };
    let (status, t2) = refresh(r1.clone(), Some("notes:read")).await;
    assert_eq!(status, 200, "{t2}");
    assert_eq!(t2["scope"], "notes:read", "down-scoped");
    let (status, e) = refresh(r1.clone(), None).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("invalid_grant")),
        "r1 was rotated"
    );
    let (status, _) = refresh(t2["refresh_token"].as_str().unwrap().to_owned(), None).await;
    assert_eq!(status, 400, "the reuse revoked the family: r2 is dead too");
    let v = server.verifier();
    assert!(
        v.verify(t2["access_token"].as_str().unwrap())
            .await
            .is_err(),
        "and its access tokens"
    );
    assert!(v
        .verify(t1["access_token"].as_str().unwrap())
        .await
        .is_err());
    let (status, e) = refresh(r1, Some("admin")).await;
    assert_eq!(status, 400, "{e}");
}

#[tokio::test]
async fn client_credentials_and_client_authentication() {
    let (server, issuer) = serve(|b| b).await;
    let http = reqwest::Client::new();
    let basic = http
        .post(format!("{issuer}/token"))
        .basic_auth("svc", Some("s3cret"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "notes:read"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    let t: Value = basic.json().await.unwrap();
    assert!(t.get("refresh_token").is_none());
    let who = server
        .verifier()
        .verify(t["access_token"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(who.subject.as_deref(), Some("svc"));
    let (status, _) = token(
        &issuer,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "svc"),
            ("client_secret", "s3cret"),
        ],
    )
    .await;
    assert_eq!(status, 200, "client_secret_post");
    let wrong = http
        .post(format!("{issuer}/token"))
        .basic_auth("svc", Some("guess"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    for (form, code) in [
        (
            vec![("grant_type", "client_credentials"), ("client_id", "svc")],
            "invalid_client",
        ),
        (
            vec![("grant_type", "client_credentials"), ("client_id", "app")],
            "unauthorized_client",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "app"),
                ("client_secret", "x"),
            ],
            "invalid_client",
        ),
        (
            vec![("grant_type", "password"), ("client_id", "app")],
            "unsupported_grant_type",
        ),
        (vec![("client_id", "app")], "invalid_request"),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
                ("client_id", "svc"),
            ],
            "invalid_request",
        ),
        (
            vec![
                ("grant_type", "client_credentials"),
                ("client_id", "svc"),
                ("client_secret", "s3cret"),
                ("scope", "admin"),
            ],
            "invalid_scope",
        ),
        (
            vec![("grant_type", "authorization_code"), ("client_id", "app")],
            "invalid_request",
        ),
    ] {
        let (_, e) = token(&issuer, &form).await;
        assert_eq!(e["error"], code, "{form:?}");
    }
}

#[tokio::test]
async fn revocation_ends_the_grant_and_reveals_nothing() {
    let (server, issuer) = serve(|b| b).await;
    let (verifier, challenge) = pkce();
    let back = log_in(
        &browser(),
        &issuer,
        &authorize_url(&issuer, &challenge, &[]),
        "carol",
    )
    .await;
    let (_, t) = exchange(&issuer, &query(&back)["code"], &verifier).await;
    let access = t["access_token"].as_str().unwrap();
    let v = server.verifier();
    assert!(v.verify(access).await.is_ok());
    let revoke = |token: String, client: &'static str| {
        let issuer = issuer.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{issuer}/revoke"))
                .form(&[("token", token.as_str()), ("client_id", client)])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(revoke("never-issued".into(), "app").await, 200);
    assert_eq!(
        revoke(access.into(), "svc").await,
        401,
        "svc must authenticate"
    );
    assert!(
        v.verify(access).await.is_ok(),
        "nothing revoked by a failed request"
    );
    assert_eq!(
        revoke(t["refresh_token"].as_str().unwrap().into(), "app").await,
        200
    );
    assert!(
        v.verify(access).await.is_err(),
        "the refresh token's grant is revoked, access tokens included"
    );
}

#[tokio::test]
async fn dynamic_registration_then_login() {
    let (_, issuer) = serve(|b| {
        b.dynamic_registration(
            fastmcp_auth_server::RegistrationPolicy::default().check(|m| {
                match m.client_name.as_deref() {
                    Some("blocked") => Err("this client is not welcome".into()),
                    _ => Ok(()),
                }
            }),
        )
    })
    .await;
    let http = reqwest::Client::new();
    let reg = |body: Value| {
        let (http, issuer) = (http.clone(), issuer.clone());
        async move {
            let r = http
                .post(format!("{issuer}/register"))
                .json(&body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, c) = reg(serde_json::json!({
        "redirect_uris": ["http://127.0.0.1:7777/cb"], "client_name": "Tool",
        "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "refresh_token"],
    }))
    .await;
    assert_eq!(status, 201, "{c}");
    let client_id = c["client_id"].as_str().unwrap().to_owned();
    assert!(c.get("client_secret").is_none());
    let (status, e) = reg(serde_json::json!({"redirect_uris": ["http://evil.example/cb"], "token_endpoint_auth_method": "none"})).await;
    assert_eq!(
        (status, e["error"].as_str()),
        (400, Some("invalid_redirect_uri"))
    );
    let (status, e) = reg(
        serde_json::json!({"redirect_uris": ["https://a.example/cb"], "client_name": "blocked"}),
    )
    .await;
    assert_eq!(
        (status, e["error_description"].as_str()),
        (400, Some("this client is not welcome"))
    );
    let (status, _) = reg(serde_json::json!("not an object")).await;
    assert_eq!(status, 400);
    let big = serde_json::json!({"redirect_uris": ["https://a.example/cb"], "client_name": "x".repeat(100_000)});
    let r = http
        .post(format!("{issuer}/register"))
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413, "the body limit");
    // The registered client logs in, on a loopback port of its choosing.
    let (verifier, challenge) = pkce();
    let url = format!(
        "{issuer}/authorize?response_type=code&client_id={client_id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555%2Fcb&code_challenge={challenge}&code_challenge_method=S256"
    );
    let back = log_in(&browser(), &issuer, &url, "dan").await;
    assert!(back.starts_with("http://127.0.0.1:5555/cb?code="), "{back}");
    let (status, t) = token(
        &issuer,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &query(&back)["code"]),
            ("redirect_uri", "http://127.0.0.1:5555/cb"),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
}

#[tokio::test]
async fn the_metadata_of_an_issuer_with_a_path() {
    let (server, issuer) = serve_at("/auth", |b| b).await;
    let url = issuer.replace("/auth", "/.well-known/oauth-authorization-server/auth");
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let m: Value = r.json().await.unwrap();
    assert_eq!(m, server.metadata());
    assert_eq!(m["issuer"], issuer);
    assert_eq!(m["token_endpoint"], format!("{issuer}/token"));
    assert_eq!(
        m["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(m["authorization_response_iss_parameter_supported"], true);
    assert_eq!(m["client_id_metadata_document_supported"], false);
    let jwks: Value = reqwest::get(format!("{issuer}/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks["keys"][0]["kid"], "k1");
    // And the whole login works under the path.
    let (verifier, challenge) = pkce();
    let back = log_in(
        &browser(),
        &issuer,
        &authorize_url(&issuer, &challenge, &[]),
        "erin",
    )
    .await;
    let (status, _) = exchange(&issuer, &query(&back)["code"], &verifier).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_server_for_confidential_clients_only_refuses_public_ones() {
    let (server, issuer) = serve(|b| {
        b.client_auth_methods(&["client_secret_basic"])
            .dynamic_registration(Default::default())
    })
    .await;
    assert_eq!(
        server.metadata()["token_endpoint_auth_methods_supported"],
        serde_json::json!(["client_secret_basic"])
    );
    let (status, e) = token(
        &issuer,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "app"),
            ("refresh_token", "x.y"),
        ],
    )
    .await;
    assert_eq!((status, e["error"].as_str()), (401, Some("invalid_client")));
    let (status, e) = token(
        &issuer,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "svc"),
            ("client_secret", "s3cret"),
        ],
    )
    .await;
    assert_eq!(
        (status, e["error"].as_str()),
        (401, Some("invalid_client")),
        "post is not accepted either"
    );
    let r = reqwest::Client::new()
        .post(format!("{issuer}/token"))
        .basic_auth("svc", Some("s3cret"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = reqwest::Client::new()
        .post(format!("{issuer}/register"))
        .json(&serde_json::json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let bad = fastmcp_auth_server::AuthorizationServer::builder(&issuer)
        .signing_key("k1", "RS256", include_bytes!("fixtures/rsa.key.pem"))
        .authenticator(login())
        .client_auth_methods(&["private_key_jwt"])
        .build();
    assert!(bad.err().unwrap().to_string().contains("private_key_jwt"));
}
