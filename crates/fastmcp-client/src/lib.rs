//! The MCP client of FastMCP for Rust.
//!
//! One way to connect: [`Client::connect`] over any [`Transport`] with the defaults, or
//! [`Client::builder`] then [`ClientBuilder::connect`] to set the mode, handler, timeouts
//! and capabilities first.
//!
//! # OpenTelemetry
//!
//! With the feature `otel`, every request the client sends is traced by a `tracing` span
//! of OpenTelemetry kind `CLIENT` (target `fastmcp::otel`), named and attributed as the
//! OpenTelemetry semantic conventions for MCP say (`tools/call add`, `mcp.method.name`,
//! `gen_ai.tool.name`, `jsonrpc.request.id`, `mcp.session.id`, `mcp.protocol.version`,
//! `error.type`...; source: `docs/gen-ai/mcp.md` of open-telemetry/semantic-conventions-genai).
//! Its parent is the current span, and the global text-map propagator
//! (`opentelemetry::global::set_text_map_propagator`) writes its context into the
//! request's `params._meta` (`traceparent`, `tracestate`), where a server (FastMCP's
//! `middleware::Otel`, or any that follows the conventions) continues the trace. A
//! `tracing-opentelemetry` layer exports the spans; without one they cost nothing and
//! nothing is added to `_meta`.
//!
//! ```
//! use tracing::Instrument;
//!
//! # async fn f(client: fastmcp_client::Client) -> Result<(), fastmcp_core::Error> {
//! // The request's span (and the server's) belong to the trace of `checkout`.
//! let span = tracing::info_span!("checkout");
//! let args = serde_json::json!({"a": 1, "b": 2});
//! client.call_tool("add", args).instrument(span).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod calls;
mod client;
mod config;
mod config_auth;
mod connection;
mod deadline;
mod handler;
mod handles;
mod handshake;
mod inbound;
mod lists;
#[cfg(feature = "http")]
pub mod oauth;
mod options;
#[cfg(feature = "otel")]
mod otel;
mod request;
pub mod resilient;
mod server_requests;
mod settings;
#[cfg(feature = "skills")]
pub mod skills;
mod supports;
pub mod tasks;
mod tool_output;
mod transport;

pub use client::Client;
pub use config::{AuthEntry, McpConfig, MultiClient, OAuthEntry, ServerEntry};
pub use deadline::DEFAULT_REQUEST_TIMEOUT;
pub use handler::{ClientHandler, NoHandler};
pub use options::{ClientBuilder, Mode};
pub use server_requests::DEFAULT_MAX_SERVER_REQUESTS;
pub use supports::Supports;
pub use transport::{FaultyTransport, Opened, Transport};
