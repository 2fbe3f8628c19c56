//! Transports of FastMCP for Rust. Every transport yields a [`Channel`]: framed inbound
//! messages (with framing errors reported, not hidden) and a sender for outbound ones.
//!
//! Client transports to remote servers: [`http_client`] (Streamable HTTP, both eras),
//! [`sse_client`] (the legacy HTTP+SSE of 2024-11-05) and [`ws_client`] (WebSocket).
//!
//! Features (all on by default): `http-client` (Streamable HTTP and legacy HTTP+SSE
//! clients), `websocket-client`, `tls` (`https://` and `wss://` through rustls on ring) and
//! `child-process`. Stdio and in-memory channels are always there; on Windows stdio goes
//! through tokio's blocking `stdin`/`stdout`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "http-client")]
mod auth_send;
mod channel;
#[cfg(feature = "child-process")]
mod child;
pub mod faults;
#[cfg(feature = "http-client")]
mod http_common;
mod lines;
pub mod memory;
#[cfg(feature = "http-client")]
mod sse_parse;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz;
pub mod stdio;

#[cfg(feature = "http-client")]
pub mod http_auth;
#[cfg(feature = "http-client")]
pub mod http_client;
#[cfg(feature = "http-client")]
pub mod sse_client;
#[cfg(feature = "websocket-client")]
pub mod ws_client;

pub use channel::{Channel, FrameError, Inbound, Outbound};
#[cfg(feature = "child-process")]
pub use child::{ChildProcess, ChildTransport, StderrMode, DEFAULT_STDERR_LINE_LIMIT};
pub use lines::{
    line_channel, line_channel_with_writer, LineOptions, LineReader, DEFAULT_MAX_MESSAGE_SIZE,
};

#[cfg(feature = "http-client")]
pub use http_common::{ConnectError, TRANSPORT_ERROR};
