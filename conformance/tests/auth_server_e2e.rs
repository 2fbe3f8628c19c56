//! End to end with our own authorization server (`fastmcp::auth_server`), mounted next to
//! the MCP endpoint in the same app (`HttpOptions::routes`), its tokens checked by its
//! `LocalVerifier`. Two clients log in, each through the server's real sign-in form and
//! consent page (this test plays the user, headlessly):
//!
//! - ours (`fastmcp::client::oauth`): discovery, dynamic registration, PKCE, a protected
//!   tool, a step-up for `notes:admin`, a refresh once the 3-second token expired;
//! - the official Python SDK (mcp 2.3.0, `conformance/tests/auth/python_oauth_client.py`),
//!   in both eras, doing the same.
//!
//! `FASTMCP_SKIP_INTEROP=1` skips the Python part.

mod auth_common;
mod interop;

use std::sync::Arc;
use std::time::Duration;

use auth_common::{browser, notes_server, python_client, tool_json};
use fastmcp::auth_server::{AuthorizationServer, PasswordLogin, RegistrationPolicy, User};
use fastmcp::client::oauth::OAuth;
use fastmcp::client::Client;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use interop::{repo_root, skipped};
use serde_json::json;

const ACCESS_TTL_SECS: u64 = 3;

/// The notes server and its authorization server on one port: (the server, the MCP URL).
async fn setup() -> (AuthorizationServer, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let resource = format!("{issuer}/mcp");
    let login = PasswordLogin::new(|name, password| async move {
        (name == "alice" && password == "pw").then(|| User::new("alice"))
    })
    .insecure_http();
    let pem =
        std::fs::read(repo_root().join("crates/fastmcp-auth-server/tests/fixtures/rsa.key.pem"))
            .unwrap();
    let auth = AuthorizationServer::builder(&issuer)
        .signing_key("k1", "RS256", &pem)
        .scopes(["notes:read", "notes:write", "notes:admin"])
        .resource(&resource)
        .authenticator(login)
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
    (auth, resource)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_logs_in_through_our_authorization_server() {
    let (auth, resource) = setup().await;
    let oauth = OAuth::builder(&resource)
        .client_name("fastmcp-e2e")
        .redirect(browser(auth.issuer().to_owned()))
        .build()
        .unwrap();
    let client = Client::connect(StreamableHttp::new(&resource).auth(Arc::new(oauth.clone())))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}; oauth: {:?}", oauth.last_error()));
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice");
    let first = oauth.tokens().await.unwrap();
    assert!(first.refresh_token.is_some());

    // Step-up: `admin` needs notes:admin; the 403 names it, the client asks again (a new
    // consent, since the scopes grew).
    let admin = tool_json(&client.call_tool("admin", json!({})).await.unwrap());
    assert_eq!(admin["admin"], true);
    let scope = oauth.tokens().await.unwrap().scope.unwrap_or_default();
    assert!(
        scope.contains("notes:admin") && scope.contains("notes:read"),
        "{scope}"
    );

    // The access token expires: the next call refreshes it (rotated), no new login.
    let before = oauth.tokens().await.unwrap();
    tokio::time::sleep(Duration::from_secs(ACCESS_TTL_SECS + 1)).await;
    let who = tool_json(&client.call_tool("whoami", json!({})).await.unwrap());
    assert_eq!(who["subject"], "alice");
    let after = oauth.tokens().await.unwrap();
    assert_ne!(before.access_token, after.access_token);
    assert_ne!(before.refresh_token, after.refresh_token, "rotated");
    client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_logs_in_through_our_authorization_server() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the Python SDK end-to-end test");
        return;
    }
    let (_auth, resource) = setup().await;
    for mode in ["legacy", "2026-07-28"] {
        let r = resource.clone();
        tokio::task::spawn_blocking(move || python_client(&r, mode))
            .await
            .unwrap();
    }
}
