//! The hook through which the HTTP client transports get authorized: an [`HttpAuth`] gives
//! the `Authorization` header of each request and, when the server answers 401 or 403,
//! may obtain a (new) token so that the request is sent once more.
//!
//! The transports know nothing of OAuth: `fastmcp-client`'s `oauth` module implements
//! this trait. Without an `HttpAuth` a transport pays one `Option` check per request.
//!
//! ```
//! use std::sync::Arc;
//! use fastmcp_transport::http_auth::{AuthFuture, Challenge, HttpAuth};
//!
//! /// A fixed token (a real implementation would fetch one on a challenge).
//! struct Fixed(String);
//!
//! impl HttpAuth for Fixed {
//!     fn header(&self) -> AuthFuture<'_, Option<String>> {
//!         let v = format!("Bearer {}", self.0);
//!         Box::pin(async move { Some(v) })
//!     }
//!     fn challenge<'a>(&'a self, _c: &'a Challenge) -> AuthFuture<'a, bool> {
//!         Box::pin(async { false }) // nothing better to offer: no retry
//!     }
//! }
//!
//! let auth: Arc<dyn HttpAuth> = Arc::new(Fixed("t".into()));
//! let _t = fastmcp_transport::http_client::StreamableHttp::new("http://127.0.0.1:1/mcp").auth(auth);
//! ```

use std::future::Future;
use std::pin::Pin;

/// A boxed future of an [`HttpAuth`] method.
pub type AuthFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the server answered when it refused a request: 401 or 403 with its
/// `WWW-Authenticate` header.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Challenge {
    /// The HTTP status (401 or 403).
    pub status: u16,
    /// The `WWW-Authenticate` header, when there was one (several are joined by `, `).
    pub www_authenticate: Option<String>,
    /// The URL of the refused request.
    pub url: String,
    /// The `Authorization` value the refused request carried, if any.
    pub sent: Option<String>,
}

impl Challenge {
    /// A challenge of `status` for a request to `url`.
    pub fn new(status: u16, url: impl Into<String>) -> Self {
        Challenge {
            status,
            www_authenticate: None,
            url: url.into(),
            sent: None,
        }
    }

    /// With this `WWW-Authenticate` header.
    pub fn www_authenticate(mut self, v: impl Into<String>) -> Self {
        self.www_authenticate = Some(v.into());
        self
    }

    /// With the `Authorization` value the refused request carried.
    pub fn sent(mut self, v: Option<String>) -> Self {
        self.sent = v;
        self
    }
}

/// Authorization of the HTTP requests of a client transport.
pub trait HttpAuth: Send + Sync + 'static {
    /// The `Authorization` header value for the next request (e.g. `Bearer …`), or none.
    /// May refresh a token that is about to expire.
    fn header(&self) -> AuthFuture<'_, Option<String>>;

    /// The server refused a request (401 or 403): try to obtain a (new) token. `true`
    /// means the request should be sent once more, with [`HttpAuth::header`]'s new value.
    fn challenge<'a>(&'a self, challenge: &'a Challenge) -> AuthFuture<'a, bool>;

    /// A request that carried a header from this `HttpAuth` was accepted (not 401 or 403).
    /// Lets an implementation reset its retry counters; the default does nothing.
    fn accepted(&self) {}
}

impl std::fmt::Debug for dyn HttpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HttpAuth")
    }
}
