//! [`ResponseSizeLimit`]: no answer larger than a bound leaves the server.

use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;

use super::{CallNext, Middleware};
use crate::service::McpRequest;

/// Refuses answers larger than `max_bytes` (the JSON of the result): the client gets a
/// -32029 error naming both sizes instead of the answer, and the session goes on.
///
/// ```
/// use fastmcp_server::{middleware::ResponseSizeLimit, Server};
/// let server = Server::new("demo", "1.0").middleware(ResponseSizeLimit::new(1 << 20));
/// # let _ = server;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ResponseSizeLimit {
    max_bytes: usize,
}

impl ResponseSizeLimit {
    /// Answers of at most `max_bytes` bytes pass.
    pub fn new(max_bytes: usize) -> Self {
        ResponseSizeLimit { max_bytes }
    }
}

impl Middleware for ResponseSizeLimit {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let max = self.max_bytes;
        Box::pin(async move {
            let answer = next.run(req).await?;
            let n = answer.get().len();
            if n > max {
                return Err(Error::limit_exceeded(format!(
                    "Response of {n} bytes is over the server's limit of {max} bytes"
                )));
            }
            Ok(answer)
        })
    }
}
