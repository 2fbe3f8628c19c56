//! `POST /register` (RFC 7591): the metadata checked by [`crate::register`], the client kept
//! for its time to live, 201 with its id (and secret); 400 with the RFC's error codes.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::no_store;
use crate::register::{register as check, ClientMetadata};
use crate::server::AuthorizationServer;

pub(crate) async fn register(State(s): State<AuthorizationServer>, body: Bytes) -> Response {
    let refuse = |code: &str, why: String| {
        let body = json!({"error": code, "error_description": why});
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    };
    let Some(policy) = &s.0.registration else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let meta: ClientMetadata = match serde_json::from_slice(&body) {
        Ok(m) => m,
        Err(e) => {
            return refuse(
                "invalid_client_metadata",
                format!("not valid metadata: {e}"),
            )
        }
    };
    let method = meta
        .token_endpoint_auth_method
        .as_deref()
        .unwrap_or("client_secret_basic");
    if !s.0.auth_methods.iter().any(|m| m == method) {
        return refuse(
            "invalid_client_metadata",
            format!("token_endpoint_auth_method {method:?} is not accepted here"),
        );
    }
    let (client, answer) = match check(policy, &s.0.policy.scopes, &meta) {
        Ok(ok) => ok,
        Err((code, why)) => return refuse(code, why),
    };
    if let Err(e) = s.0.grants.put_client(&client, s.0.ttl.client).await {
        let body = json!({"error": "temporarily_unavailable", "error_description": e.message()});
        return (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    }
    no_store((StatusCode::CREATED, Json(answer)).into_response())
}
