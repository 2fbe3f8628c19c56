//! The protected resource on HTTP ([`HttpOptions::auth`](super::HttpOptions::auth)): the
//! metadata routes (RFC 9728), the layer that checks every request's bearer token, and the
//! 403 of a component whose scopes the token lacks.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use fastmcp_auth::{Refusal, ResourceServer};
use fastmcp_core::{AuthInfo, HttpParts};
use serde_json::Value;

use crate::call::Caller;

/// Check the request's token: let it through with its identity in the request's
/// extensions, or answer the refusal. The token itself never leaves this function.
pub(crate) async fn require(
    State(rs): State<Arc<ResourceServer>>,
    mut req: Request,
    next: Next,
) -> Response {
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    match rs.authenticate(authorization, req.uri().query()).await {
        Ok(who) => {
            req.extensions_mut().insert(who);
            next.run(req).await
        }
        Err(refusal) => {
            tracing::debug!(
                status = refusal.status,
                error = refusal.error,
                "request refused: {}",
                refusal.description
            );
            refusal_response(&refusal)
        }
    }
}

/// The HTTP answer of a refusal.
pub(crate) fn refusal_response(r: &Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut resp = (status, axum::Json(r.body())).into_response();
    if let Some(c) = r
        .challenge
        .as_deref()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, c);
    }
    if r.status == 503 {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    }
    resp
}

/// Wrap `router`'s routes in the token check when `rs` is set.
pub(crate) fn protect(router: axum::Router, rs: Option<&Arc<ResourceServer>>) -> axum::Router {
    match rs {
        Some(rs) => router.layer(axum::middleware::from_fn_with_state(rs.clone(), require)),
        None => router,
    }
}

/// The metadata document at each of its paths (open to any origin: browsers fetch it).
pub(crate) fn metadata_router(rs: &Arc<ResourceServer>) -> axum::Router {
    let body = Arc::new(rs.metadata());
    let mut r = axum::Router::new();
    for path in rs.metadata_paths() {
        let body = body.clone();
        r = r.route(
            &path,
            get(move || async move {
                (
                    [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
                    axum::Json((*body).clone()),
                )
            }),
        );
    }
    r
}

/// The identity [`require`] left on a request.
pub(crate) fn identity(ext: &axum::http::Extensions) -> Option<Arc<AuthInfo>> {
    ext.get::<Arc<AuthInfo>>().cloned()
}

/// Who sent an HTTP request: the identity [`require`] left on it, and its parts.
pub(crate) fn caller_of(
    auth: Option<Arc<AuthInfo>>,
    method: &axum::http::Method,
    uri: &axum::http::Uri,
    headers: &axum::http::HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> Caller {
    Caller {
        auth,
        http: Some(Arc::new(HttpParts::new(
            method.clone(),
            uri.clone(),
            headers.clone(),
            peer,
        ))),
    }
}

/// Whose a session is: the subject and client of the token that opened it (nobody's on a
/// server without auth). A request of the session with another identity is refused, so a
/// session id that leaks does not hand one user's session to another.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Owner(Option<(Option<String>, Option<String>)>);

impl Owner {
    /// The owner of a session opened by `auth`.
    pub(crate) fn of(auth: Option<&AuthInfo>) -> Owner {
        Owner(auth.map(|a| (a.subject.clone(), a.client_id.clone())))
    }

    /// The owner as (subject, client id), if the session was opened with an identity.
    pub(crate) fn parts(&self) -> Option<(Option<String>, Option<String>)> {
        self.0.clone()
    }

    /// The owner [`Owner::parts`] describe.
    pub(crate) fn from_parts(parts: Option<(Option<String>, Option<String>)>) -> Owner {
        Owner(parts)
    }

    /// Whether `auth` is this owner (compared in place, nothing copied: once per request).
    pub(crate) fn is(&self, auth: Option<&AuthInfo>) -> bool {
        match (&self.0, auth) {
            (None, None) => true,
            (Some((sub, client)), Some(a)) => *sub == a.subject && *client == a.client_id,
            _ => false,
        }
    }
}

/// The answer to a request whose identity is not its session's owner.
pub(crate) fn not_the_owner() -> Response {
    super::guard::rpc_error(
        StatusCode::FORBIDDEN,
        None,
        fastmcp_protocol::error_code::INVALID_REQUEST,
        "This session belongs to another identity: open a session of your own",
    )
}

/// The JSON-RPC code of a request refused by a component's authorization requirement.
const FORBIDDEN: i64 = -32003;

/// What turns a JSON-RPC "insufficient scope" answer into a 403 step-up challenge.
#[derive(Clone)]
pub(crate) struct StepUp {
    pub(crate) rs: Arc<ResourceServer>,
    pub(crate) who: Arc<AuthInfo>,
}

impl StepUp {
    /// The step-up of a request, when its server requires tokens.
    pub(crate) fn of(rs: Option<&Arc<ResourceServer>>, caller: &Caller) -> Option<StepUp> {
        Some(StepUp {
            rs: rs?.clone(),
            who: caller.auth.clone()?,
        })
    }

    /// The 403 for an answer that is a -32003 error naming missing scopes.
    pub(crate) fn refusal(&self, answer: &[u8]) -> Option<Response> {
        let code = b"-32003";
        if !answer.windows(code.len()).any(|w| w == code) {
            return None;
        }
        let v: Value = serde_json::from_slice(answer).ok()?;
        let err = v.get("error")?;
        if err.get("code")?.as_i64()? != FORBIDDEN {
            return None;
        }
        let missing: Vec<&str> = err
            .get("data")?
            .get("missingScopes")?
            .as_array()?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        if missing.is_empty() {
            return None;
        }
        Some(refusal_response(
            &self.rs.insufficient_scope(&self.who, &missing),
        ))
    }
}
