//! Client authentication at the token and revocation endpoints (RFC 6749 §2.3):
//! `client_secret_basic` (the `Authorization: Basic` header, each part form-encoded),
//! `client_secret_post` (`client_id` and `client_secret` in the body), or `none` (a public
//! client names itself with `client_id`). A confidential client must authenticate; a
//! public one must not present a secret; two methods at once are refused.

use std::collections::HashMap;

use axum::http::{header, HeaderMap};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::authorize::ClientSource;
use crate::grants::{digest, RegisteredClient};
use crate::pkce::same;
use crate::server::Inner;
use crate::token::TokenError;

fn invalid(why: &str) -> TokenError {
    TokenError::InvalidClient(why.into())
}

fn decode_part(s: &str) -> String {
    form_urlencoded::parse(format!("v={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The id and secret of an `Authorization: Basic` header, if there is one.
fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, TokenError> {
    let Some(v) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let v = v
        .to_str()
        .map_err(|_| invalid("malformed Authorization header"))?;
    let Some((scheme, b64)) = v.split_once(' ') else {
        return Err(invalid("malformed Authorization header"));
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid("client authentication must use the Basic scheme"));
    }
    let raw = STANDARD
        .decode(b64.trim())
        .map_err(|_| invalid("malformed Basic credentials"))?;
    let raw = String::from_utf8(raw).map_err(|_| invalid("malformed Basic credentials"))?;
    let (id, secret) = raw
        .split_once(':')
        .ok_or_else(|| invalid("malformed Basic credentials"))?;
    Ok(Some((decode_part(id), decode_part(secret))))
}

/// The client that sent this request, authenticated.
pub(crate) async fn authenticate(
    s: &Inner,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<RegisteredClient, TokenError> {
    let body_secret = form.get("client_secret");
    let (id, secret) = match basic(headers)? {
        Some(_) if body_secret.is_some() => {
            return Err(TokenError::InvalidRequest(
                "use one client authentication method, not two".into(),
            ))
        }
        Some((id, secret)) => {
            if form.get("client_id").is_some_and(|c| *c != id) {
                return Err(invalid("client_id differs from the authenticated client"));
            }
            (id, Some(secret))
        }
        None => match form.get("client_id") {
            Some(id) => (id.clone(), body_secret.cloned()),
            None => return Err(invalid("client authentication is required")),
        },
    };
    let method = match (&secret, body_secret.is_some()) {
        (None, _) => "none",
        (Some(_), true) => "client_secret_post",
        (Some(_), false) => "client_secret_basic",
    };
    if !s.auth_methods.iter().any(|m| m == method) {
        return Err(invalid(&format!(
            "{method} client authentication is not accepted here"
        )));
    }
    let client = s
        .client(&id)
        .await
        .map_err(TokenError::Server)?
        .ok_or_else(|| invalid("unknown client"))?;
    match (&client.secret_digest, secret) {
        (Some(want), Some(got)) if same(want, &digest(&got)) => Ok(client),
        (Some(_), _) => Err(invalid("wrong or missing client secret")),
        (None, Some(_)) => Err(invalid("a public client has no secret")),
        (None, None) => Ok(client),
    }
}
