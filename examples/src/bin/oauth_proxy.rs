//! A notes server behind a GitHub, Google or any OpenID login (README, "Log in with GitHub
//! or Google"): the OAuth proxy is its authorization server, in the same process, on the
//! same port. MCP clients register with it dynamically and get its tokens; the upstream
//! tokens stay here, encrypted.
//!
//! ```text
//! UPSTREAM=github UPSTREAM_CLIENT_ID=... UPSTREAM_CLIENT_SECRET=... \
//! PROXY_SECRET=$(openssl rand -hex 32) cargo run -p examples --bin oauth_proxy
//! ```
//!
//! Settings (environment):
//! - `UPSTREAM`: `github`, `google`, or an OpenID issuer URL (found by discovery);
//!   `UPSTREAM_CLIENT_ID`, `UPSTREAM_CLIENT_SECRET`: the proxy's app there, whose callback
//!   is `{PUBLIC_URL}/upstream/callback`; `UPSTREAM_SCOPES` overrides the scopes asked;
//! - `PROXY_SECRET`: 32 bytes or more, the same on every replica (it encrypts upstream
//!   tokens and signs the sign-in cookie);
//! - `ADDR` (default `127.0.0.1:8000`) and `PUBLIC_URL` (default `http://{ADDR}`);
//! - `SIGNING_KEY_FILE`: the PEM key that signs the proxy's tokens (created with a new
//!   ES256 key when missing; give replicas the same file);
//! - `REDIS_URL`: keep state in Redis, so that several replicas serve one login;
//! - `INSECURE_HTTP=1`: cookies without `Secure` (plain-HTTP development off localhost).

use std::sync::Arc;

use fastmcp::auth::ResourceServer;
use fastmcp::auth_server::keys::SigningKeys;
use fastmcp::auth_server::proxy::{Upstream, UpstreamLogin};
use fastmcp::auth_server::{
    AuthStore, AuthorizationServer, MemoryStore, RedisStore, RegistrationPolicy,
};
use fastmcp::prelude::*;
use fastmcp::server::HttpOptions;

/// Who the caller is, and whether the proxy holds an upstream token for them.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Me {
    subject: String,
    upstream_token_held: bool,
}

/// Who am I? (A real tool would call the upstream API with the upstream token.)
#[tool]
async fn whoami(login: State<UpstreamLogin>, ctx: &Context) -> Result<Json<Me>, Error> {
    let subject = ctx
        .auth()
        .and_then(|a| a.subject.clone())
        .unwrap_or_default();
    let upstream_token_held = login.upstream_token(&subject).await?.is_some();
    Ok(Json(Me {
        subject,
        upstream_token_held,
    }))
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).map_err(|_| {
        anyhow::anyhow!(
            "set {name} (see the comment at the top of examples/src/bin/oauth_proxy.rs)"
        )
    })
}

async fn upstream() -> anyhow::Result<Upstream> {
    let (id, secret) = (env("UPSTREAM_CLIENT_ID")?, env("UPSTREAM_CLIENT_SECRET")?);
    let u = match env("UPSTREAM")?.as_str() {
        "github" => Upstream::github(&id, &secret),
        "google" => Upstream::google(&id, &secret),
        issuer => Upstream::discover(issuer, &id, &secret).await?,
    };
    Ok(match std::env::var("UPSTREAM_SCOPES") {
        Ok(s) => u.scopes(s.split_whitespace()),
        Err(_) => u,
    })
}

fn signing_key() -> anyhow::Result<Vec<u8>> {
    let path = std::env::var("SIGNING_KEY_FILE").unwrap_or_else(|_| "oauth-proxy-key.pem".into());
    if let Ok(pem) = std::fs::read(&path) {
        return Ok(pem);
    }
    let pem = SigningKeys::generate_es256_pem();
    std::fs::write(&path, &pem)?;
    eprintln!("oauth_proxy: wrote a new signing key to {path}");
    Ok(pem.into_bytes())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let public = std::env::var("PUBLIC_URL").unwrap_or_else(|_| format!("http://{addr}"));
    let resource = format!("{public}/mcp");
    let mut login = UpstreamLogin::new(upstream().await?, env("PROXY_SECRET")?.as_bytes())?;
    if std::env::var("INSECURE_HTTP").is_ok_and(|v| v == "1") {
        login = login.insecure_http();
    }
    let store: Arc<dyn AuthStore> = match std::env::var("REDIS_URL") {
        Ok(url) => Arc::new(RedisStore::new(&url)?),
        Err(_) => Arc::new(MemoryStore::new()),
    };
    let auth = AuthorizationServer::builder(&public)
        .signing_key("proxy", "ES256", &signing_key()?)
        .scopes(["notes:read"])
        .resource(&resource)
        .authenticator(login.clone())
        .store(store)
        .dynamic_registration(RegistrationPolicy::default())
        .build()?;
    let rs = ResourceServer::new(&resource, auth.verifier())
        .authorization_server(&public)
        .scopes_supported(["notes:read"])
        .required_scopes(["notes:read"]);
    let opts = HttpOptions::default().auth(rs).routes(auth.router());
    Server::new("notes-behind-login", "1.0.0")
        .state(login)
        .tool(whoami)
        .run_http_with(&addr, opts)
        .await?;
    Ok(())
}
