//! The MCP client of FastMCP for Rust.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod client;
mod config;
mod connection;
mod handler;
mod handles;

pub use client::{Client, ClientBuilder, Mode};
pub use config::{McpConfig, MultiClient, ServerEntry};
pub use handler::{ClientHandler, NoHandler};
