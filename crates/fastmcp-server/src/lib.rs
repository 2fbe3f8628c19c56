//! The MCP server of FastMCP for Rust: one [`Server`] serves both protocol eras on every
//! transport.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
mod connection;
mod endpoint;
mod handlers;
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
pub use http::{encode_header_value, EventStore, HttpOptions, MemoryEventStore};
pub use registry::{DuplicateError, OnDuplicate, ServerEvent};
pub use server::{RunningServer, Server, ServerHandle};
pub use tasks::{MemoryTaskStore, TaskPage, TaskRecord, TaskRequest, TaskStore};
pub use uri_template::{TemplateError, UnsafeValue, UriTemplate};
