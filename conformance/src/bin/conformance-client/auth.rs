//! The `auth/*` scenarios: `fastmcp::client::oauth::OAuth` on the transport, set up from
//! the scenario's name and `MCP_CONFORMANCE_CONTEXT`.
//!
//! The suite's mock authorization servers approve every authorization request at once,
//! redirecting to the client's callback, so the client runs headless (the authorization
//! URL is fetched, its redirect lands on the loopback callback). Context keys:
//! `client_id` with `client_secret` (pre-registered credentials, or client credentials
//! with `client_secret_basic`) or with `private_key_pem` and `signing_algorithm` (client
//! credentials with `private_key_jwt`). The scenarios `auth/client-credentials-*` use the
//! client credentials grant; the others the authorization code grant.

use std::time::Duration;

use fastmcp::client::oauth::{Credentials, OAuth, Redirect};
use serde_json::Value;

/// The Client ID Metadata Document URL the suite's `auth/basic-cimd` expects.
pub const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";

/// The OAuth of one auth scenario.
pub fn oauth(url: &str, scenario: &str, context: &Value) -> Result<OAuth, String> {
    let mut b = OAuth::builder(url)
        .client_name("fastmcp-conformance-client")
        .client_metadata_url(CLIENT_METADATA_URL)
        .redirect(Redirect::Headless)
        .callback_timeout(Duration::from_secs(20));
    if scenario.starts_with("auth/client-credentials") {
        b = b.client_credentials();
    }
    let text = |k: &str| context.get(k).and_then(Value::as_str);
    if let Some(id) = text("client_id") {
        let mut c = Credentials::new(id);
        if let Some(s) = text("client_secret") {
            c = c.secret(s);
        }
        if let Some(pem) = text("private_key_pem") {
            let alg = text("signing_algorithm").unwrap_or("ES256");
            c = c.private_key_pem(pem, alg).map_err(|e| e.to_string())?;
        }
        b = b.credentials(c);
    }
    b.build().map_err(|e| e.to_string())
}
