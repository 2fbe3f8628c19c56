//! Revocation (RFC 7009): a client revokes a refresh token or an access token it holds;
//! the whole grant family goes with it (every access and refresh token the grant issued,
//! as far as the verifiers consult the store: [`crate::LocalVerifier`] does). The answer
//! is 200 whether or not the token was known, so it reveals nothing.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::token::refusal;
use super::{client_auth, form};
use crate::grants::family_of;
use crate::server::{AuthorizationServer, Inner};
use crate::token::TokenError;

pub(crate) async fn revoke(
    State(s): State<AuthorizationServer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match run(&s.0, &headers, &body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => refusal(&e),
    }
}

async fn run(s: &Inner, headers: &HeaderMap, body: &[u8]) -> Result<(), TokenError> {
    let f = form::parse(body).map_err(TokenError::InvalidRequest)?;
    let token = f
        .get("token")
        .ok_or_else(|| TokenError::InvalidRequest("token is required".into()))?;
    let client = client_auth::authenticate(s, headers, &f).await?;
    let server = |e: fastmcp_core::Error| TokenError::Server(e.message().to_owned());
    let family = if let Some(g) = s.grants.peek_refresh(token).await.map_err(server)? {
        (g.client_id == client.client_id)
            .then(|| family_of(token).map(str::to_owned))
            .flatten()
    } else if let Ok(claims) = s.issuer.keys.verify(token, &s.issuer.issuer, None) {
        let theirs =
            claims.get("client_id").and_then(|v| v.as_str()) == Some(client.client_id.as_str());
        theirs
            .then(|| {
                claims
                    .get("fam")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .flatten()
    } else {
        None
    };
    if let Some(fam) = family {
        let ttl = s.issuer.refresh_ttl.max(s.issuer.access_ttl);
        s.grants.revoke_family(&fam, ttl).await.map_err(server)?;
    }
    Ok(())
}
