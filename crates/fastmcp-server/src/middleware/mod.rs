//! Typed middleware: a trait with one hook per kind of request, run as a layer of the
//! request pipeline (see [`crate::Server::middleware`]). Any `tower::Layer` works too
//! ([`crate::Server::layer`]); this trait is for the common case, written in a few lines.
//!
//! Every request passes the hooks of one middleware in this order, each deciding whether
//! and how the next runs: [`Middleware::on_message`], then [`Middleware::on_request`],
//! then the hook of its method ([`Middleware::on_call_tool`], [`Middleware::on_list_tools`],
//! ...), then the next middleware (or the method itself). Middleware added first is
//! outermost: it sees the request first and the result last; middleware and `tower` layers
//! ([`crate::Server::layer`]) mixed run in the order they were added.
//!
//! A hook that is not overridden costs nothing: the trait's default passes the request on,
//! and once the chain has seen it do so it calls it no more (consecutive middleware run as
//! one chain, without a `tower` service between them).
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

use std::any::TypeId;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use tower::ServiceExt;

use crate::service::{BoxMcpService, McpNotification, McpRequest, McpService};

mod cache;
mod cache_store;
mod errors;
mod logging;
#[cfg(feature = "otel")]
mod otel;
pub(crate) mod pipeline;
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
        next.pass(req, Hook::Message, TypeId::of::<Self>())
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
        next.pass(req, Hook::Request, TypeId::of::<Self>())
    }

    /// `initialize` (handshake era).
    fn on_initialize(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::Initialize, TypeId::of::<Self>())
    }

    /// `server/discover` (2026-07-28).
    fn on_discover(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::Discover, TypeId::of::<Self>())
    }

    /// `tools/call`.
    fn on_call_tool(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::CallTool, TypeId::of::<Self>())
    }

    /// `resources/read`.
    fn on_read_resource(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::ReadResource, TypeId::of::<Self>())
    }

    /// `prompts/get`.
    fn on_get_prompt(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::GetPrompt, TypeId::of::<Self>())
    }

    /// `tools/list` (filter with [`CallNext::run_as`] into a `ListToolsResult`).
    fn on_list_tools(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::ListTools, TypeId::of::<Self>())
    }

    /// `resources/list`.
    fn on_list_resources(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::ListResources, TypeId::of::<Self>())
    }

    /// `resources/templates/list`.
    fn on_list_resource_templates(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::ListResourceTemplates, TypeId::of::<Self>())
    }

    /// `prompts/list`.
    fn on_list_prompts(&self, req: McpRequest, next: CallNext) -> Answer<'_> {
        next.pass(req, Hook::ListPrompts, TypeId::of::<Self>())
    }
}

/// Which hooks of a middleware are ahead of a request.
#[derive(Clone, Copy)]
enum Stage {
    Message,
    Request,
    Method,
}

/// One hook of [`Middleware`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hook {
    Message,
    Request,
    Initialize,
    Discover,
    CallTool,
    ReadResource,
    GetPrompt,
    ListTools,
    ListResources,
    ListResourceTemplates,
    ListPrompts,
}

impl Hook {
    /// The hook of `stage` for a request of `method` (`None`: a method without a hook).
    fn of(stage: Stage, method: &str) -> Option<Hook> {
        Some(match stage {
            Stage::Message => Hook::Message,
            Stage::Request => Hook::Request,
            Stage::Method => match method {
                "initialize" => Hook::Initialize,
                "server/discover" => Hook::Discover,
                "tools/call" => Hook::CallTool,
                "resources/read" => Hook::ReadResource,
                "prompts/get" => Hook::GetPrompt,
                "tools/list" => Hook::ListTools,
                "resources/list" => Hook::ListResources,
                "resources/templates/list" => Hook::ListResourceTemplates,
                "prompts/list" => Hook::ListPrompts,
                _ => return None,
            },
        })
    }

    fn bit(self) -> u16 {
        1 << self as u16
    }

    fn call(self, m: &dyn Middleware, req: McpRequest, next: CallNext) -> Answer<'_> {
        match self {
            Hook::Message => m.on_message(req, next),
            Hook::Request => m.on_request(req, next),
            Hook::Initialize => m.on_initialize(req, next),
            Hook::Discover => m.on_discover(req, next),
            Hook::CallTool => m.on_call_tool(req, next),
            Hook::ReadResource => m.on_read_resource(req, next),
            Hook::GetPrompt => m.on_get_prompt(req, next),
            Hook::ListTools => m.on_list_tools(req, next),
            Hook::ListResources => m.on_list_resources(req, next),
            Hook::ListResourceTemplates => m.on_list_resource_templates(req, next),
            Hook::ListPrompts => m.on_list_prompts(req, next),
        }
    }
}

/// A run of middleware added one after the other, as one service: a request goes from one
/// hook to the next through [`CallNext`], with no tower plumbing between them.
pub(crate) struct Chain {
    /// Outermost first.
    links: Box<[Link]>,
    inner: Inner,
}

/// One middleware of a [`Chain`].
struct Link {
    middleware: Arc<dyn Middleware>,
    /// The concrete type of `middleware`.
    type_id: TypeId,
    /// The hooks ([`Hook::bit`]) seen to be the trait's defaults, which pass a request on
    /// unchanged: later requests skip them (no call, no allocation) with the same outcome.
    defaults: AtomicU16,
}

/// What runs after the last middleware of a [`Chain`].
enum Inner {
    /// The method itself.
    Method(McpService),
    /// A `tower` layer (and what it wraps).
    Service(BoxMcpService),
}

impl Inner {
    fn run(&self, req: McpRequest) -> BoxFuture<'static, Result<Box<RawValue>, Error>> {
        match self {
            Inner::Method(m) => m.run(req),
            Inner::Service(s) => Box::pin(s.clone().oneshot(req)),
        }
    }
}

/// The rest of the chain after a hook: the middleware's later hooks, then the next
/// middleware (or the method). [`CallNext::run`] consumes it; a middleware that runs the
/// chain again (a retry) runs a clone.
#[derive(Clone)]
pub struct CallNext {
    chain: Arc<Chain>,
    /// The middleware (in `chain`) whose hook is next; past the last: the inner service.
    index: usize,
    stage: Stage,
    /// The hook this was given to (its middleware's index), if any.
    caller: Option<(usize, Hook)>,
}

impl CallNext {
    /// Run the rest of the chain on `req`; its result (a JSON-RPC `result`) or error.
    pub fn run(self, req: McpRequest) -> BoxFuture<'static, Result<Box<RawValue>, Error>> {
        let CallNext {
            chain,
            mut index,
            mut stage,
            ..
        } = self;
        let hook = loop {
            let Some(link) = chain.links.get(index) else {
                return chain.inner.run(req);
            };
            let hook = Hook::of(stage, req.method());
            (index, stage) = match stage {
                Stage::Message => (index, Stage::Request),
                Stage::Request => (index, Stage::Method),
                Stage::Method => (index + 1, Stage::Message),
            };
            match hook {
                Some(h) if link.defaults.load(Ordering::Relaxed) & h.bit() == 0 => break h,
                _ => {}
            }
        };
        // The middleware of `hook`: the one before `index` when `stage` moved on to the
        // next middleware.
        let at = if matches!(stage, Stage::Message) {
            index - 1
        } else {
            index
        };
        Box::pin(async move {
            let next = CallNext {
                chain: chain.clone(),
                index,
                stage,
                caller: Some((at, hook)),
            };
            hook.call(&*chain.links[at].middleware, req, next).await
        })
    }

    /// What the trait's default hooks do: note that the hook they were given to passes
    /// requests on unchanged, so that later requests skip it, and run the rest.
    ///
    /// Only the default `hook` of the type `of` registered at the link this was given to
    /// counts: a middleware that calls a default hook of another (or another of its own)
    /// is not taken for one that passes everything on.
    fn pass(
        self,
        req: McpRequest,
        hook: Hook,
        of: TypeId,
    ) -> BoxFuture<'static, Result<Box<RawValue>, Error>> {
        if let Some((at, given)) = self.caller {
            let link = &self.chain.links[at];
            if given == hook && link.type_id == of {
                link.defaults.fetch_or(hook.bit(), Ordering::Relaxed);
            }
        }
        self.run(req)
    }

    /// Run the rest of the chain and read its result as `T` (a `ListToolsResult`, a
    /// `CallToolResult`...).
    pub async fn run_as<T: DeserializeOwned>(self, req: McpRequest) -> Result<T, Error> {
        let raw = self.run(req).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("middleware could not read the result: {e}")))
    }

    /// The start of `chain`: the first hook of its first middleware.
    fn start(chain: Arc<Chain>) -> CallNext {
        CallNext {
            chain,
            index: 0,
            stage: Stage::Message,
            caller: None,
        }
    }
}
