//! [`Retry`]: requests that fail with a transient error run again, after a growing pause.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error, ErrorKind};
use serde_json::value::RawValue;
use tokio::time::Instant;

use super::{CallNext, Middleware};
use crate::lock::lock;
use crate::service::McpRequest;

type Predicate = Arc<dyn Fn(&Error) -> bool + Send + Sync>;

/// The methods safe to run again: reads and lists (and `tools/call` of the tools opted in).
const SAFE: [&str; 6] = [
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
    "resources/read",
    "prompts/get",
];

/// Marks an error as transient (worth retrying): put it in the error's source chain.
///
/// ```
/// use fastmcp_core::Error;
/// use fastmcp_server::middleware::{is_transient, Transient};
/// let e = Error::internal("the database is busy").with_source(Transient);
/// assert!(is_transient(&e));
/// assert!(!is_transient(&Error::internal("bad row")));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Transient;

impl std::fmt::Display for Transient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("transient failure")
    }
}

impl std::error::Error for Transient {}

/// The default test of [`Retry`]: an error with [`Transient`] in its source chain, or a
/// transport failure (a connection, to an upstream server say, that broke).
///
/// Whatever the test, [`Retry`] never retries errors a second run cannot change: a
/// malformed request, an unknown method, invalid params, a missing capability, an
/// unsupported version, a cancellation or a limit of the server.
pub fn is_transient(e: &Error) -> bool {
    if e.kind() == ErrorKind::Transport {
        return true;
    }
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if c.is::<Transient>() {
            return true;
        }
        cause = c.source();
    }
    false
}

/// Errors never retried, whatever the test says.
fn never_retried(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Parse
            | ErrorKind::InvalidRequest
            | ErrorKind::MethodNotFound
            | ErrorKind::InvalidParams
            | ErrorKind::HeaderMismatch
            | ErrorKind::MissingClientCapability
            | ErrorKind::UnsupportedVersion
            | ErrorKind::UrlElicitationRequired
            | ErrorKind::InputRequired
            | ErrorKind::Cancelled
            | ErrorKind::LimitExceeded
    )
}

/// Runs the rest of the chain again when it fails with a transient error (see
/// [`is_transient`], or give your own test with [`Retry::when`]): up to
/// [`Retry::max_attempts`] runs in all, with exponential backoff and jitter between them
/// (each pause drawn between half and all of the current backoff, which doubles up to its
/// maximum), within an overall [`Retry::deadline`] and the request's own budget. A
/// cancelled request is not retried: a pause ends as soon as its scope is cancelled.
///
/// Only methods safe to repeat are retried: `tools/list`, `resources/list`,
/// `resources/templates/list`, `prompts/list`, `resources/read`, `prompts/get`, and
/// `tools/call` of the tools opted in with [`Retry::retry_tool`]. A tool's own failure is
/// not an error of the request but a result with `isError: true`; for the tools opted in,
/// the error its handler failed with is tested like a request error, so a transient one
/// runs the tool again, and the client sees the last run's result.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::{middleware::Retry, Server};
///
/// let retry = Retry::new()
///     .max_attempts(4)
///     .backoff(Duration::from_millis(50), Duration::from_secs(1))
///     .deadline(Duration::from_secs(5))
///     .retry_tool("lookup_city");
/// let server = Server::new("demo", "1.0").middleware(retry);
/// # let _ = server;
/// ```
#[derive(Clone)]
pub struct Retry {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Duration,
    transient: Predicate,
    tools: Arc<HashSet<String>>,
}

impl Default for Retry {
    fn default() -> Self {
        Self::new()
    }
}

impl Retry {
    /// Three attempts in all, backoff from 100 ms up to 2 s, 10 s overall, errors tested by
    /// [`is_transient`].
    pub fn new() -> Self {
        Retry {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            deadline: Duration::from_secs(10),
            transient: Arc::new(is_transient),
            tools: Arc::new(HashSet::new()),
        }
    }

    /// How many runs at most, the first included (at least one).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The first pause, and the largest one (each pause doubles the last).
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// No retry starts (no pause is begun) that would end later than this after the first
    /// run began.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// Which errors are transient (replaces [`is_transient`]); errors that a second run
    /// cannot change are never retried whatever it says (see [`is_transient`]).
    pub fn when(mut self, f: impl Fn(&Error) -> bool + Send + Sync + 'static) -> Self {
        self.transient = Arc::new(f);
        self
    }

    /// Retry `tools/call` of the tool `name` too (one safe to run twice: idempotent), on
    /// request errors and on failures of its handler that the test finds transient.
    pub fn retry_tool(mut self, name: &str) -> Self {
        Arc::make_mut(&mut self.tools).insert(name.to_owned());
        self
    }

    fn safe(&self, req: &McpRequest) -> bool {
        let m = req.method();
        SAFE.contains(&m)
            || (m == "tools/call" && req.tool_name().is_some_and(|n| self.tools.contains(&n)))
    }

    fn retryable(&self, e: &Error) -> bool {
        !never_retried(e.kind()) && (self.transient)(e)
    }
}

/// A pause between half and all of `backoff`.
fn jitter(backoff: Duration) -> Duration {
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let half = backoff / 2;
    let nanos = half.as_nanos() as u64;
    let extra = if nanos == 0 { 0 } else { random % (nanos + 1) };
    half + Duration::from_nanos(extra)
}

impl Middleware for Retry {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        if self.max_attempts <= 1 || !self.safe(&req) {
            return next.run(req);
        }
        let tool_call = req.method() == "tools/call";
        Box::pin(async move {
            let started = Instant::now();
            let scope = req.scope().clone();
            let mut backoff = self.initial_backoff;
            let mut attempt = 1;
            loop {
                let last = attempt >= self.max_attempts;
                let mut fork = req.fork();
                let failure = tool_call.then(|| fork.keep_tool_failure());
                let answer = next.clone().run(fork).await;
                let kept = failure.and_then(|f| lock(&f).take());
                // What failed: the request, or the tool behind its `isError` result.
                let failed = match (&answer, &kept) {
                    (Ok(_), None) => return answer,
                    (Ok(_), Some(e)) | (Err(e), _) => e,
                };
                if last || !self.retryable(failed) {
                    return answer;
                }
                let pause = jitter(backoff);
                let within_deadline = started.elapsed() + pause <= self.deadline;
                let within_budget = scope.budget().remaining().is_none_or(|left| pause < left);
                if !within_deadline || !within_budget || scope.is_cancelled() {
                    return answer;
                }
                tracing::debug!(
                    target: "fastmcp::retry",
                    method = req.method(), attempt, pause_ms = pause.as_millis() as u64,
                    error = %failed.message(), "retrying"
                );
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = scope.token().cancelled() => {
                        return scope.checkpoint().err().map_or(answer, Err);
                    }
                }
                attempt += 1;
                backoff = (backoff * 2).min(self.max_backoff);
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_stay_between_half_and_all_of_the_backoff() {
        let b = Duration::from_millis(100);
        for _ in 0..100 {
            let p = jitter(b);
            assert!(p >= b / 2 && p <= b, "{p:?}");
        }
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn errors_a_second_run_cannot_change_are_never_retried() {
        let retry = Retry::new().when(|_| true);
        assert!(!retry.retryable(&Error::invalid_params("x")));
        assert!(!retry.retryable(&Error::method_not_found("x")));
        assert!(!retry.retryable(&Error::cancelled()));
        assert!(!retry.retryable(&Error::limit_exceeded("x")));
        assert!(retry.retryable(&Error::internal("x")));
        let default = Retry::new();
        assert!(!default.retryable(&Error::internal("x")));
        assert!(default.retryable(&Error::internal("x").with_source(Transient)));
        assert!(default.retryable(&Error::transport("connection reset")));
    }
}
