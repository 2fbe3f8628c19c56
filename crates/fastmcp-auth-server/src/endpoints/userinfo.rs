//! The UserInfo endpoint (OpenID Connect Core §5.3): the claims the access token's scopes
//! release, for a token this server issued, unexpired and unrevoked, with `openid`.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::oidc::released;
use crate::server::AuthorizationServer;

fn challenge(status: StatusCode, error: &str) -> Response {
    let mut r = status.into_response();
    let v = format!("Bearer error=\"{error}\"");
    if let Ok(v) = HeaderValue::from_str(&v) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

pub(crate) async fn userinfo(State(s): State<AuthorizationServer>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = token else {
        let mut r = StatusCode::UNAUTHORIZED.into_response();
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    };
    let who = match s.verify_access_token(token, None).await {
        Ok(who) => who,
        Err(_) => return challenge(StatusCode::UNAUTHORIZED, "invalid_token"),
    };
    if !who.scopes.iter().any(|x| x == "openid") {
        return challenge(StatusCode::FORBIDDEN, "insufficient_scope");
    }
    let subject = who.subject.unwrap_or_default();
    let user = match s.0.grants.user(&subject).await {
        Ok(u) => u,
        Err(_) => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
    };
    Json(released(&subject, user.as_ref(), &who.scopes)).into_response()
}
