//! `GET /authorize` and `POST /consent`: the request checked ([`crate::authorize::check`]),
//! the user authenticated by the application's [`crate::Authenticator`], then either a
//! remembered consent or the consent page, whose form carries a CSRF token bound to the
//! pending request and the signed-in user; the code goes back with `state` and `iss`.

use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::form;
use crate::authorize::{self, AuthorizationRequest, AuthorizeError, Checked};
use crate::grants::{now, CodeGrant};
use crate::html;
use crate::pkce::same;
use crate::server::{AuthorizationServer, Inner};
use crate::token::{new_family, new_secret, new_value};
use crate::user::{SignIn, User};

/// A request waiting for the user's consent.
#[derive(Serialize, Deserialize)]
struct Pending {
    checked: Checked,
    subject: String,
    csrf: String,
    auth_time: u64,
}

fn request_of(query: &str) -> Result<AuthorizationRequest, String> {
    let q = form::parse(query.as_bytes())?;
    let get = |k: &str| q.get(k).cloned();
    Ok(AuthorizationRequest {
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        response_type: get("response_type"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        scope: get("scope"),
        state: get("state"),
        resource: get("resource"),
        nonce: get("nonce"),
        prompt: get("prompt"),
    })
}

async fn user(s: &Inner, parts: &Parts, return_to: &str) -> Result<User, Response> {
    match s.authenticator.authenticate(parts, return_to).await {
        Ok(SignIn::User(u)) => Ok(u),
        Ok(SignIn::Respond(r)) => Err(r),
        Err(e) => Err(html::error(StatusCode::SERVICE_UNAVAILABLE, e.message())),
    }
}

fn unavailable(e: fastmcp_core::Error) -> Response {
    html::error(StatusCode::SERVICE_UNAVAILABLE, e.message())
}

/// Issue a code for `checked` and send the user back to the client with it.
async fn grant(s: &Inner, checked: &Checked, subject: &str, auth_time: u64) -> Response {
    let code = new_value(&new_family());
    let g = CodeGrant {
        client_id: checked.client_id.clone(),
        redirect_uri: checked.redirect_uri.clone(),
        challenge: checked.challenge.clone(),
        resource: checked.resource.clone(),
        scopes: checked.scopes.clone(),
        subject: subject.to_owned(),
        expires_at: now() + s.ttl.code,
        nonce: checked.nonce.clone(),
        auth_time,
    };
    if let Err(e) = s.grants.put_code(&code, &g).await {
        return unavailable(e);
    }
    Redirect::to(&authorize::code_redirect(&s.policy, checked, &code)).into_response()
}

pub(crate) async fn start(State(s): State<AuthorizationServer>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let s = &s.0;
    let query = parts.uri.query().unwrap_or_default();
    let request = match request_of(query) {
        Ok(r) => r,
        Err(e) => return html::error(StatusCode::BAD_REQUEST, &e),
    };
    let checked = match authorize::check(&**s, &s.policy, &request).await {
        Ok(c) => c,
        Err(AuthorizeError::Show(m)) => return html::error(StatusCode::BAD_REQUEST, &m),
        Err(AuthorizeError::Redirect(to)) => return Redirect::to(&to).into_response(),
    };
    let return_to = format!("{}/authorize?{query}", s.base);
    let u = match user(s, &parts, &return_to).await {
        Ok(u) => u,
        Err(r) => return r,
    };
    if let Err(e) = s
        .grants
        .put_user(&u.subject, &u.claims, s.issuer.refresh_ttl)
        .await
    {
        return unavailable(e);
    }
    let t = now();
    if s.ttl.consent > 0 && request.prompt.as_deref() != Some("consent") {
        match s.grants.consent(&u.subject, &checked.client_id).await {
            Ok(given) if !given.is_empty() && checked.scopes.iter().all(|x| given.contains(x)) => {
                return grant(s, &checked, &u.subject, t).await
            }
            Ok(_) => {}
            Err(e) => return unavailable(e),
        }
    }
    let (txn, csrf) = (new_secret(), new_secret());
    let pending = Pending {
        checked,
        subject: u.subject.clone(),
        csrf,
        auth_time: t,
    };
    if let Err(e) = s.grants.put_pending(&txn, &pending, s.ttl.pending).await {
        return unavailable(e);
    }
    let c = &pending.checked;
    html::consent(&html::Consent {
        action: &format!("{}/consent", s.base),
        txn: &txn,
        csrf: &pending.csrf,
        client: c.client_name.as_deref().unwrap_or(&c.client_id),
        redirect_uri: &c.redirect_uri,
        scopes: &c.scopes,
        resource: c.resource.as_deref(),
        user: &u.subject,
    })
}

pub(crate) async fn decide(State(s): State<AuthorizationServer>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let s = &s.0;
    let Ok(body) = axum::body::to_bytes(body, 16 * 1024).await else {
        return html::error(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large");
    };
    let f = match form::parse(&body) {
        Ok(f) => f,
        Err(e) => return html::error(StatusCode::BAD_REQUEST, &e),
    };
    let Some(txn) = f.get("txn") else {
        return html::error(StatusCode::BAD_REQUEST, "the consent form is incomplete");
    };
    let pending: Pending =
        match s.grants.take_pending(txn).await {
            Ok(Some(p)) => p,
            Ok(None) => return html::error(
                StatusCode::BAD_REQUEST,
                "this request expired or was answered already: start again from the application",
            ),
            Err(e) => return unavailable(e),
        };
    let csrf_ok = f.get("csrf").is_some_and(|c| same(c, &pending.csrf));
    if !csrf_ok {
        return html::error(
            StatusCode::FORBIDDEN,
            "the consent was not sent from its page (its CSRF token is missing or wrong)",
        );
    }
    match user(s, &parts, "").await {
        Ok(u) if u.subject == pending.subject => {}
        Ok(_) | Err(_) => {
            return html::error(
                StatusCode::FORBIDDEN,
                "the consent was not sent by the user who was asked",
            )
        }
    }
    let c = &pending.checked;
    if f.get("decision").map(String::as_str) != Some("allow") {
        let to = authorize::error_redirect(
            &s.policy,
            &c.redirect_uri,
            c.state.as_deref(),
            "access_denied",
            "the user denied the request",
        );
        return Redirect::to(&to).into_response();
    }
    if s.ttl.consent > 0 {
        if let Err(e) = s
            .grants
            .put_consent(&pending.subject, &c.client_id, &c.scopes, s.ttl.consent)
            .await
        {
            return unavailable(e);
        }
    }
    grant(s, c, &pending.subject, pending.auth_time).await
}
