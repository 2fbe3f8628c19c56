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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub use fastmcp_client as client;
pub use fastmcp_core as core;
pub use fastmcp_protocol as protocol;
pub use fastmcp_server as server;
pub use fastmcp_transport as transport;

pub use fastmcp_core::{
    Audio, Budget, CancelReason, Context, Elicited, Error, ErrorKind, Image, Json, Outcome,
    TaskStart,
};
pub use fastmcp_macros::{prompt, prompts, resource, resources, tool, tools};
pub use fastmcp_server::Server;

/// The usual imports.
pub mod prelude {
    pub use crate::{
        prompt, prompts, resource, resources, tool, tools, Audio, Context, Elicited, Error, Image,
        Json, Server,
    };
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
