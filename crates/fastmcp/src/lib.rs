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
//! A client connects over any transport, in one of two ways:
//!
//! ```no_run
//! use fastmcp::client::{Client, Mode};
//! use fastmcp::transport::http_client::StreamableHttp;
//! use fastmcp::transport::ChildTransport;
//!
//! # async fn f() -> Result<(), fastmcp::Error> {
//! let local = Client::connect(ChildTransport::new("my-server")).await?;
//! let remote = Client::builder()
//!     .mode(Mode::Auto)
//!     .connect(StreamableHttp::new("http://127.0.0.1:8000/mcp"))
//!     .await?;
//! let sum: i64 = remote.call_tool_as("add", serde_json::json!({"a": 1, "b": 2})).await?;
//! # Ok(()) }
//! ```
//!
//! The [`prelude`] lives with anyhow and axum: see its documentation for the names they
//! share.
//!
//! # Features
//!
//! All but `otel` are on by default. A server on stdio alone needs only `server` and `macros`, and then
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
//! | `http` | Streamable HTTP and legacy HTTP+SSE: the server's axum routers and `Server::run_http`, the client's `StreamableHttp` and `LegacySse` transports (reqwest) |
//! | `websocket` | WebSocket: the server's route (implies the server's `http`), the client's `WebSocket` transport |
//! | `child-process` | `transport::ChildTransport` (a server as a child process) |
//! | `tls` | `https://` and `wss://` for the client (rustls on ring, which needs a C compiler); without it the client speaks `http://` and `ws://` only |
//! | `auth-server` | `auth_server`: an OAuth 2.1 authorization server with OpenID Connect, its endpoints served next to the MCP endpoint |
//! | `otel` | off by default: OpenTelemetry traces, the server's `server::middleware::Otel` (a `SERVER` span per request) and the client's `CLIENT` spans, W3C trace context carried in `_meta` both ways |
#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// Token verifiers and the protected resource (`HttpOptions::auth`).
#[cfg(feature = "http")]
pub use fastmcp_auth as auth;
/// The OAuth 2.1 authorization server (with OpenID Connect), mounted next to the MCP
/// endpoint (`HttpOptions::routes`).
#[cfg(feature = "auth-server")]
pub use fastmcp_auth_server as auth_server;
#[cfg(feature = "client")]
pub use fastmcp_client as client;
pub use fastmcp_core as core;
#[cfg(feature = "openapi")]
pub use fastmcp_openapi as openapi;
pub use fastmcp_protocol as protocol;
#[cfg(feature = "proxy")]
pub use fastmcp_proxy as proxy;
#[cfg(feature = "server")]
pub use fastmcp_server as server;
pub use fastmcp_transport as transport;

pub use fastmcp_core::{
    Audio, AuthInfo, Budget, CancelReason, Context, Elicited, Error, ErrorKind, File, Image, Json,
    Outcome, Require, SessionState, State, TaskStart,
};
#[cfg(feature = "macros")]
pub use fastmcp_macros::{prompt, prompts, resource, resources, schema, tool, tools};
#[cfg(feature = "server")]
pub use fastmcp_server::{RuntimeConfig, Server};

/// The schemars (1.x) of FastMCP: `fastmcp::schemars::JsonSchema` is the trait tool
/// arguments and structured outputs implement ([`macro@schema`] derives it).
pub use schemars;
/// The serde of FastMCP: what [`macro@schema`] derives with, for `#[serde(..)]` paths and
/// `fastmcp::serde::de::DeserializeOwned` bounds, with no serde of your own to keep in step.
pub use serde;
/// The serde_json of FastMCP (`fastmcp::serde_json::json!`, `Value`).
pub use serde_json;

/// The usual imports.
///
/// It brings `Context`, `Error`, `Json`, `State` and `Server`, names that anyhow and axum
/// use too (it brings no `Result`). They are kept, and they do not get in the way:
///
/// - an explicit import shadows a glob one, so `use anyhow::Result;` or
///   `use axum::extract::State;` next to `use fastmcp::prelude::*;` is theirs, and the
///   rest of the prelude is still fastmcp's;
/// - `anyhow::Context` is a trait: import it as `use anyhow::Context as _;`, and its
///   `.context(..)` works while `Context` stays the handler context of FastMCP;
/// - two globs (`use axum::*;` too) are fine until a name both bring is used: then name
///   that one explicitly (`axum::Json`, `fastmcp::Json`);
/// - a tool's error is [`fastmcp::Error`](crate::Error); an `anyhow::Error` becomes one
///   with `Error::tool(format!("{e:#}"))`.
///
/// ```
/// use fastmcp::prelude::*;
/// use anyhow::Context as _;
/// use anyhow::Result;
///
/// fn port(s: &str) -> Result<u16> {
///     s.parse::<u16>().context("not a port")
/// }
///
/// /// Check a port.
/// #[tool]
/// async fn check(ctx: Context, port_text: String) -> std::result::Result<Json<u16>, Error> {
///     ctx.checkpoint()?;
///     port(&port_text).map(Json).map_err(|e| Error::tool(format!("{e:#}")))
/// }
///
/// let _server = Server::new("ports", "1.0.0").tool(check);
/// assert!(port("80x").is_err());
/// ```
pub mod prelude {
    #[cfg(feature = "server")]
    pub use crate::Server;
    #[cfg(feature = "macros")]
    pub use crate::{prompt, prompts, resource, resources, schema, tool, tools};
    pub use crate::{Audio, Context, Elicited, Error, Image, Json, SessionState, State};
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
        arg_default, ArgDefault, MaybeSerialize, NoSerialize, Require, ToolArgument,
    };
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

/// The guide's chapters (`docs/src`, an mdBook): every `rust` block in them is compiled,
/// and run where it ends, as a doctest of this crate, so the guide cannot drift.
#[cfg(doctest)]
mod guide {
    #[doc = include_str!("../../../docs/src/introduction.md")]
    mod introduction {}
    #[doc = include_str!("../../../docs/src/tools.md")]
    mod tools {}
    #[doc = include_str!("../../../docs/src/resources_and_prompts.md")]
    mod resources_and_prompts {}
    #[doc = include_str!("../../../docs/src/context.md")]
    mod context {}
    #[doc = include_str!("../../../docs/src/state.md")]
    mod state {}
    #[doc = include_str!("../../../docs/src/transports.md")]
    mod transports {}
    #[doc = include_str!("../../../docs/src/client_and_tests.md")]
    mod client_and_tests {}
    #[doc = include_str!("../../../docs/src/middleware.md")]
    mod middleware {}
    #[doc = include_str!("../../../docs/src/auth.md")]
    mod auth {}
}
