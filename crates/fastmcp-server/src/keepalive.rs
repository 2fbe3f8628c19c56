//! Ping keep-alive with dead-peer detection for sessions (see [`crate::Server::keep_alive`]).

use std::time::Duration;

/// How a server checks that the client of a connection-oriented session is still there:
/// every `interval` it sends the client a `ping` request; a ping not answered within
/// `timeout` is missed, and after `max_missed` missed pings in a row the session is closed
/// (its requests cancelled, its resources freed). Any answer, even an error, counts as
/// alive.
///
/// Applies to handshake-era sessions once initialized, on stdio, in-memory, WebSocket and
/// legacy HTTP+SSE connections, and on a Streamable HTTP session while its client has its
/// GET stream open (the only way a ping can reach it). Stateless (2026-07-28) requests
/// have no session to keep alive.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::{KeepAlive, Server};
///
/// let server = Server::new("demo", "1.0.0").keep_alive(KeepAlive {
///     interval: Duration::from_secs(30),
///     timeout: Duration::from_secs(10),
///     max_missed: 3,
/// });
/// // Or from the defaults:
/// let ka = KeepAlive::every(Duration::from_secs(60));
/// assert_eq!(ka.max_missed, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeepAlive {
    /// Time between pings (counted from the previous ping's answer or timeout).
    pub interval: Duration,
    /// How long a ping may wait for its answer before it counts as missed.
    pub timeout: Duration,
    /// Missed pings in a row that close the session (at least 1).
    pub max_missed: u32,
}

impl Default for KeepAlive {
    /// A ping every 30 s, answered within 10 s; the third missed one in a row closes the
    /// session.
    fn default() -> Self {
        KeepAlive {
            interval: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
            max_missed: 3,
        }
    }
}

impl KeepAlive {
    /// The defaults with a ping every `interval`.
    pub fn every(interval: Duration) -> Self {
        KeepAlive {
            interval,
            ..Self::default()
        }
    }
}
