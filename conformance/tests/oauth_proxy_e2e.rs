//! The OAuth proxy end to end: our authorization server signs users in with an upstream
//! OpenID provider (oidc-provider from npm, found by discovery; the proxy registered there
//! as one confidential client) and issues its own tokens to MCP clients, which register
//! with the proxy dynamically. Our client and the Python SDK (both eras) log in through it:
//! upstream sign-in, the proxy's consent page, PKCE, a step-up, a refresh. The upstream
//! tokens stay with the server (encrypted, refreshed upstream when they expire); the
//! clients only see the proxy's.
//! `FASTMCP_SKIP_INTEROP=1` skips it (it needs Node).

mod auth_common;
mod interop;

use std::sync::Arc;
use std::time::Duration;

use auth_common::{browser_through, notes_server, python_client, tool_json, Provider};
use base64::Engine;
use fastmcp::auth_server::proxy::{Upstream, UpstreamLogin};
use fastmcp::auth_server::{AuthorizationServer, RegistrationPolicy};
use fastmcp::client::oauth::OAuth;
use fastmcp::client::Client;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use interop::{repo_root, skipped};
use serde_json::{json, Value};

const ACCESS_TTL_SECS: u64 = 3;
const SECRET: &[u8] = b"a test secret of at least 32 bytes, never used elsewhere";

/// The claims of a JWT, unverified (to tell whose token it is).
fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

/// Register the proxy at the upstream provider: its client id and secret.
async fn register_upstream(provider: &str, callback: &str) -> (String, String) {
    let r: Value = reqwest::Client::new()
        .post(format!("{provider}/reg"))
        .json(&json!({
            "redirect_uris": [callback],
            "client_name": "fastmcp-proxy",
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = r["client_id"]
        .as_str()
        .unwrap_or_else(|| panic!("registration: {r}"));
    (
        id.to_owned(),
        r["client_secret"].as_str().unwrap().to_owned(),
    )
}

/// The upstream provider, and the proxy with the notes server on one port.
async fn setup() -> (Provider, UpstreamLogin, AuthorizationServer, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let resource = format!("{issuer}/mcp");
    let upstream_api = format!("{issuer}/upstream-api");
    let provider =
        tokio::task::spawn_blocking(move || Provider::start(&upstream_api, ACCESS_TTL_SECS))
            .await
            .unwrap();
    let (id, secret) =
        register_upstream(&provider.issuer, &format!("{issuer}/upstream/callback")).await;
    let upstream = Upstream::discover(&provider.issuer, &id, &secret)
        .await
        .unwrap()
        .scopes(["openid", "offline_access"]);
    let login = UpstreamLogin::new(upstream, SECRET)
        .unwrap()
        .insecure_http();
    let pem =
        std::fs::read(repo_root().join("crates/fastmcp-auth-server/tests/fixtures/rsa.key.pem"))
            .unwrap();
    let auth = AuthorizationServer::builder(&issuer)
        .signing_key("proxy-key", "RS256", &pem)
        .scopes(["notes:read", "notes:write", "notes:admin"])
        .resource(&resource)
        .authenticator(login.clone())
        .dynamic_registration(RegistrationPolicy::default())
        .access_token_ttl(Duration::from_secs(ACCESS_TTL_SECS))
        .build()
        .unwrap();
    notes_server(
        listener,
        &resource,
        &issuer,
        auth.verifier(),
        HttpOptions::default().routes(auth.router()),
    )
    .await;
    (provider, login, auth, resource)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_logs_in_through_the_oauth_proxy() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the OAuth proxy end-to-end test");
        return;
    }
    let (provider, login, auth, resource) = setup().await;
    let oauth = OAuth::builder(&resource)
        .client_name("fastmcp-e2e")
        .redirect(browser_through(vec![
            auth.issuer().to_owned(),
            provider.issuer.clone(),
        ]))
        .build()
        .unwrap();
    let client = Client::connect(StreamableHttp::new(&resource).auth(Arc::new(oauth.clone())))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}; oauth: {:?}", oauth.last_error()));
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice", "the upstream provider's user");
    assert_eq!(
        provider.grants("authorization_code"),
        1,
        "one upstream sign-in"
    );

    // The client holds the proxy's tokens; the upstream ones stay with the server.
    let mine = oauth.tokens().await.unwrap();
    assert_eq!(claims(&mine.access_token)["iss"], auth.issuer());
    // The upstream token lives 3 seconds: reading it refreshes it upstream first.
    let upstream = login
        .upstream_token("alice")
        .await
        .unwrap()
        .expect("held for alice");
    assert_eq!(claims(&upstream)["iss"], provider.issuer.as_str());
    assert!(claims(&upstream)["exp"].as_u64().unwrap() > 0);
    for _ in 0..50 {
        if provider.grants("refresh_token") >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        provider.grants("refresh_token"),
        1,
        "refreshed upstream by the proxy"
    );
    assert_ne!(upstream, mine.access_token);
    assert!(login.upstream_token("bob").await.unwrap().is_none());

    // Step-up: the proxy's sign-in cookie spares a second upstream sign-in, but its consent
    // page asks again for the new scope.
    let admin = tool_json(&client.call_tool("admin", json!({})).await.unwrap());
    assert_eq!(admin["admin"], true);
    assert_eq!(provider.grants("authorization_code"), 1);

    // The proxy's token expires: refreshed at the proxy.
    let before = oauth.tokens().await.unwrap();
    tokio::time::sleep(Duration::from_secs(ACCESS_TTL_SECS + 1)).await;
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice");
    assert_ne!(
        before.access_token,
        oauth.tokens().await.unwrap().access_token
    );
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_logs_in_through_the_oauth_proxy() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the OAuth proxy end-to-end test");
        return;
    }
    let (provider, _login, _auth, resource) = setup().await;
    for mode in ["legacy", "2026-07-28"] {
        let r = resource.clone();
        tokio::task::spawn_blocking(move || python_client(&r, mode))
            .await
            .unwrap();
    }
    assert!(
        provider.grants("authorization_code") >= 2,
        "each run signed in upstream"
    );
}
