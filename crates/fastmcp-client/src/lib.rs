//! The MCP client of FastMCP for Rust.
//!
//! One way to connect: [`Client::connect`] over any [`Transport`] with the defaults, or
//! [`Client::builder`] then [`ClientBuilder::connect`] to set the mode, handler, timeouts
//! and capabilities first.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod calls;
mod client;
mod config;
mod connection;
mod deadline;
mod handler;
mod handles;
mod handshake;
mod inbound;
mod lists;
mod options;
mod request;
mod server_requests;
mod supports;
mod tool_output;
mod transport;

pub use client::Client;
pub use config::{McpConfig, MultiClient, ServerEntry};
pub use deadline::DEFAULT_REQUEST_TIMEOUT;
pub use handler::{ClientHandler, NoHandler};
pub use options::{ClientBuilder, Mode};
pub use server_requests::DEFAULT_MAX_SERVER_REQUESTS;
pub use supports::Supports;
pub use transport::{Opened, Transport};
