//! The [`TokenVerifier`] trait, and the simplest verifiers: static tokens, a closure, and
//! several verifiers tried in order.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use fastmcp_core::{AuthInfo, BoxFuture};

/// Why a token was not accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The token is not valid here (bad signature, expired, wrong issuer or audience,
    /// unknown, revoked): the client needs another token. Answered with 401
    /// `invalid_token`. The reason is for logs; it never holds the token.
    Invalid(String),
    /// The token cannot be checked now (the key set or the introspection endpoint is
    /// unreachable or answered garbage): not the client's fault. Answered with 503.
    Unavailable(String),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VerifyError::Invalid(why) => write!(f, "invalid token: {why}"),
            VerifyError::Unavailable(why) => write!(f, "cannot verify the token now: {why}"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Turns a bearer token into the identity of who holds it.
///
/// Implemented by [`StaticTokens`], [`FnVerifier`], [`Verifiers`] and the JWT and
/// introspection verifiers; implement it for anything else.
///
/// ```
/// use fastmcp_auth::{AuthInfo, BoxFuture, TokenVerifier, VerifyError};
///
/// struct Prefix;
/// impl TokenVerifier for Prefix {
///     fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
///         Box::pin(async move {
///             match token.strip_prefix("user-") {
///                 Some(user) => Ok(AuthInfo::new().with_subject(user)),
///                 None => Err(VerifyError::Invalid("unknown token".into())),
///             }
///         })
///     }
/// }
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verify `token` (the bearer token, without `Bearer `).
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>>;

    /// [`TokenVerifier::verify`], the identity shared: what the server keeps per request. A
    /// verifier that holds identities already (a cache) hands out its own, uncopied.
    fn verify_shared<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Arc<AuthInfo>, VerifyError>> {
        Box::pin(async move { self.verify(token).await.map(Arc::new) })
    }
}

impl<V: TokenVerifier + ?Sized> TokenVerifier for Arc<V> {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        (**self).verify(token)
    }

    fn verify_shared<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Arc<AuthInfo>, VerifyError>> {
        (**self).verify_shared(token)
    }
}

impl<V: TokenVerifier + ?Sized> TokenVerifier for Box<V> {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        (**self).verify(token)
    }

    fn verify_shared<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Arc<AuthInfo>, VerifyError>> {
        (**self).verify_shared(token)
    }
}

/// Fixed tokens, each with its identity: for development and tests.
///
/// ```
/// use fastmcp_auth::{StaticTokens, AuthInfo};
/// let tokens = StaticTokens::new().token("t1", AuthInfo::new().with_subject("bob"));
/// ```
#[derive(Clone, Default)]
pub struct StaticTokens {
    tokens: HashMap<String, AuthInfo>,
}

impl fmt::Debug for StaticTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the tokens themselves.
        f.debug_struct("StaticTokens")
            .field("tokens", &self.tokens.len())
            .finish()
    }
}

impl StaticTokens {
    /// No tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accept `token` as `who`.
    pub fn token(mut self, token: impl Into<String>, who: AuthInfo) -> Self {
        self.tokens.insert(token.into(), who);
        self
    }
}

impl TokenVerifier for StaticTokens {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        let found = self.tokens.get(token).cloned();
        Box::pin(async move { found.ok_or_else(|| VerifyError::Invalid("unknown token".into())) })
    }
}

/// A verifier from an async closure.
///
/// ```
/// use fastmcp_auth::{FnVerifier, AuthInfo, VerifyError};
/// let v = FnVerifier::new(|token: String| async move {
///     if token == "let-me-in" {
///         Ok(AuthInfo::new().with_subject("guest"))
///     } else {
///         Err(VerifyError::Invalid("no".into()))
///     }
/// });
/// ```
pub struct FnVerifier<F> {
    f: F,
}

impl<F> FnVerifier<F> {
    /// Verify with `f`, given the token.
    pub fn new<Fut>(f: F) -> Self
    where
        F: Fn(String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<AuthInfo, VerifyError>> + Send + 'static,
    {
        FnVerifier { f }
    }
}

impl<F> fmt::Debug for FnVerifier<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnVerifier")
    }
}

impl<F, Fut> TokenVerifier for FnVerifier<F>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AuthInfo, VerifyError>> + Send + 'static,
{
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin((self.f)(token.to_owned()))
    }
}

/// Several verifiers tried in order: the first that accepts the token wins. When none
/// does, the answer is [`VerifyError::Unavailable`] if any of them could not check it
/// (the token might be valid), else the last [`VerifyError::Invalid`].
///
/// ```
/// use fastmcp_auth::{StaticTokens, Verifiers, AuthInfo};
/// let v = Verifiers::new()
///     .with(StaticTokens::new().token("a", AuthInfo::new()))
///     .with(StaticTokens::new().token("b", AuthInfo::new()));
/// ```
#[derive(Default)]
pub struct Verifiers {
    list: Vec<Box<dyn TokenVerifier>>,
}

impl fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifiers")
            .field("len", &self.list.len())
            .finish()
    }
}

impl Verifiers {
    /// No verifiers yet (accepts nothing).
    pub fn new() -> Self {
        Self::default()
    }

    /// Try `v` after the ones before.
    pub fn with(mut self, v: impl TokenVerifier) -> Self {
        self.list.push(Box::new(v));
        self
    }
}

impl TokenVerifier for Verifiers {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move {
            let mut unavailable = None;
            let mut invalid = VerifyError::Invalid("no verifier accepts the token".into());
            for v in &self.list {
                match v.verify(token).await {
                    Ok(who) => return Ok(who),
                    Err(e @ VerifyError::Unavailable(_)) => unavailable = Some(e),
                    Err(e) => invalid = e,
                }
            }
            Err(unavailable.unwrap_or(invalid))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Down;
    impl TokenVerifier for Down {
        fn verify<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
            Box::pin(async { Err(VerifyError::Unavailable("jwks unreachable".into())) })
        }
    }

    #[tokio::test]
    async fn verifiers_in_order() {
        let v = Verifiers::new()
            .with(StaticTokens::new().token("a", AuthInfo::new().with_subject("first")))
            .with(FnVerifier::new(|t: String| async move {
                if t.starts_with('b') {
                    Ok(AuthInfo::new().with_subject("second"))
                } else {
                    Err(VerifyError::Invalid("not b".into()))
                }
            }));
        assert_eq!(
            v.verify("a").await.unwrap().subject.as_deref(),
            Some("first")
        );
        assert_eq!(
            v.verify("bx").await.unwrap().subject.as_deref(),
            Some("second")
        );
        assert_eq!(
            v.verify("c").await,
            Err(VerifyError::Invalid("not b".into()))
        );
        assert!(matches!(
            Verifiers::new().verify("x").await,
            Err(VerifyError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn unavailable_wins_over_invalid() {
        let v = Verifiers::new().with(Down).with(StaticTokens::new());
        assert!(matches!(
            v.verify("x").await,
            Err(VerifyError::Unavailable(_))
        ));
        let v = Verifiers::new()
            .with(Down)
            .with(StaticTokens::new().token("x", AuthInfo::new()));
        assert!(v.verify("x").await.is_ok());
    }

    #[test]
    fn debug_never_shows_tokens() {
        let t = StaticTokens::new().token("secret-token", AuthInfo::new());
        assert!(!format!("{t:?}").contains("secret-token"));
    }
}
