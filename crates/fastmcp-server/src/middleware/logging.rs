//! [`Logging`]: every request as `tracing` events, with its duration and outcome.

use std::time::Instant;

use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;

use super::{CallNext, Middleware};
use crate::service::McpRequest;

/// Logs every request through `tracing` (target `fastmcp::request`): a `DEBUG` event when
/// it starts (with its params when [`Logging::with_payloads`] is on, cut at 1,000 bytes),
/// and an `INFO` event when it ends, with the fields `method`, `id`, `name` (tool or
/// prompt), `nested`, `duration_us` and, on failure, `error_code` and `error`. A human or
/// a JSON subscriber (`tracing_subscriber::fmt().json()`) decides how they look.
///
/// ```
/// use fastmcp_server::{middleware::Logging, Server};
/// let server = Server::new("demo", "1.0").middleware(Logging::new());
/// # let _ = server;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Logging {
    payloads: bool,
}

/// How much of a request's params a log event shows.
const PAYLOAD_CUT: usize = 1000;

impl Logging {
    /// Log requests without their params.
    pub fn new() -> Self {
        Logging::default()
    }

    /// Also log the params of each request (at `DEBUG`).
    pub fn with_payloads(mut self) -> Self {
        self.payloads = true;
        self
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn cut_at(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Middleware for Logging {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        // Nothing is gathered (no params read) when nobody listens.
        if !tracing::enabled!(target: "fastmcp::request", tracing::Level::INFO) {
            return next.run(req);
        }
        let method = req.method().to_owned();
        let id = req.id().to_string();
        let name = req.tool_name().unwrap_or_default();
        let nested = req.is_nested();
        if self.payloads {
            let params = req.params().map_or("", RawValue::get);
            let cut = cut_at(params, PAYLOAD_CUT);
            tracing::debug!(target: "fastmcp::request", %method, %id, %name, nested, params = cut, "request");
        } else {
            tracing::debug!(target: "fastmcp::request", %method, %id, %name, nested, "request");
        }
        Box::pin(async move {
            let start = Instant::now();
            let answer = next.run(req).await;
            let duration_us = start.elapsed().as_micros() as u64;
            match &answer {
                Ok(_) => tracing::info!(
                    target: "fastmcp::request",
                    %method, %id, %name, nested, duration_us, "answered"
                ),
                Err(e) => tracing::info!(
                    target: "fastmcp::request",
                    %method, %id, %name, nested, duration_us,
                    error_code = e.code(), error = %e.message(), "failed"
                ),
            }
            answer
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cuts_on_character_boundaries() {
        assert_eq!(super::cut_at("abc", 10), "abc");
        assert_eq!(super::cut_at("abc", 2), "ab");
        assert_eq!(super::cut_at("aé", 2), "a", "é is two bytes");
    }
}
