//! The token endpoint: the authorization code, refresh token and client credentials
//! grants, after the client authenticated; JSON answers that no cache keeps, errors as
//! RFC 6749 §5.2 names them (401 with a `Basic` challenge for `invalid_client`).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{client_auth, form, no_store};
use crate::grants::RegisteredClient;
use crate::server::{AuthorizationServer, Inner};
use crate::token::{self, CodeExchange, TokenError, Tokens};

/// The answer to a refused token (or revocation) request.
pub(crate) fn refusal(e: &TokenError) -> Response {
    let status = match e {
        TokenError::InvalidClient(_) => StatusCode::UNAUTHORIZED,
        TokenError::Server(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    let body = json!({"error": e.code(), "error_description": e.description()});
    let mut r = no_store((status, Json(body)).into_response());
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"token\""),
        );
    }
    r
}

pub(crate) async fn token(
    State(s): State<AuthorizationServer>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match grant(&s.0, &headers, &body).await {
        Ok(t) => no_store(Json(t).into_response()),
        Err(e) => refusal(&e),
    }
}

fn required<'a>(f: &'a HashMap<String, String>, name: &str) -> Result<&'a str, TokenError> {
    f.get(name)
        .map(String::as_str)
        .ok_or_else(|| TokenError::InvalidRequest(format!("{name} is required")))
}

fn may(client: &RegisteredClient, grant: &str) -> Result<(), TokenError> {
    if client.allows(grant) {
        Ok(())
    } else {
        Err(TokenError::UnauthorizedClient(format!(
            "this client may not use the {grant} grant"
        )))
    }
}

async fn grant(s: &Inner, headers: &HeaderMap, body: &[u8]) -> Result<Tokens, TokenError> {
    let f = form::parse(body).map_err(TokenError::InvalidRequest)?;
    let grant_type = required(&f, "grant_type")?;
    let client = client_auth::authenticate(s, headers, &f).await?;
    match grant_type {
        "authorization_code" => {
            may(&client, grant_type)?;
            let req = CodeExchange {
                client_id: &client.client_id,
                code: required(&f, "code")?,
                redirect_uri: required(&f, "redirect_uri")?,
                verifier: required(&f, "code_verifier")?,
                resource: f.get("resource").map(String::as_str),
            };
            token::exchange_code(&s.grants, &s.issuer, req).await
        }
        "refresh_token" => {
            may(&client, grant_type)?;
            let rt = required(&f, "refresh_token")?;
            let scope = f.get("scope").map(String::as_str);
            token::refresh(&s.grants, &s.issuer, &client.client_id, rt, scope).await
        }
        "client_credentials" => {
            may(&client, grant_type)?;
            if client.secret_digest.is_none() {
                return Err(TokenError::UnauthorizedClient(
                    "client_credentials needs a confidential client".into(),
                ));
            }
            let scopes: Vec<String> = f
                .get("scope")
                .map(|s| s.split_whitespace().map(str::to_owned).collect())
                .unwrap_or_default();
            let offered = |x: &String| {
                s.policy.scopes.contains(x)
                    && (client.scopes.is_empty() || client.scopes.contains(x))
            };
            if let Some(bad) = scopes.iter().find(|x| !offered(x)) {
                return Err(TokenError::InvalidScope(format!(
                    "{bad} is not offered to this client"
                )));
            }
            let resource = f.get("resource").map(String::as_str);
            if let Some(r) = resource {
                if !s.policy.resources.is_empty() && !s.policy.resources.iter().any(|x| x == r) {
                    return Err(TokenError::InvalidTarget("unknown resource".into()));
                }
            }
            token::client_credentials(&s.grants, &s.issuer, &client.client_id, &scopes, resource)
                .await
        }
        other => Err(TokenError::UnsupportedGrantType(format!(
            "the {other} grant is not supported"
        ))),
    }
}
