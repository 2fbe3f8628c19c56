//! FastMCP for Rust: build Model Context Protocol servers and clients with one attribute
//! per handler.
//!
//! ```no_run
//! use fastmcp::prelude::*;
//!
//! /// Add two numbers.
//! #[tool]
//! async fn add(a: i64, b: i64) -> i64 {
//!     a + b
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), fastmcp::Error> {
//!     Server::new("calc", "1.0.0").tool(add).run_stdio().await
//! }
//! ```
//!
//! # Features
//!
//! All are on by default. A server on stdio alone needs only `server` and `macros`, and then
//! builds neither axum, hyper, reqwest, rustls nor tungstenite:
//!
//! ```toml
//! fastmcp = { version = "0.1", default-features = false, features = ["server", "macros"] }
//! ```
//!
//! | feature | what it brings |
//! |---|---|
//! | `server` | [`Server`] and the [`server`] crate: stdio, in-memory and byte-stream transports |
//! | `client` | `Client` and the `client` crate, over in-memory channels |
//! | `macros` | `#[tool]`, `#[resource]`, `#[prompt]`, `#[tools]`, `#[resources]`, `#[prompts]` |
//! | `http` | Streamable HTTP and legacy HTTP+SSE: the server's axum routers and `Server::run_http`, the client's `connect_http`/`connect_sse` (reqwest, rustls) |
//! | `websocket` | WebSocket: the server's route (implies the server's `http`), the client's `connect_websocket` |
//! | `child-process` | `transport::ChildTransport` and the client's `spawn` |
//! | `tls` | `https://` and `wss://` for the client (rustls on ring, which needs a C compiler); without it the client speaks `http://` and `ws://` only |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "client")]
pub use fastmcp_client as client;
pub use fastmcp_core as core;
pub use fastmcp_protocol as protocol;
#[cfg(feature = "server")]
pub use fastmcp_server as server;
pub use fastmcp_transport as transport;

pub use fastmcp_core::{
    Audio, Budget, CancelReason, Context, Elicited, Error, ErrorKind, Image, Json, Outcome,
    TaskStart,
};
#[cfg(feature = "macros")]
pub use fastmcp_macros::{prompt, prompts, resource, resources, tool, tools};
#[cfg(feature = "server")]
pub use fastmcp_server::Server;

/// The usual imports.
pub mod prelude {
    #[cfg(feature = "server")]
    pub use crate::Server;
    #[cfg(feature = "macros")]
    pub use crate::{prompt, prompts, resource, resources, tool, tools};
    pub use crate::{Audio, Context, Elicited, Error, Image, Json};
    pub use fastmcp_core::combinators::{first_ok, join_all, quorum, race};
    pub use fastmcp_protocol::{
        CallToolResult, ContentBlock, PromptMessage, ResourceContents, Role,
    };
}

/// What generated code refers to. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use fastmcp_core::schema::schema_for;
    pub use fastmcp_core::{
        boxed, prompt_arg, template_var, AnyResource, BoxFuture, Components, Context, Error,
        FnPrompt, FnResource, FnResourceTemplate, FnTool, IntoComponents, IntoPrompt,
        IntoPromptResult, IntoResource, IntoResourceResult, IntoTool, IntoToolResult,
        PromptHandler, ResourceHandler, ResourceTemplateHandler, TaskStart, TemplateVars,
        ToolArguments, ToolHandler,
    };
    pub use fastmcp_protocol as protocol;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use std::sync::Arc;
}
