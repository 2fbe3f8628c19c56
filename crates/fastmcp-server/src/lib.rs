//! The MCP server of FastMCP for Rust: one [`Server`] serves both protocol eras on every
//! transport.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Some session internals are only used by the HTTP transports.
#![cfg_attr(not(feature = "http"), allow(dead_code))]

mod config;
mod connection;
mod endpoint;
mod handlers;
#[cfg(feature = "http")]
mod http;
mod listen;
mod pagination;
mod registry;
mod router;
mod server;
mod stream;
mod tasks;
mod uri_template;

pub use config::ServerConfig;
#[cfg(feature = "http")]
pub use http::{encode_header_value, EventStore, HttpOptions, MemoryEventStore};
pub use registry::{DuplicateError, OnDuplicate, ServerEvent};
pub use server::{RunningServer, Server, ServerHandle};
pub use tasks::{MemoryTaskStore, TaskPage, TaskRecord, TaskRequest, TaskStore};
pub use uri_template::{TemplateError, UnsafeValue, UriTemplate};
