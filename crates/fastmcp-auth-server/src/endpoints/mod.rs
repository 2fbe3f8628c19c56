//! The HTTP endpoints, as one axum router: metadata (RFC 8414, and OpenID discovery),
//! authorize and consent, token, JWKS, revocation (RFC 7009), registration (RFC 7591),
//! UserInfo; each answers bad input with the error its RFC names.

mod authorize;
mod client_auth;
mod form;
mod register;
mod revoke;
mod token;
mod userinfo;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::server::AuthorizationServer;

/// The largest body an endpoint reads (forms and registrations are small).
const BODY_LIMIT: usize = 64 * 1024;

impl AuthorizationServer {
    /// The endpoints, at their paths under the issuer's (and the well-known documents at
    /// the root, with the issuer's path appended as RFC 8414 says). Merge it into the app
    /// that serves the MCP endpoint, or serve it alone.
    pub fn router(&self) -> Router {
        let b = self.0.base.clone();
        let mut r = Router::new()
            .route(
                &format!("/.well-known/oauth-authorization-server{b}"),
                get(metadata),
            )
            .route(&format!("{b}/authorize"), get(authorize::start))
            .route(&format!("{b}/consent"), post(authorize::decide))
            .route(&format!("{b}/token"), post(token::token))
            .route(&format!("{b}/jwks"), get(jwks))
            .route(&format!("{b}/revoke"), post(revoke::revoke));
        if self.0.registration.is_some() {
            r = r.route(&format!("{b}/register"), post(register::register));
        }
        if self.0.openid {
            r = r
                .route(
                    &format!("/.well-known/openid-configuration{b}"),
                    get(metadata),
                )
                .route(
                    &format!("{b}/userinfo"),
                    get(userinfo::userinfo).post(userinfo::userinfo),
                );
            if !b.is_empty() {
                r = r.route(
                    &format!("{b}/.well-known/openid-configuration"),
                    get(metadata),
                );
            }
        }
        r.layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(self.clone())
            .merge(self.0.authenticator.routes(&crate::user::Mount {
                issuer: self.0.issuer.issuer.clone(),
                base: b.clone(),
                grants: self.0.grants.clone(),
            }))
    }

    /// The metadata document (RFC 8414; with OpenID Connect, also the discovery document).
    pub fn metadata(&self) -> Value {
        let i = &self.0;
        let base = &i.issuer.issuer;
        let methods = &i.auth_methods;
        let mut m = json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "jwks_uri": format!("{base}/jwks"),
            "revocation_endpoint": format!("{base}/revoke"),
            "scopes_supported": i.policy.scopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "token_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_methods_supported": methods,
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": true,
            "client_id_metadata_document_supported": i.cimd.is_some(),
        });
        if i.registration.is_some() {
            m["registration_endpoint"] = format!("{base}/register").into();
        }
        if i.openid {
            let algs: Vec<String> = i
                .issuer
                .keys
                .jwks()
                .keys
                .iter()
                .filter_map(|k| k.common.key_algorithm.map(|a| format!("{a:?}")))
                .collect();
            m["userinfo_endpoint"] = format!("{base}/userinfo").into();
            m["id_token_signing_alg_values_supported"] = algs.into();
            m["subject_types_supported"] = json!(["public"]);
            m["claims_supported"] = json!(crate::oidc::claims_supported());
        }
        m
    }
}

/// JSON that no cache keeps (token responses, RFC 6749 §5.1).
pub(crate) fn no_store(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    r
}

async fn metadata(State(s): State<AuthorizationServer>) -> Response {
    Json(s.metadata()).into_response()
}

async fn jwks(State(s): State<AuthorizationServer>) -> Response {
    Json(s.0.issuer.keys.jwks()).into_response()
}
