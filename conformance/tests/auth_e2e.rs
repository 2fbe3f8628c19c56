//! End to end with a real, third-party authorization server: oidc-provider (npm, OpenID
//! Certified; `conformance/tests/auth/oidc_server.mjs`) issues RS256 JWT access tokens for
//! one of our servers, which verifies them through the provider's JWKS. Two clients log in:
//!
//! - ours (`fastmcp::client::oauth`): discovery, dynamic registration, the authorization
//!   code flow with PKCE, a protected tool, a refresh when the token expires, and a step-up
//!   when a tool needs a scope the token lacks;
//! - the official Python SDK (mcp 2.3.0, `conformance/tests/auth/python_oauth_client.py`)
//!   doing the same.
//!
//! In both, this test plays the user's browser: it follows the authorization redirects
//! with a cookie jar (oidc-provider's login and consent interaction approves at once) and
//! delivers the code to the client's callback. `FASTMCP_SKIP_INTEROP=1` skips it.

mod auth_common;
mod interop;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use auth_common::{browser, notes_server, python_client, tool_json, Provider};
use fastmcp::auth::{Algorithm, JwtVerifier};
use fastmcp::client::oauth::OAuth;
use fastmcp::client::Client;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use interop::skipped;
use serde_json::json;

/// Access tokens live this long, so that the tests see a refresh.
const ACCESS_TTL_SECS: u64 = 3;

/// Our server, protected by JWTs from `issuer` for `resource`.
async fn serve(listener: tokio::net::TcpListener, resource: &str, issuer: &str) {
    let verifier = JwtVerifier::builder()
        .jwks_url(format!("{issuer}/jwks"))
        .issuer(issuer)
        .audience(resource)
        .algorithms([Algorithm::RS256])
        // No leeway: the 3-second tokens are refused once expired, so clients refresh.
        .leeway(Duration::ZERO)
        .build()
        .expect("a valid verifier");
    notes_server(listener, resource, issuer, verifier, HttpOptions::default()).await;
}

async fn setup() -> (Provider, SocketAddr, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let resource = format!("http://{addr}/mcp");
    let provider = tokio::task::spawn_blocking({
        let resource = resource.clone();
        move || Provider::start(&resource, ACCESS_TTL_SECS)
    })
    .await
    .unwrap();
    serve(listener, &resource, &provider.issuer).await;
    (provider, addr, resource)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_logs_in_refreshes_and_steps_up() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the oidc-provider end-to-end test");
        return;
    }
    let (provider, _addr, resource) = setup().await;
    let oauth = OAuth::builder(&resource)
        .client_name("fastmcp-e2e")
        .redirect(browser(provider.issuer.clone()))
        .build()
        .unwrap();
    let client = Client::connect(StreamableHttp::new(&resource).auth(Arc::new(oauth.clone())))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}; oauth: {:?}", oauth.last_error()));
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice");
    assert_eq!(provider.grants("authorization_code"), 1);
    let tokens = oauth.tokens().await.unwrap();
    assert!(
        tokens.refresh_token.is_some(),
        "offline_access was listed, so a refresh token"
    );

    // Step-up: `admin` needs notes:admin; the 403 names it, the client asks again.
    let admin = tool_json(&client.call_tool("admin", json!({})).await.unwrap());
    assert_eq!(admin["admin"], true);
    assert_eq!(provider.grants("authorization_code"), 2);
    let scope = oauth.tokens().await.unwrap().scope.unwrap_or_default();
    assert!(
        scope.contains("notes:admin") && scope.contains("notes:read"),
        "{scope}"
    );

    // The access token expires: the next call refreshes it, no new login.
    let before = oauth.tokens().await.unwrap();
    tokio::time::sleep(Duration::from_secs(ACCESS_TTL_SECS + 1)).await;
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice");
    let after = oauth.tokens().await.unwrap();
    assert!(
        before.access_token != after.access_token,
        "no new access token"
    );
    // The provider's log line may trail the answer by a moment.
    for _ in 0..50 {
        if provider.grants("refresh_token") >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        provider.grants("refresh_token") >= 1,
        "no refresh: {:?}",
        provider.log.lock().unwrap()
    );
    assert_eq!(provider.grants("authorization_code"), 2);
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_logs_in_refreshes_and_steps_up() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the oidc-provider end-to-end test");
        return;
    }
    let (provider, _addr, resource) = setup().await;
    for mode in ["legacy", "2026-07-28"] {
        let r = resource.clone();
        tokio::task::spawn_blocking(move || python_client(&r, mode))
            .await
            .unwrap();
    }
    assert!(
        provider.grants("authorization_code") >= 4,
        "two logins and two step-ups"
    );
    assert!(provider.grants("refresh_token") >= 2);
}
