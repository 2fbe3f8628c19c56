//! What one session (and the whole server) may make the server hold: requests in flight,
//! resource subscriptions, running tasks. Set with [`crate::Server::limits`].

use std::time::Duration;

/// Bounds on the work clients can start, with the defaults a public deployment can rely
/// on. What a client sees when one is reached is a JSON-RPC error with code
/// [`LIMIT_EXCEEDED`](fastmcp_protocol::error_code::LIMIT_EXCEEDED) (-32029) and a message
/// naming the limit; the session and the server keep serving.
///
/// | limit | default | past it |
/// |---|---|---|
/// | `max_in_flight_per_session` | 256 | the new request is refused at once |
/// | `max_subscriptions_per_session` | 1,000 | `resources/subscribe` of a new URI is refused |
/// | `max_running_tasks_per_session` | 64 | a new task of that session is refused |
/// | `max_running_tasks` | 1,024 | a new task of any session is refused |
/// | `max_batch_len` | 100 | a longer JSON-RPC batch (2025-03-26) is refused whole |
/// | `max_batch_response_bytes` | 16 MiB | the batch's answers are dropped for one error |
/// | `inline_poll_limit` | 2 ms | a stream connection gives every request a task at once |
///
/// ```
/// use fastmcp_server::{Limits, Server};
/// let server = Server::new("notes", "1.0").limits(Limits {
///     max_in_flight_per_session: 32,
///     ..Limits::default()
/// });
/// # let _ = server;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Requests of one session running at once (a 2026-07-28 request over HTTP is a
    /// session of its own: there the connection cap of `HttpOptions` bounds the work). A
    /// request past it is answered with an error at once.
    pub max_in_flight_per_session: usize,
    /// Resources one session may subscribe to (`resources/subscribe`).
    pub max_subscriptions_per_session: usize,
    /// Tasks of one session running at once (2025-11-25 tasks belong to a session).
    pub max_running_tasks_per_session: usize,
    /// Tasks running at once in this server, every session together.
    pub max_running_tasks: usize,
    /// Messages in one JSON-RPC batch (protocol 2025-03-26); a longer batch is answered
    /// with one error (id `null`) and none of it runs.
    pub max_batch_len: usize,
    /// Bytes of the answer to one batch; when its answers outgrow it they are dropped as
    /// they come and the batch is answered with one error (id `null`).
    pub max_batch_response_bytes: usize,
    /// Run a request in place on its session's loop until its handler first waits (the
    /// fast path: most requests never need a task of their own). With `false` every
    /// request of a stream transport gets a task at once, so a handler that computes
    /// before its first await can never delay the reading of the next message.
    pub inline_first_poll: bool,
    /// How long one first poll in place may run (a handler computing before its first
    /// await) before the connection stops running requests in place and gives each a
    /// task at once. Only with `inline_first_poll`.
    pub inline_poll_limit: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_in_flight_per_session: 256,
            max_subscriptions_per_session: 1_000,
            max_running_tasks_per_session: 64,
            max_running_tasks: 1_024,
            max_batch_len: 100,
            max_batch_response_bytes: 16 << 20,
            inline_first_poll: true,
            inline_poll_limit: Duration::from_millis(2),
        }
    }
}
