//! RFC 9700 and the MCP security best practices, each attack refused over real HTTP.

mod common;

use axum::routing::get;
use common::*;
use fastmcp_auth::TokenVerifier;
use fastmcp_auth_server::{CimdOptions, RegisteredClient};

#[tokio::test]
async fn pkce_is_required_and_plain_is_refused() {
    let (_, issuer) = serve(|b| b).await;
    let (_, challenge) = pkce();
    let b = browser();
    for url in [
        authorize_url(&issuer, &challenge, &[]).replace(
            "&code_challenge_method=S256",
            "&code_challenge_method=plain",
        ),
        authorize_url(&issuer, &challenge, &[])
            .replace(&format!("&code_challenge={challenge}"), ""),
        authorize_url(&issuer, &challenge, &[]).replace("&code_challenge_method=S256", ""),
    ] {
        let r = b.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 303, "{url}");
        let back = location(&r);
        assert!(back.starts_with(REDIRECT), "{back}");
        let q = query(&back);
        assert_eq!(q["error"], "invalid_request");
        assert_eq!(q["state"], "st-1");
        assert_eq!(q["iss"], issuer);
        assert!(!q.contains_key("code"));
    }
}

#[tokio::test]
async fn a_replayed_code_is_refused_and_revokes_what_the_first_exchange_issued() {
    let (server, issuer) = serve(|b| b).await;
    let (verifier, challenge) = pkce();
    let back = log_in(
        &browser(),
        &issuer,
        &authorize_url(&issuer, &challenge, &[]),
        "alice",
    )
    .await;
    let code = query(&back)["code"].clone();
    let (status, first) = exchange(&issuer, &code, &verifier).await;
    assert_eq!(status, 200);
    let (status, e) = exchange(&issuer, &code, &verifier).await;
    assert_eq!((status, e["error"].as_str()), (400, Some("invalid_grant")));
    assert!(server
        .verifier()
        .verify(first["access_token"].as_str().unwrap())
        .await
        .is_err());
    let (status, _) = token(
        &issuer,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "app"),
            ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 400, "the first exchange's refresh token is revoked");
    // A wrong verifier is refused too (and the code is spent).
    let (verifier2, challenge2) = pkce();
    let back = log_in(
        &browser(),
        &issuer,
        &authorize_url(&issuer, &challenge2, &[]),
        "alice",
    )
    .await;
    let (status, _) = exchange(
        &issuer,
        &query(&back)["code"],
        &verifier2.replace(|c: char| c.is_ascii_digit(), "x"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn redirect_uris_that_differ_are_shown_an_error_never_redirected_to() {
    let (_, issuer) =
        serve(|b| b.client(RegisteredClient::public("web", &["https://app.example/cb"]))).await;
    let (_, challenge) = pkce();
    let b = browser();
    for (client, uri) in [
        ("web", "https://app.example/cb/other"),          // path
        ("web", "https://app.example:8443/cb"),           // port, not loopback
        ("web", "https://user@app.example/cb"),           // userinfo
        ("web", "https://app.example\\@evil.example/cb"), // backslash
        ("web", "https://app.example/x/../cb"),           // dot-segments
        ("web", "https://app.example/%2e%2e/cb"),         // encoded dot-segments
        ("web", "https://app.example/cb?next=https://evil.example"), // open redirect
        ("web", "https://evil.example/cb"),
        ("app", "http://127.0.0.1:4567/callback/../x"),
        ("app", "http://localhost:4567/callback"),
    ] {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("response_type", "code")
            .append_pair("client_id", client)
            .append_pair("redirect_uri", uri)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", "s");
        let r = b
            .get(format!("{issuer}/authorize?{}", q.finish()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{uri}");
        assert!(r.headers().get("location").is_none(), "{uri}");
        assert!(r.text().await.unwrap().contains("redirect_uri"));
    }
}

#[tokio::test]
async fn consent_needs_its_csrf_token_and_its_user() {
    let (_, issuer) = serve(|b| b).await;
    let (_, challenge) = pkce();
    let url = authorize_url(&issuer, &challenge, &[]);
    let alice = browser();
    let page = to_consent(&alice, &issuer, &url, "alice").await.unwrap();
    let txn = hidden(&page, "txn").unwrap();
    // The page cannot be framed.
    let r = alice.get(&url).send().await.unwrap();
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    // Without the CSRF token (a cross-site form post): refused, and the request is spent.
    let r = alice
        .post(format!("{issuer}/consent"))
        .form(&[("txn", txn.as_str()), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("location").is_none());
    let r = alice
        .post(format!("{issuer}/consent"))
        .form(&[
            ("txn", txn.as_str()),
            ("csrf", &hidden(&page, "csrf").unwrap()),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400, "a pending request is answered once");
    // A wrong token.
    let page = to_consent(&alice, &issuer, &url, "alice").await.unwrap();
    let r = alice
        .post(format!("{issuer}/consent"))
        .form(&[
            ("txn", hidden(&page, "txn").unwrap().as_str()),
            ("csrf", "guess"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Another signed-in user submitting alice's page (with its token) is refused.
    let page = to_consent(&alice, &issuer, &url, "alice").await.unwrap();
    let mallory = browser();
    let _ = to_consent(&mallory, &issuer, &url, "mallory")
        .await
        .unwrap();
    let r = mallory
        .post(format!("{issuer}/consent"))
        .form(&[
            ("txn", hidden(&page, "txn").unwrap()),
            ("csrf", hidden(&page, "csrf").unwrap()),
            ("decision", "allow".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Deny goes back with access_denied.
    let page = to_consent(&alice, &issuer, &url, "alice").await.unwrap();
    let back = consent(&alice, &issuer, &page, "deny").await;
    assert_eq!(query(&back)["error"], "access_denied");
}

async fn authorize_status(issuer: &str, client_id: &str) -> (u16, String) {
    let (_, challenge) = pkce();
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", "http://127.0.0.1:4567/callback")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let r = browser()
        .get(format!("{issuer}/authorize?{}", q.finish()))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn client_metadata_documents_are_fetched_behind_ssrf_guards() {
    // Documents served on loopback: good, too large, redirecting.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let docs = format!("http://{}", listener.local_addr().unwrap());
    let (good, big) = (format!("{docs}/good.json"), format!("{docs}/big.json"));
    let doc = |id: &str, pad: usize| {
        serde_json::json!({"client_id": id, "client_name": "Doc client", "redirect_uris": [REDIRECT],
            "token_endpoint_auth_method": "none", "padding": "x".repeat(pad)})
        .to_string()
    };
    let (g, bg) = (doc(&good, 0), doc(&big, 20_000));
    let app = axum::Router::new()
        .route("/good.json", get(move || async move { g }))
        .route("/big.json", get(move || async move { bg }))
        .route(
            "/moved.json",
            get(|| async { axum::response::Redirect::temporary("/good.json") }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let (prod, prod_issuer) =
        serve(|b| b.client_id_metadata_documents(CimdOptions::default())).await;
    assert_eq!(
        prod.metadata()["client_id_metadata_document_supported"],
        true
    );
    for id in [
        "https://localhost/client.json".to_owned(), // resolves to 127.0.0.1
        "https://169.254.169.254/client.json".to_owned(), // the cloud metadata service
        "https://10.0.0.1/client.json".to_owned(),
        "https://[::1]/client.json".to_owned(),
        good.clone(), // plain http
    ] {
        let (status, body) = authorize_status(&prod_issuer, &id).await;
        assert_eq!(status, 400, "{id}: {body}");
    }
    let (status, body) =
        authorize_status(&prod_issuer, "https://169.254.169.254/client.json").await;
    assert!(body.contains("internal address"), "{status} {body}");

    let (_, dev_issuer) =
        serve(|b| b.client_id_metadata_documents(CimdOptions::default().development())).await;
    let (status, _) = authorize_status(&dev_issuer, &good).await;
    assert_eq!(
        status, 303,
        "development mode reads loopback documents: on to sign-in"
    );
    let (status, body) = authorize_status(&dev_issuer, &big).await;
    assert_eq!(status, 400);
    assert!(body.contains("larger than allowed"), "{body}");
    let (status, body) = authorize_status(&dev_issuer, &format!("{docs}/moved.json")).await;
    assert_eq!(status, 400);
    assert!(body.contains("redirects are not followed"), "{body}");
    let (status, _) = authorize_status(&dev_issuer, &format!("{docs}/missing.json")).await;
    assert_eq!(status, 400);
    // The good document's client logs in and gets tokens.
    let (verifier, challenge) = pkce();
    let url = authorize_url(&dev_issuer, &challenge, &[])
        .replace("client_id=app", &format!("client_id={}", urlencode(&good)));
    let back = log_in(&browser(), &dev_issuer, &url, "alice").await;
    let (status, t) = token(
        &dev_issuer,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &good),
            ("code", &query(&back)["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{t}");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused() {
    let (_, issuer) = serve(|b| b).await;
    let (_, challenge) = pkce();
    let url = authorize_url(&issuer, &challenge, &[("state", "second")]);
    let r = browser().get(url).send().await.unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn garbage_at_every_endpoint_is_a_clear_4xx_and_the_server_keeps_serving() {
    let (_, issuer) = serve(|b| {
        b.openid(true)
            .dynamic_registration(Default::default())
            .client_id_metadata_documents(CimdOptions::default())
    })
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut noise = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect()
    };
    for round in 0..200 {
        let body = noise(round * 7 % 3000);
        let text = String::from_utf8_lossy(&body).replace(['#', ' '], "");
        for (method, path) in [
            ("POST", "/token"),
            ("POST", "/revoke"),
            ("POST", "/register"),
            ("POST", "/consent"),
            ("POST", "/userinfo"),
        ] {
            let r = http
                .request(method.parse().unwrap(), format!("{issuer}{path}"))
                .header(
                    "content-type",
                    if path == "/register" {
                        "application/json"
                    } else {
                        "application/x-www-form-urlencoded"
                    },
                )
                .body(body.clone())
                .send()
                .await
                .unwrap();
            let s = r.status().as_u16();
            assert!(
                (400..500).contains(&s),
                "{path} answered {s} to round {round}"
            );
        }
        let url = format!(
            "{issuer}/authorize?{}",
            form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
        );
        let s = http.get(&url).send().await.unwrap().status().as_u16();
        assert!(
            (400..500).contains(&s),
            "/authorize answered {s} to round {round}"
        );
        let r = http
            .get(format!("{issuer}/userinfo"))
            .header("authorization", format!("Bearer {}", text.escape_default()))
            .send()
            .await;
        if let Ok(r) = r {
            assert_eq!(r.status(), 401);
        }
    }
    let huge = "a".repeat(60_000);
    let s = http
        .get(format!("{issuer}/authorize?client_id={huge}"))
        .send()
        .await
        .unwrap()
        .status();
    assert!(s.is_client_error(), "{s}");
    // Still serving.
    let m = http
        .get(format!("{issuer}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap();
    assert_eq!(m.status(), 200);
}

#[tokio::test]
async fn an_unknown_code_naming_a_real_family_revokes_nothing() {
    let (server, issuer) = serve(|b| b).await;
    let (verifier, challenge) = pkce();
    let back = log_in(
        &browser(),
        &issuer,
        &authorize_url(&issuer, &challenge, &[]),
        "alice",
    )
    .await;
    let (_, t) = exchange(&issuer, &query(&back)["code"], &verifier).await;
    let family = t["refresh_token"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    // An attacker who learned the family id (it is in the access token) forges values of
    // it and presents them, twice at once: unknown, never "replayed".
    let forged = format!("{family}.forged");
    let (a, b) = tokio::join!(
        exchange(&issuer, &forged, &verifier),
        exchange(&issuer, &forged, &verifier)
    );
    assert_eq!((a.0, b.0), (400, 400));
    let refresh = [
        ("grant_type", "refresh_token"),
        ("client_id", "app"),
        ("refresh_token", forged.as_str()),
    ];
    let (r1, r2) = tokio::join!(token(&issuer, &refresh), token(&issuer, &refresh));
    assert_eq!((r1.0, r2.0), (400, 400));
    assert!(
        server
            .verifier()
            .verify(t["access_token"].as_str().unwrap())
            .await
            .is_ok(),
        "the victim's grant still stands"
    );
}
