//! An authorization server on 127.0.0.1 and a headless browser that signs in and consents
//! through its real pages (the forms read from the HTML, cookies kept).
#![allow(dead_code)]

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fastmcp_auth_server::{AuthorizationServer, Builder, PasswordLogin, RegisteredClient, User};
use reqwest::redirect::Policy;
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const REDIRECT: &str = "http://127.0.0.1:4567/callback";
pub const RESOURCE: &str = "http://127.0.0.1:9/mcp";

pub fn login() -> PasswordLogin {
    PasswordLogin::new(|name, password| async move {
        (password == "pw").then(|| {
            User::new(name.clone())
                .with_claim("email", format!("{name}@example.com"))
                .with_claim("name", name.to_uppercase())
        })
    })
    .insecure_http()
}

/// A server listening on 127.0.0.1 (its issuer is its own address, plus `path`), built by
/// `f` from a builder with a key, scopes, a resource, a login and two clients: `app`
/// (public, redirect [`REDIRECT`]) and `svc` (confidential, secret `s3cret`, client
/// credentials).
pub async fn serve_at(
    path: &str,
    f: impl FnOnce(Builder) -> Builder,
) -> (AuthorizationServer, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}{path}", listener.local_addr().unwrap());
    let b = AuthorizationServer::builder(&issuer)
        .signing_key("k1", "RS256", include_bytes!("../fixtures/rsa.key.pem"))
        .scopes(["notes:read", "notes:write"])
        .resource(RESOURCE)
        .authenticator(login())
        .client(RegisteredClient::public("app", &[REDIRECT]).with_name("Notes app"))
        .client(
            RegisteredClient::confidential("svc", "s3cret", &[])
                .with_grant_types(&["client_credentials"]),
        );
    let server = f(b).build().unwrap();
    let app = server.router();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (server, issuer)
}

pub async fn serve(f: impl FnOnce(Builder) -> Builder) -> (AuthorizationServer, String) {
    serve_at("", f).await
}

/// A PKCE pair: (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = URL_SAFE_NO_PAD.encode(rand_bytes());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_bytes() -> [u8; 32] {
    rand::random()
}

/// A browser: cookies kept, redirects not followed (each step is looked at).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap_or_else(|| panic!("no Location in a {} answer", r.status()))
        .to_str()
        .unwrap()
        .to_owned()
}

/// The value of the hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].replace("&amp;", "&"))
}

/// The query parameters of `url`.
pub fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

/// An authorization URL for the client `app`.
pub fn authorize_url(issuer: &str, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("response_type", "code")
        .append_pair("client_id", "app")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("code_challenge", challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("state", "st-1")
        .append_pair("resource", RESOURCE);
    for (k, v) in extra {
        q.append_pair(k, v);
    }
    format!("{issuer}/authorize?{}", q.finish())
}

/// Sign in as `user` if asked, and return the consent page's HTML (or the redirect back to
/// the client when consent was remembered: `Err(location)`).
pub async fn to_consent(
    b: &reqwest::Client,
    issuer: &str,
    url: &str,
    user: &str,
) -> Result<String, String> {
    let r = b.get(url).send().await.unwrap();
    let r = if r.status() == 303 && location(&r).contains("/login?") {
        let login_url = format!("{}{}", origin(issuer), location(&r));
        let form = b
            .get(&login_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = hidden(&form, "csrf").expect("the login form's CSRF token");
        let return_to = hidden(&form, "return_to").unwrap();
        let action = format!("{}{}", origin(issuer), login_path(issuer));
        let r = b
            .post(&action)
            .form(&[
                ("username", user),
                ("password", "pw"),
                ("return_to", &return_to),
                ("csrf", &csrf),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "signed in");
        b.get(format!("{}{}", origin(issuer), location(&r)))
            .send()
            .await
            .unwrap()
    } else {
        r
    };
    if r.status() == 303 {
        return Err(location(&r));
    }
    assert_eq!(r.status(), 200);
    Ok(r.text().await.unwrap())
}

fn origin(issuer: &str) -> String {
    let after = &issuer[7..];
    format!("http://{}", after.split('/').next().unwrap())
}

fn login_path(issuer: &str) -> String {
    let after = &issuer[7..];
    let path = after.find('/').map(|i| &after[i..]).unwrap_or("");
    format!("{path}/login")
}

/// Allow (or deny) on the consent page; the redirect back to the client.
pub async fn consent(b: &reqwest::Client, issuer: &str, page: &str, decision: &str) -> String {
    let r = b
        .post(format!("{issuer}/consent"))
        .form(&[
            ("txn", hidden(page, "txn").unwrap()),
            ("csrf", hidden(page, "csrf").unwrap()),
            ("decision", decision.to_owned()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap());
    location(&r)
}

/// The whole login as `user`: the redirect back to the client.
pub async fn log_in(b: &reqwest::Client, issuer: &str, url: &str, user: &str) -> String {
    match to_consent(b, issuer, url, user).await {
        Ok(page) => consent(b, issuer, &page, "allow").await,
        Err(back) => back,
    }
}

/// POST a form to the token endpoint: (status, body).
pub async fn token(issuer: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(format!("{issuer}/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    if status == 200 {
        assert_eq!(r.headers()["cache-control"], "no-store");
    }
    (status, r.json().await.unwrap_or(Value::Null))
}

/// Exchange `code` for the client `app`.
pub async fn exchange(issuer: &str, code: &str, verifier: &str) -> (u16, Value) {
    token(
        issuer,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "app"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}
