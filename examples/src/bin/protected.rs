//! A protected notes server (README, "Auth"): every HTTP request needs a bearer token, and
//! some tools need more than others.
//!
//! ```text
//! cargo run -p examples --bin protected                       # development tokens, :8000
//! ISSUER=https://idp.example.com RESOURCE=https://mcp.example.com/mcp \
//!     cargo run -p examples --bin protected                   # JWTs from your provider
//! ```
//!
//! `ADDR` sets where it listens. Without `ISSUER`, two fixed tokens work: `reader-token` (scope `notes:read`) and
//! `writer-token` (`notes:read notes:write`). With it, the provider's JWTs are checked
//! through its JWKS (`$ISSUER/jwks`, or `JWKS_URL`) and clients discover the provider from
//! `/.well-known/oauth-protected-resource/mcp`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use fastmcp::auth::{Algorithm, Cached, JwtVerifier, ResourceServer, StaticTokens, TokenVerifier};
use fastmcp::prelude::*;
use fastmcp::server::HttpOptions;
use fastmcp::AuthInfo;

#[derive(Default)]
struct Notes(Mutex<BTreeMap<String, String>>);

/// Read a note (any token with `notes:read`, which the server requires of every request).
#[tool]
async fn read(notes: State<Notes>, title: String) -> Result<String, Error> {
    let notes = notes.0.lock().unwrap();
    notes
        .get(&title)
        .cloned()
        .ok_or_else(|| Error::tool(format!("no note {title}")))
}

/// Write a note: only tokens with `notes:write` see this tool.
#[tool(auth = scopes("notes:write"))]
async fn write(notes: State<Notes>, ctx: &Context, title: String, body: String) -> String {
    let who = ctx
        .auth()
        .and_then(|a| a.subject.clone())
        .unwrap_or_default();
    notes.0.lock().unwrap().insert(title.clone(), body);
    format!("{who} wrote {title}")
}

fn verifier(resource: &str) -> Result<Box<dyn TokenVerifier>, Box<dyn std::error::Error>> {
    let Ok(issuer) = std::env::var("ISSUER") else {
        let user = |name: &str, scopes: &[&str]| {
            AuthInfo::new()
                .with_subject(name)
                .with_scopes(scopes.iter().copied())
        };
        return Ok(Box::new(
            StaticTokens::new()
                .token("reader-token", user("rita", &["notes:read"]))
                .token("writer-token", user("will", &["notes:read", "notes:write"])),
        ));
    };
    let jwks = std::env::var("JWKS_URL").unwrap_or_else(|_| format!("{issuer}/jwks"));
    let jwt = JwtVerifier::builder()
        .jwks_url(jwks)
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .issuer(issuer)
        .audience(resource)
        .build()?;
    Ok(Box::new(Cached::new(jwt)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".to_owned());
    let resource = std::env::var("RESOURCE").unwrap_or_else(|_| format!("http://{addr}/mcp"));
    let mut rs = ResourceServer::new(&resource, verifier(&resource)?)
        .scopes_supported(["notes:read", "notes:write"])
        .required_scopes(["notes:read"]);
    if let Ok(issuer) = std::env::var("ISSUER") {
        rs = rs.authorization_server(issuer);
    }
    Server::new("protected-notes", "1.0.0")
        .state(Notes::default())
        .components((read, write))
        .run_http_with(&addr, HttpOptions::default().auth(rs))
        .await?;
    Ok(())
}
