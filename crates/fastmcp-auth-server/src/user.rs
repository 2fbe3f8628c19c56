//! Who the user is: the application says, through an [`Authenticator`]. The authorization
//! server asks it on every authorization request; it answers with the signed-in [`User`],
//! or with the response that signs one in (a login page, a redirect to the application's
//! own login, which comes back to `return_to` when done).

use std::future::Future;
use std::sync::Arc;

use axum::http::request::Parts;
use axum::response::Response;
use fastmcp_core::{BoxFuture, Error};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::grants::Grants;

/// A signed-in user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// The `sub` of their tokens: stable and unique.
    pub subject: String,
    /// Their OpenID Connect claims (`email`, `name`, ...), released by scope.
    #[serde(default)]
    pub claims: Map<String, Value>,
}

impl User {
    /// The user `subject`, without claims.
    pub fn new(subject: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            claims: Map::new(),
        }
    }

    /// With the claim `name` = `value`.
    pub fn with_claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }
}

/// Where an [`Authenticator`]'s routes are mounted, and what it may use there.
#[derive(Clone)]
pub struct Mount {
    /// The issuer identifier (an absolute URL).
    pub issuer: String,
    /// The issuer's path (`""` at the root): routes go under it.
    pub base: String,
    /// The authorization server's records (for state of its own:
    /// [`Grants::put_record`]).
    pub grants: Grants,
}

/// What an [`Authenticator`] answers.
pub enum SignIn {
    /// This user is signed in.
    User(User),
    /// No one is: send this (a login page, a redirect to one).
    Respond(Response),
}

/// How the application authenticates its users. `return_to` is the path and query of the
/// authorization request, where a login should send the user back.
pub trait Authenticator: Send + Sync + 'static {
    /// Who sent this request.
    fn authenticate<'a>(
        &'a self,
        req: &'a Parts,
        return_to: &'a str,
    ) -> BoxFuture<'a, Result<SignIn, Error>>;

    /// Routes of its own (a login form, an upstream callback), mounted where `at` says.
    fn routes(&self, at: &Mount) -> axum::Router {
        let _ = at;
        axum::Router::new()
    }
}

impl<A: Authenticator + ?Sized> Authenticator for Arc<A> {
    fn authenticate<'a>(
        &'a self,
        req: &'a Parts,
        return_to: &'a str,
    ) -> BoxFuture<'a, Result<SignIn, Error>> {
        (**self).authenticate(req, return_to)
    }

    fn routes(&self, at: &Mount) -> axum::Router {
        (**self).routes(at)
    }
}

/// An [`Authenticator`] from an async closure, for users whom something in front of the
/// server has authenticated already (a header set by a reverse proxy, the application's
/// own session cookie).
///
/// ```
/// use fastmcp_auth_server::{FnAuthenticator, SignIn, User};
/// use axum::response::IntoResponse;
/// let auth = FnAuthenticator::new(|parts, _return_to| {
///     let who = parts.headers.get("x-forwarded-user").and_then(|v| v.to_str().ok()).map(str::to_owned);
///     async move {
///         Ok(match who {
///             Some(u) => SignIn::User(User::new(u)),
///             None => SignIn::Respond((axum::http::StatusCode::UNAUTHORIZED, "sign in first").into_response()),
///         })
///     }
/// });
/// # let _ = auth;
/// ```
pub struct FnAuthenticator<F>(F);

impl<F, Fut> FnAuthenticator<F>
where
    F: Fn(&Parts, &str) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<SignIn, Error>> + Send + 'static,
{
    /// The authenticator `f`.
    pub fn new(f: F) -> Self {
        Self(f)
    }
}

impl<F, Fut> Authenticator for FnAuthenticator<F>
where
    F: Fn(&Parts, &str) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<SignIn, Error>> + Send + 'static,
{
    fn authenticate<'a>(
        &'a self,
        req: &'a Parts,
        return_to: &'a str,
    ) -> BoxFuture<'a, Result<SignIn, Error>> {
        Box::pin((self.0)(req, return_to))
    }
}
