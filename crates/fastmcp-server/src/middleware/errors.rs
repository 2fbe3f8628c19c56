//! [`ErrorHandling`]: errors mapped, reported and masked in one place.

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, ErrorKind};
use serde_json::value::RawValue;

use super::{CallNext, Middleware};
use crate::service::McpRequest;

type MapFn = Arc<dyn Fn(&str, Error) -> Error + Send + Sync>;

/// What happens to the errors of requests: first `map` (given the method and the error;
/// rename, recode, add data), then masking: with [`ErrorHandling::mask_internal`] the
/// message of an internal error (-32603) becomes "Internal error", so no detail of the
/// server leaks to clients. Every error is also logged (`tracing`, target
/// `fastmcp::error`) with its original message.
///
/// ```
/// use fastmcp_core::{Error, ErrorKind};
/// use fastmcp_server::{middleware::ErrorHandling, Server};
/// let errors = ErrorHandling::new()
///     .map(|_method, e| match e.kind() {
///         ErrorKind::Timeout => Error::internal("the backend is slow, try again"),
///         _ => e,
///     })
///     .mask_internal(true);
/// let server = Server::new("demo", "1.0").middleware(errors);
/// # let _ = server;
/// ```
#[derive(Clone, Default)]
pub struct ErrorHandling {
    map: Option<MapFn>,
    mask: bool,
}

impl ErrorHandling {
    /// Errors pass unchanged (and are logged).
    pub fn new() -> Self {
        ErrorHandling::default()
    }

    /// Turn each error into another.
    pub fn map(mut self, f: impl Fn(&str, Error) -> Error + Send + Sync + 'static) -> Self {
        self.map = Some(Arc::new(f));
        self
    }

    /// Hide the messages of internal errors from clients.
    pub fn mask_internal(mut self, on: bool) -> Self {
        self.mask = on;
        self
    }
}

impl Middleware for ErrorHandling {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let method = req.method().to_owned();
        Box::pin(async move {
            let e = match next.run(req).await {
                Ok(answer) => return Ok(answer),
                Err(e) => e,
            };
            tracing::warn!(target: "fastmcp::error", %method, code = e.code(), error = %e.message(), "request failed");
            let e = match &self.map {
                Some(f) => f(&method, e),
                None => e,
            };
            if self.mask && e.kind() == ErrorKind::Internal {
                return Err(Error::internal("Internal error"));
            }
            Err(e)
        })
    }
}
