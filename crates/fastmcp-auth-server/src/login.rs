//! [`PasswordLogin`]: a ready [`Authenticator`] with a login form of its own, for
//! development, tests and small deployments. The application checks the user name and
//! password; a signed session cookie (HMAC-SHA256, `HttpOnly`, `SameSite=Lax`, `Secure` unless turned off) remembers the user.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::extract::{Form, Query};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use fastmcp_core::{BoxFuture, Error};
use serde::Deserialize;

use crate::html::{escape, page};
use crate::session::{cookie, Session};
use crate::token::new_secret;
use crate::user::{Authenticator, Mount, SignIn, User};

const LOGIN_CSRF: &str = "fastmcp_login_csrf";

type Check = dyn Fn(String, String) -> BoxFuture<'static, Option<User>> + Send + Sync;

#[derive(Clone)]
struct Inner {
    check: Arc<Check>,
    session: Session,
    base: OnceLock<String>,
}

/// A login form and a signed session cookie.
///
/// ```
/// use fastmcp_auth_server::{PasswordLogin, User};
/// let login = PasswordLogin::new(|name, password| async move {
///     (name == "alice" && password == "wonderland").then(|| User::new("alice").with_claim("email", "alice@example.com"))
/// })
/// .session_ttl(std::time::Duration::from_secs(3600));
/// # let _ = login;
/// ```
#[derive(Clone)]
pub struct PasswordLogin(Arc<Inner>);

impl PasswordLogin {
    /// Users checked by `check(name, password)`. The cookie key is random (sessions end
    /// with the process; give replicas one [`PasswordLogin::secret`]).
    pub fn new<F, Fut>(check: F) -> Self
    where
        F: Fn(String, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Option<User>> + Send + 'static,
    {
        Self(Arc::new(Inner {
            check: Arc::new(move |n, p| Box::pin(check(n, p))),
            session: Session {
                key: new_secret().into_bytes(),
                ttl: 8 * 3600,
                secure: true,
            },
            base: OnceLock::new(),
        }))
    }

    fn edit(self, f: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = (*self.0).clone();
        f(&mut inner);
        Self(Arc::new(inner))
    }

    /// The key that signs session cookies (shared by the replicas of one server).
    pub fn secret(self, key: &[u8]) -> Self {
        let key = key.to_vec();
        self.edit(|i| i.session.key = key)
    }

    /// How long a sign-in lasts (8 hours by default).
    pub fn session_ttl(self, ttl: Duration) -> Self {
        self.edit(|i| i.session.ttl = ttl.as_secs().max(1))
    }

    /// Cookies without `Secure`, for plain HTTP other than `localhost` (development only).
    pub fn insecure_http(self) -> Self {
        self.edit(|i| i.session.secure = false)
    }

    fn base(&self) -> &str {
        self.0.base.get().map(String::as_str).unwrap_or("")
    }

    fn form(&self, return_to: &str, status: StatusCode, note: &str) -> Response {
        let csrf = new_secret();
        let body = format!(
            "{note}<form method=\"post\" action=\"{base}/login\">\
             <label>User name<input name=\"username\" autocomplete=\"username\" required></label>\
             <label>Password<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
             <input type=\"hidden\" name=\"return_to\" value=\"{rt}\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <button>Sign in</button></form>",
            base = escape(self.base()),
            rt = escape(return_to),
        );
        let mut r = page(status, "Sign in", &body);
        let c = self
            .0
            .session
            .cookie(LOGIN_CSRF, &csrf, &format!("{}/login", self.base()), 1800);
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r
    }

    /// A `return_to` this login may send the user back to: the authorization endpoint.
    fn safe_return(&self, return_to: &str) -> bool {
        return_to
            .strip_prefix(self.base())
            .is_some_and(|rest| rest.starts_with("/authorize?"))
            && !return_to.contains("//")
            && !return_to.contains('\\')
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    return_to: String,
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    return_to: String,
    csrf: String,
}

impl Authenticator for PasswordLogin {
    fn authenticate<'a>(
        &'a self,
        req: &'a Parts,
        return_to: &'a str,
    ) -> BoxFuture<'a, Result<SignIn, Error>> {
        let answer = match self.0.session.user(&req.headers) {
            Some(user) => SignIn::User(user),
            None => {
                let q = form_urlencoded::Serializer::new(String::new())
                    .append_pair("return_to", return_to)
                    .finish();
                SignIn::Respond(Redirect::to(&format!("{}/login?{q}", self.base())).into_response())
            }
        };
        Box::pin(async move { Ok(answer) })
    }

    fn routes(&self, at: &Mount) -> axum::Router {
        let base = at.base.as_str();
        let _ = self.0.base.set(base.to_owned());
        let (show, post) = (self.clone(), self.clone());
        axum::Router::new().route(
            &format!("{base}/login"),
            get(move |Query(q): Query<LoginQuery>| async move {
                if !show.safe_return(&q.return_to) {
                    return crate::html::error(
                        StatusCode::BAD_REQUEST,
                        "return_to is not this server's authorization endpoint",
                    );
                }
                show.form(&q.return_to, StatusCode::OK, "")
            })
            .post(
                move |headers: HeaderMap, Form(f): Form<LoginForm>| async move {
                    post.login(headers, f).await
                },
            ),
        )
    }
}

impl PasswordLogin {
    async fn login(&self, headers: HeaderMap, f: LoginForm) -> Response {
        if !self.safe_return(&f.return_to) {
            return crate::html::error(
                StatusCode::BAD_REQUEST,
                "return_to is not this server's authorization endpoint",
            );
        }
        if f.csrf.is_empty() || cookie(&headers, LOGIN_CSRF).as_deref() != Some(f.csrf.as_str()) {
            return crate::html::error(
                StatusCode::FORBIDDEN,
                "the sign-in form expired: start again",
            );
        }
        match (self.0.check)(f.username, f.password).await {
            None => self.form(
                &f.return_to,
                StatusCode::UNAUTHORIZED,
                "<p>Wrong user name or password.</p>",
            ),
            Some(user) => {
                let mut r = Redirect::to(&f.return_to).into_response();
                self.0.session.sign_in(&mut r, &user);
                r
            }
        }
    }
}
