//! Typed middleware: a trait with one hook per kind of request, run as a layer of the
//! request pipeline (see [`crate::Server::middleware`]). Any `tower::Layer` works too
//! ([`crate::Server::layer`]); this trait is for the common case, written in a few lines.
//!
//! Every request passes the hooks of one middleware in this order, each deciding whether
//! and how the next runs: [`Middleware::on_message`], then [`Middleware::on_request`],
//! then the hook of its method ([`Middleware::on_call_tool`], [`Middleware::on_list_tools`],
//! ...), then the next middleware (or the method itself). Middleware added first is
//! outermost: it sees the request first and the result last.
//!
//! ```
//! use fastmcp_server::{CallNext, McpRequest, Middleware, Server};
//! use fastmcp_core::{BoxFuture, Error};
//! use fastmcp_protocol::ListToolsResult;
//! use serde_json::value::RawValue;
//!
//! /// Hides the tools whose name starts with `admin_`, and refuses to call them.
//! struct HideAdmin;
//!
//! impl Middleware for HideAdmin {
//!     fn on_list_tools(&self, req: McpRequest, next: CallNext) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
//!         Box::pin(async move {
//!             let mut list: ListToolsResult = next.run_as(req).await?;
//!             list.tools.retain(|t| !t.name.starts_with("admin_"));
//!             Ok(fastmcp_protocol::jsonrpc::to_raw(&list))
//!         })
//!     }
//!
//!     fn on_call_tool(&self, req: McpRequest, next: CallNext) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
//!         Box::pin(async move {
//!             if req.tool_name().is_some_and(|n| n.starts_with("admin_")) {
//!                 return Err(Error::invalid_params("Unknown tool"));
//!             }
//!             next.run(req).await
//!         })
//!     }
//! }
//!
//! let server = Server::new("demo", "1.0.0").middleware(HideAdmin);
//! # let _ = server;
//! ```

use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use fastmcp_core::{BoxFuture, Error};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tower::{Service, ServiceExt};

use crate::service::{BoxMcpService, McpNotification, McpRequest};

mod cache;
mod cache_store;
mod errors;
mod logging;
#[cfg(feature = "otel")]
mod otel;
mod rate_limit;
mod retry;
mod size_limit;
mod stats;

pub use cache::{CacheStats, ResponseCache};
pub use errors::ErrorHandling;
pub use logging::Logging;
#[cfg(feature = "otel")]
pub use otel::Otel;
pub use rate_limit::{Decision, MemoryLimiter, Rate, RateKey, RateLimit, RateLimiter};
#[cfg(feature = "redis")]
pub use rate_limit::{FailMode, RedisLimiter};
pub use retry::{is_transient, Retry, Transient};
pub use size_limit::ResponseSizeLimit;
pub use stats::{ComponentKind, SeriesSnapshot, Stats, StatsSnapshot, OTHER};

type Answer<'a> = BoxFuture<'a, Result<Box<RawValue>, Error>>;

/// Hooks around the requests of a server. Every method has a default that lets the
/// request go on unchanged, so a middleware overrides only what it needs. A hook may read
/// and change the request, call `next` (or not: its own result or error short-circuits
/// the rest), and read or change what `next` returned.
pub trait Middleware: Send + Sync + 'static {
    /// Called once when a server with this middleware starts, with a handle to it (its
    /// components, and its [`crate::ChangeNotifier`] through [`crate::ServerHandle::changes`]).
    /// Does nothing by default.
    fn attach(&self, server: &crate::ServerHandle) {
        let _ = server;
    }

    /// Every request that reaches the pipeline, nested calls of handlers included, before
    /// [`Middleware::on_request`] (notifications go to [`Middleware::on_notification`]).
    fn on_message(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// Every notification from the client (`notifications/cancelled`,
    /// `notifications/initialized`, `notifications/roots/list_changed`, ...), before the
    /// server acts on it: return it (changed or not) to let it go on, or `None` to drop it.
    /// Notifications have no answer, so this hook is synchronous: it runs on the session's
    /// loop and must be quick (spawn anything slow). Plain `tower` layers
    /// ([`crate::Server::layer`]) see requests only.
    fn on_notification(&self, note: McpNotification) -> Option<McpNotification> {
        Some(note)
    }

    /// Every request.
    fn on_request(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `initialize` (handshake era).
    fn on_initialize(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `server/discover` (2026-07-28).
    fn on_discover(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `tools/call`.
    fn on_call_tool(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `resources/read`.
    fn on_read_resource(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `prompts/get`.
    fn on_get_prompt(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `tools/list` (filter with [`CallNext::run_as`] into a `ListToolsResult`).
    fn on_list_tools(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `resources/list`.
    fn on_list_resources(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `resources/templates/list`.
    fn on_list_resource_templates(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }

    /// `prompts/list`.
    fn on_list_prompts(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.run(req)
    }
}

/// Which hooks of the middleware are still ahead of a request.
#[derive(Clone, Copy)]
enum Stage {
    Request,
    Method,
    Inner,
}

/// The rest of the chain after a hook: the middleware's later hooks, then the next
/// middleware (or the method). [`CallNext::run`] consumes it; a middleware that runs the
/// chain again (a retry) runs a clone.
#[derive(Clone)]
pub struct CallNext {
    middleware: Arc<dyn Middleware>,
    inner: BoxMcpService,
    stage: Stage,
}

impl CallNext {
    /// Run the rest of the chain on `req`; its result (a JSON-RPC `result`) or error.
    pub fn run(self, req: McpRequest) -> BoxFuture<'static, Result<Box<RawValue>, Error>> {
        let CallNext {
            middleware: m,
            inner,
            stage,
        } = self;
        match stage {
            Stage::Inner => Box::pin(inner.oneshot(req)),
            Stage::Request => Box::pin(async move {
                let next = CallNext {
                    middleware: m.clone(),
                    inner,
                    stage: Stage::Method,
                };
                m.on_request(req, next).await
            }),
            Stage::Method => Box::pin(async move {
                let next = CallNext {
                    middleware: m.clone(),
                    inner,
                    stage: Stage::Inner,
                };
                method_hook(&*m, req, next).await
            }),
        }
    }

    /// Run the rest of the chain and read its result as `T` (a `ListToolsResult`, a
    /// `CallToolResult`...).
    pub async fn run_as<T: DeserializeOwned>(self, req: McpRequest) -> Result<T, Error> {
        let raw = self.run(req).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("middleware could not read the result: {e}")))
    }
}

/// The hook of `req`'s method.
fn method_hook<'a>(m: &'a dyn Middleware, req: McpRequest, next: CallNext) -> Answer<'a> {
    match req.method() {
        "initialize" => m.on_initialize(req, next),
        "server/discover" => m.on_discover(req, next),
        "tools/call" => m.on_call_tool(req, next),
        "resources/read" => m.on_read_resource(req, next),
        "prompts/get" => m.on_get_prompt(req, next),
        "tools/list" => m.on_list_tools(req, next),
        "resources/list" => m.on_list_resources(req, next),
        "resources/templates/list" => m.on_list_resource_templates(req, next),
        "prompts/list" => m.on_list_prompts(req, next),
        _ => next.run(req),
    }
}

/// A [`Middleware`] as a service of the pipeline.
#[derive(Clone)]
pub(crate) struct MiddlewareService {
    pub(crate) middleware: Arc<dyn Middleware>,
    pub(crate) inner: BoxMcpService,
}

impl Service<McpRequest> for MiddlewareService {
    type Response = Box<RawValue>;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Box<RawValue>, Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: McpRequest) -> Self::Future {
        let m = self.middleware.clone();
        let next = CallNext {
            middleware: m.clone(),
            inner: self.inner.clone(),
            stage: Stage::Request,
        };
        Box::pin(async move { m.on_message(req, next).await })
    }
}
