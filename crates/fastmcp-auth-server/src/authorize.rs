//! The authorization request (OAuth 2.1 §4.1.1), checked before the user is asked
//! anything: the client must be known and the redirect URI one of its own (else the error
//! is shown, never sent to an unchecked URI); then the response type, PKCE, scopes and
//! resource, whose errors go back to the client's redirect URI with `state` and `iss`
//! (RFC 9207).

use fastmcp_core::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::grants::{Grants, RegisteredClient};
use crate::pkce;
use crate::redirect;

/// Where the clients come from: the store, and Client ID Metadata Documents.
pub trait ClientSource: Send + Sync {
    /// The client of this id; `Err` says why it cannot be known now.
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<RegisteredClient>, String>>;
}

impl ClientSource for Grants {
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<RegisteredClient>, String>> {
        Box::pin(async move {
            Grants::client(self, client_id)
                .await
                .map_err(|e| e.message().to_owned())
        })
    }
}

/// An authorization request's parameters (from its query string; a parameter given twice
/// is refused when it is read).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuthorizationRequest {
    /// `client_id`.
    pub client_id: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `response_type`.
    pub response_type: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `resource` (RFC 8707).
    pub resource: Option<String>,
    /// `nonce` (OpenID Connect), carried into the ID token.
    pub nonce: Option<String>,
    /// `prompt` (OpenID Connect): `consent` asks the user again.
    pub prompt: Option<String>,
}

/// A request that passed: what the consent step shows and the code will hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// The client.
    pub client_id: String,
    /// The client's name, if it gave one.
    pub client_name: Option<String>,
    /// The redirect URI (one of the client's).
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub challenge: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The resource the grant will be bound to.
    pub resource: Option<String>,
    /// The client's `state`, returned as it came.
    pub state: Option<String>,
    /// The OpenID Connect `nonce`.
    pub nonce: Option<String>,
}

/// Why a request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeError {
    /// Shown to the user, never redirected: the client or its redirect URI is not known
    /// to be the client's.
    Show(String),
    /// Sent to the client's (checked) redirect URI: `error`, `error_description`, `state`
    /// and `iss` in its query.
    Redirect(String),
}

/// What the server offers that a request is checked against.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The issuer (`iss` of the redirects).
    pub issuer: String,
    /// The scopes the server grants.
    pub scopes: Vec<String>,
    /// The resources a grant may be bound to (empty: any).
    pub resources: Vec<String>,
}

fn redirect_to(uri: &str, params: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        q.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", q.finish())
}

/// The error redirect of a checked redirect URI.
pub fn error_redirect(
    policy: &Policy,
    redirect_uri: &str,
    state: Option<&str>,
    error: &str,
    description: &str,
) -> String {
    let mut p = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        p.push(("state", s));
    }
    p.push(("iss", &policy.issuer));
    redirect_to(redirect_uri, &p)
}

/// The success redirect: the code, the client's `state`, and `iss` (RFC 9207).
pub fn code_redirect(policy: &Policy, checked: &Checked, code: &str) -> String {
    let mut p = vec![("code", code)];
    if let Some(s) = &checked.state {
        p.push(("state", s));
    }
    p.push(("iss", &policy.issuer));
    redirect_to(&checked.redirect_uri, &p)
}

/// Check an authorization request.
pub async fn check(
    clients: &dyn ClientSource,
    policy: &Policy,
    req: &AuthorizationRequest,
) -> Result<Checked, AuthorizeError> {
    let show = |m: &str| AuthorizeError::Show(m.to_owned());
    let client_id = req
        .client_id
        .as_deref()
        .ok_or_else(|| show("client_id is required"))?;
    let client = clients
        .client(client_id)
        .await
        .map_err(|e| show(&e))?
        .ok_or_else(|| show("unknown client_id"))?;
    let redirect_uri = match (&req.redirect_uri, client.redirect_uris.as_slice()) {
        (Some(u), _) => u.clone(),
        (None, [only]) => only.clone(),
        (None, _) => return Err(show("redirect_uri is required")),
    };
    redirect::matches(&client.redirect_uris, &redirect_uri).map_err(|e| show(&e.to_string()))?;
    // From here on, errors go back to the client.
    let back = |error: &str, d: &str| {
        AuthorizeError::Redirect(error_redirect(
            policy,
            &redirect_uri,
            req.state.as_deref(),
            error,
            d,
        ))
    };
    if req.response_type.as_deref() != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "response_type must be code",
        ));
    }
    let challenge = pkce::check_challenge(
        req.code_challenge.as_deref(),
        req.code_challenge_method.as_deref(),
    )
    .map_err(|e| back("invalid_request", &e.to_string()))?;
    let scopes: Vec<String> = req
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    let allowed = |s: &String| {
        policy.scopes.contains(s) && (client.scopes.is_empty() || client.scopes.contains(s))
    };
    if let Some(bad) = scopes.iter().find(|s| !allowed(s)) {
        return Err(back(
            "invalid_scope",
            &format!("{bad} is not offered to this client"),
        ));
    }
    if let Some(r) = &req.resource {
        if !policy.resources.is_empty() && !policy.resources.contains(r) {
            return Err(back("invalid_target", "unknown resource"));
        }
    }
    Ok(Checked {
        client_id: client.client_id,
        client_name: client.name,
        redirect_uri,
        challenge,
        scopes,
        resource: req.resource.clone(),
        state: req.state.clone(),
        nonce: req.nonce.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use std::sync::Arc;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn policy() -> Policy {
        Policy {
            issuer: "https://as.example".into(),
            scopes: vec!["notes:read".into(), "notes:write".into()],
            resources: vec!["https://mcp.example/mcp".into()],
        }
    }

    async fn store() -> Grants {
        let s = Grants::new(Arc::new(MemoryStore::new()));
        let c = RegisteredClient::public("app", &["http://127.0.0.1/cb"])
            .with_scopes(&["notes:read"])
            .with_name("Notes app");
        s.put_client(&c, 60).await.unwrap();
        s
    }

    fn request() -> AuthorizationRequest {
        AuthorizationRequest {
            client_id: Some("app".into()),
            redirect_uri: Some("http://127.0.0.1:49152/cb".into()),
            response_type: Some("code".into()),
            code_challenge: Some(CHALLENGE.into()),
            code_challenge_method: Some("S256".into()),
            scope: Some("notes:read".into()),
            state: Some("xyz".into()),
            resource: Some("https://mcp.example/mcp".into()),
            ..Default::default()
        }
    }

    #[tokio::test]
    async fn a_good_request_passes_and_the_code_redirect_carries_state_and_iss() {
        let (s, p) = (store().await, policy());
        let c = check(&s, &p, &request()).await.unwrap();
        assert_eq!(c.redirect_uri, "http://127.0.0.1:49152/cb");
        let to = code_redirect(&p, &c, "the-code");
        assert_eq!(
            to,
            "http://127.0.0.1:49152/cb?code=the-code&state=xyz&iss=https%3A%2F%2Fas.example"
        );
    }

    #[tokio::test]
    async fn client_and_redirect_problems_are_shown_never_redirected() {
        let (s, p) = (store().await, policy());
        for req in [
            AuthorizationRequest {
                client_id: None,
                ..request()
            },
            AuthorizationRequest {
                client_id: Some("nope".into()),
                ..request()
            },
            AuthorizationRequest {
                redirect_uri: Some("https://evil.example/cb".into()),
                ..request()
            },
            AuthorizationRequest {
                redirect_uri: Some("http://127.0.0.1/cb/../x".into()),
                ..request()
            },
            AuthorizationRequest {
                redirect_uri: Some("http://127.0.0.1/cb?next=https://evil.example".into()),
                ..request()
            },
        ] {
            assert!(
                matches!(check(&s, &p, &req).await, Err(AuthorizeError::Show(_))),
                "{req:?}"
            );
        }
    }

    #[tokio::test]
    async fn other_problems_go_back_to_the_client_with_state_and_iss() {
        let (s, p) = (store().await, policy());
        for (req, error) in [
            (
                AuthorizationRequest {
                    response_type: Some("token".into()),
                    ..request()
                },
                "unsupported_response_type",
            ),
            (
                AuthorizationRequest {
                    code_challenge: None,
                    ..request()
                },
                "invalid_request",
            ),
            (
                AuthorizationRequest {
                    code_challenge_method: Some("plain".into()),
                    ..request()
                },
                "invalid_request",
            ),
            (
                AuthorizationRequest {
                    scope: Some("notes:write".into()),
                    ..request()
                },
                "invalid_scope",
            ),
            (
                AuthorizationRequest {
                    resource: Some("https://other.example".into()),
                    ..request()
                },
                "invalid_target",
            ),
        ] {
            match check(&s, &p, &req).await {
                Err(AuthorizeError::Redirect(to)) => {
                    assert!(to.starts_with("http://127.0.0.1:49152/cb?error="), "{to}");
                    assert!(to.contains(&format!("error={error}")), "{to}");
                    assert!(
                        to.ends_with("&state=xyz&iss=https%3A%2F%2Fas.example"),
                        "{to}"
                    );
                }
                other => panic!("{req:?}: {other:?}"),
            }
        }
    }
}
