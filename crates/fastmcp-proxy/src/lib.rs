//! A proxy: a server whose tools, resources, templates and prompts are those of another MCP
//! server, reached over any client transport (a child process on stdio, Streamable HTTP of
//! either era, legacy HTTP+SSE, WebSocket) or named in an MCPConfig.
//!
//! [`Proxy`] is a [`Provider`](fastmcp_server::Provider): add it to a [`Server`] with [`Server::provider`] (next to
//! the server's own components, under transforms and middleware like any provider), or
//! make a server of it with [`Proxy::into_server`]. What passes through:
//!
//! - every use (a call, a read, a prompt, a completion) is sent upstream for the caller;
//!   progress comes back to the caller, cancelling the caller's request cancels the
//!   upstream one (`notifications/cancelled`);
//! - what the upstream server asks during a call (elicitation, sampling, roots) is asked of
//!   the caller's client, in either era on either side; its log messages reach the
//!   caller's client, filtered by that client's level;
//! - its list changes reach every session of the proxy; a client's resource subscription
//!   subscribes the proxy upstream (the first subscriber's; the last unsubscribe ends it),
//!   and the upstream server's updates reach the sessions subscribed to the resource;
//! - credentials are the proxy's own: the upstream connection is made by the proxy's
//!   configuration, and nothing of the caller's request (its token, its headers) is sent on.
//!
//! Connections ([`Sessions`]): by default each downstream session has its own upstream
//! connection, made on its first use and closed when the session ends (in the stateless
//! era, where a session is one request, one connection per request); lists are read on a
//! connection of the proxy's own. [`Sessions::Shared`] uses one connection for everyone:
//! cheaper, but an upstream request that arrives while calls of several clients are in
//! flight is refused rather than risk asking the wrong user.
//!
//! ```no_run
//! use fastmcp_client::ServerEntry;
//! use fastmcp_proxy::Proxy;
//!
//! # async fn run() -> Result<(), fastmcp_core::Error> {
//! // Serve a remote server's components on stdio.
//! let entry = ServerEntry::Remote {
//!     url: "https://example.com/mcp".into(),
//!     headers: Default::default(),
//!     transport: None,
//!     auth: None,
//! };
//! Proxy::entry(entry).into_server("front").run_stdio().await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod callers;
mod catalog;
mod components;
mod config;
mod provider;
mod relay;
mod subscriptions;
mod upstream;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use fastmcp_client::{Client, ClientBuilder, ServerEntry};
use fastmcp_core::{Context, Error};
use fastmcp_server::Server;

pub use config::proxy_config;
pub use subscriptions::UpstreamSubscriptions;

use catalog::Catalog;
use upstream::{Connect, SessionUpstreams, Upstream};

/// Which upstream connection serves a downstream request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sessions {
    /// One connection per downstream session (the default): what the upstream server asks
    /// always reaches the right client, and upstream session state is per client.
    #[default]
    PerSession,
    /// One connection for every client.
    Shared,
}

/// A provider of another server's components. See the crate docs.
///
/// A clone is a handle to the same proxy (same connections, same lists): keep one to call
/// [`Proxy::upstream_changed`] after adding the proxy to a server.
#[derive(Clone)]
pub struct Proxy {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Tells this proxy's connections apart from another proxy's in a session.
    id: u64,
    connect: Connect,
    sessions: Sessions,
    pub(crate) catalog: Arc<Catalog>,
    /// The proxy's own connection: lists, and every use in [`Sessions::Shared`].
    pub(crate) shared: Upstream,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

impl Proxy {
    /// A proxy whose connections are made by `connect`, given a builder that already has
    /// the proxy's handler: set a mode or timeouts on it if you like, then connect it.
    ///
    /// ```no_run
    /// use fastmcp_client::Mode;
    /// use fastmcp_transport::ChildTransport;
    /// use fastmcp_proxy::Proxy;
    ///
    /// let proxy = Proxy::new(|builder: fastmcp_client::ClientBuilder| async move {
    ///     builder.mode(Mode::Auto).connect(ChildTransport::new("my-server")).await
    /// });
    /// ```
    pub fn new<F, Fut>(connect: F) -> Self
    where
        F: Fn(ClientBuilder) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Client, Error>> + Send + 'static,
    {
        let connect: Connect = Arc::new(move |b| Box::pin(connect(b)));
        Self::build(connect, Sessions::default())
    }

    /// A proxy of the server an MCPConfig entry names.
    pub fn entry(entry: ServerEntry) -> Self {
        let entry = Arc::new(entry);
        Self::new(move |b| {
            let entry = entry.clone();
            async move { entry.connect(b).await }
        })
    }

    /// Choose how upstream connections are shared (see [`Sessions`]).
    pub fn sessions(self, sessions: Sessions) -> Self {
        Self::build(self.inner.connect.clone(), sessions)
    }

    /// A server named `name` that offers this proxy's components (with
    /// [`Proxy::subscriptions`]).
    pub fn into_server(self, name: &str) -> Server {
        let subscriptions = self.subscriptions();
        Server::new(name, env!("CARGO_PKG_VERSION"))
            .provider(self)
            .middleware(subscriptions)
    }

    /// The middleware that passes resource subscriptions upstream, so that the upstream
    /// server's resource updates reach the clients that subscribed: add it to the server
    /// you add this proxy to with `Server::provider`.
    pub fn subscriptions(&self) -> UpstreamSubscriptions {
        UpstreamSubscriptions::new(self.inner.clone(), None)
    }

    /// The upstream server was restarted or replaced (rebuilt, redeployed): forget the
    /// lists read from it and tell every session that its tools, resources and prompts
    /// changed. Connections already open stay open; one that closed is made again on its
    /// next use.
    pub fn upstream_changed(&self) {
        let catalog = &self.inner.catalog;
        for method in [
            "notifications/tools/list_changed",
            "notifications/resources/list_changed",
            "notifications/prompts/list_changed",
        ] {
            catalog.upstream_said(method, None);
        }
    }

    fn build(connect: Connect, sessions: Sessions) -> Self {
        let catalog = Arc::new(Catalog::default());
        let shared = Upstream::new(connect.clone(), catalog.clone(), None);
        Proxy {
            inner: Arc::new(Inner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                connect,
                sessions,
                catalog,
                shared,
            }),
        }
    }
}

impl Inner {
    /// The open connection that serves `session` (without making one).
    pub(crate) fn connected_for(&self, session: &fastmcp_core::Session) -> Option<Client> {
        match self.sessions {
            Sessions::Shared => self.shared.connected(),
            Sessions::PerSession => session
                .typed_state::<SessionUpstreams>()?
                .get(self.id)?
                .connected(),
        }
    }

    /// The connection that serves `ctx`'s request.
    pub(crate) fn upstream(&self, ctx: &Context) -> UpstreamRef<'_> {
        match self.sessions {
            Sessions::Shared => UpstreamRef::Shared(&self.shared),
            Sessions::PerSession => {
                let mine = ctx
                    .session()
                    .typed_state_or_insert_with(SessionUpstreams::default);
                UpstreamRef::Own(mine.get_or(self.id, || {
                    let caps = ctx.client_capabilities();
                    Upstream::new(self.connect.clone(), self.catalog.clone(), Some(caps))
                }))
            }
        }
    }
}

/// The proxy's own connection, or one of a session.
pub(crate) enum UpstreamRef<'a> {
    Shared(&'a Upstream),
    Own(Arc<Upstream>),
}

impl std::ops::Deref for UpstreamRef<'_> {
    type Target = Upstream;
    fn deref(&self) -> &Upstream {
        match self {
            UpstreamRef::Shared(u) => u,
            UpstreamRef::Own(u) => u,
        }
    }
}
