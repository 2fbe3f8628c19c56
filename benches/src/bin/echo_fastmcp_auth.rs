//! The echo server of `echo-fastmcp`, protected: every HTTP request carries a bearer JWT
//! (RS256), checked by a `JwtVerifier` with a static key behind `Cached` (a client's
//! repeated token costs a digest and a look-up, not a signature check), and the resource
//! server's rules (audience, expiry, required scope). What auth costs per request.
//!
//! `echo-fastmcp-auth token` prints a token valid for a day; `echo-fastmcp-auth http --port
//! N [--stateful]` serves (stdio serves without auth, as always).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastmcp::auth::{Algorithm, Cached, JwtKey, JwtVerifier, ResourceServer};
use fastmcp_bench::{echo, ServerArgs};

/// The resource the tokens are minted for.
const RESOURCE: &str = "http://bench.invalid/mcp";
const ISSUER: &str = "https://bench.invalid";
const PRIVATE: &[u8] = include_bytes!("../../fixtures/bench-rsa.key.pem");
const PUBLIC: &[u8] = include_bytes!("../../fixtures/bench-rsa.pub.pem");

fn token() -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
    let claims = serde_json::json!({
        "iss": ISSUER, "aud": RESOURCE, "sub": "bench", "client_id": "bench-driver",
        "scope": "echo", "iat": now, "exp": now + 86_400,
    });
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(PRIVATE)?;
    Ok(jsonwebtoken::encode(
        &jsonwebtoken::Header::new(Algorithm::RS256),
        &claims,
        &key,
    )?)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::args().nth(1).as_deref() == Some("token") {
        println!("{}", token()?);
        return Ok(());
    }
    let args = ServerArgs::from_env();
    fastmcp_bench::quiet_logs();
    let jwt = JwtVerifier::builder()
        .key(JwtKey::rsa_pem(PUBLIC)?)
        .algorithms([Algorithm::RS256])
        .issuer(ISSUER)
        .audience(RESOURCE)
        .build()?;
    let verifier = Cached::new(jwt).ttl(Duration::from_secs(300));
    let rs = ResourceServer::new(RESOURCE, verifier).required_scopes(["echo"]);
    echo::serve_with(echo::server(args.tools), args.mode, |o| o.auth(rs)).await
}
