//! Sessions: what every transport's session shares ([`Endpoint`]: requests in flight,
//! server-to-client requests, notifications), and the two session loops, over a message
//! channel (in-memory, WebSocket, legacy HTTP+SSE) and over a byte stream (stdio, sockets).
//! Streamable HTTP drives endpoints from its own handlers (`crate::http`).

mod channel;
mod endpoint;
mod keepalive;
mod peer;
mod requests;
mod sink;
mod stream;

pub(crate) use channel::serve_channel;
#[cfg(feature = "http")]
pub(crate) use channel::{batch, event_messages, serve_session};
#[cfg(feature = "http")]
pub(crate) use endpoint::{error_message, Endpoint};
#[cfg(feature = "http")]
pub(crate) use keepalive::dead_peer;
#[cfg(feature = "http")]
pub(crate) use sink::{encode, Sink};
pub(crate) use stream::serve_lines;
