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
mod handler;
mod handles;
mod handshake;
mod lists;
mod options;
mod request;
mod supports;
mod tool_output;
mod transport;

pub use client::Client;
pub use config::{McpConfig, MultiClient, ServerEntry};
pub use handler::{ClientHandler, NoHandler};
pub use options::{ClientBuilder, Mode};
pub use supports::Supports;
pub use transport::{Opened, Transport};
