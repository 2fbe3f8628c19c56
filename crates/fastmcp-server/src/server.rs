//! `Server`: the builder, and a running server's handle.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{
    AnyResource, BoxFuture, Error, IntoComponents, IntoPrompt, IntoResource, IntoTool, StateSealer,
};
use fastmcp_protocol::{Icon, ServerCapabilities};
use fastmcp_transport::{memory, Channel};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::ServerConfig;
use crate::registry::{DuplicateError, OnDuplicate, Registry, ServerEvent};
use crate::router::Router;
use crate::tasks::{MemoryTaskStore, TaskStore};

type Hook = Box<dyn FnOnce() -> BoxFuture<'static, Result<(), Error>> + Send>;

/// An MCP server: register components, then run it on a transport.
///
/// ```no_run
/// use fastmcp_server::Server;
/// use fastmcp_core::{FnTool, Context, Error};
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Greet { name: String }
///
/// # async fn f() -> Result<(), Error> {
/// Server::new("greeter", "1.0.0")
///     .instructions("Greets people.")
///     .tool(FnTool::typed("greet", "Say hello.", |_: Context, a: Greet| async move {
///         format!("Hello, {}!", a.name)
///     }))
///     .run_stdio()
///     .await
/// # }
/// ```
pub struct Server {
    config: ServerConfig,
    registry: Arc<Registry>,
    task_store: Arc<dyn TaskStore>,
    startup: Vec<Hook>,
    shutdown: Vec<Hook>,
}

impl Server {
    /// A server with a name and version.
    pub fn new(name: &str, version: &str) -> Self {
        Server {
            config: ServerConfig::new(name, version),
            registry: Arc::new(Registry::new()),
            task_store: Arc::new(MemoryTaskStore::new()),
            startup: vec![],
            shutdown: vec![],
        }
    }

    /// A display title.
    pub fn title(mut self, t: &str) -> Self {
        self.config.info.title = Some(t.to_owned());
        self
    }

    /// A description of the server.
    pub fn description(mut self, d: &str) -> Self {
        self.config.info.description = Some(d.to_owned());
        self
    }

    /// The server's website.
    pub fn website_url(mut self, url: &str) -> Self {
        self.config.info.website_url = Some(url.to_owned());
        self
    }

    /// Add an icon.
    pub fn icon(mut self, icon: Icon) -> Self {
        self.config.add_icon(icon);
        self
    }

    /// Instructions for the model.
    pub fn instructions(mut self, i: &str) -> Self {
        self.config.instructions = Some(i.to_owned());
        self
    }

    /// The default time budget of every request (a tool's own timeout may be shorter).
    pub fn request_timeout(mut self, t: Duration) -> Self {
        self.config.request_timeout = Some(t);
        self
    }

    /// Paginate list results with this many items a page.
    pub fn page_size(mut self, n: usize) -> Self {
        self.config.page_size = Some(n);
        self
    }

    /// What to do when a name is registered twice.
    pub fn on_duplicate(self, policy: OnDuplicate) -> Self {
        *self.registry.on_duplicate.write().expect("lock") = policy;
        self
    }

    /// Hide the messages of unexpected handler errors (tool errors made with
    /// `Error::tool` are still shown).
    pub fn mask_error_details(mut self, on: bool) -> Self {
        self.config.mask_error_details = on;
        self
    }

    /// Refuse tool calls with arguments that are not in the input schema.
    pub fn strict_input_validation(mut self, on: bool) -> Self {
        self.config.strict_input_validation = on;
        self
    }

    /// Accept JSON-encoded strings for non-string arguments (default on).
    pub fn lenient_arguments(mut self, on: bool) -> Self {
        self.config.lenient_arguments = on;
        self
    }

    /// How long a cancelled handler gets to reach a checkpoint before it is dropped.
    pub fn cancel_grace(mut self, d: Duration) -> Self {
        self.config.cancel_grace = d;
        self
    }

    /// How long shutdown waits for requests in flight.
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.config.shutdown_grace = d;
        self
    }

    /// The key that seals `requestState` (give every replica the same key).
    pub fn request_state_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.config.sealer = StateSealer::new(key.into());
        self
    }

    /// `ttlMs` and `cacheScope` of list results in the stateless era.
    pub fn list_cache(mut self, ttl: Duration, scope: fastmcp_protocol::CacheScope) -> Self {
        self.config.list_ttl_ms = ttl.as_millis() as u64;
        self.config.cache_scope = scope;
        self
    }

    /// Largest message accepted on stdio.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// Where tasks are kept (default: a [`MemoryTaskStore`]). Give every replica the same
    /// shared store (and the same [`Server::request_state_key`]) to serve tasks behind a
    /// load balancer.
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.task_store = Arc::new(store);
        self
    }

    /// How long a task is kept after its creation (`ttlMs`, default one hour; `None`:
    /// unlimited). A task still running when it passes fails with a timeout.
    pub fn task_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.config.task_ttl = ttl;
        self
    }

    /// The polling interval suggested to clients of tasks (`pollIntervalMs`, default 1 s).
    pub fn task_poll_interval(mut self, d: Duration) -> Self {
        self.config.task_poll_interval = d;
        self
    }

    fn must(r: Result<(), DuplicateError>) {
        if let Err(e) = r {
            panic!("{e}");
        }
    }

    /// Register a tool (a `#[tool]` function or a [`fastmcp_core::FnTool`]).
    pub fn tool(self, t: impl IntoTool) -> Self {
        Self::must(self.registry.add_tool(t.into_tool()));
        self
    }

    /// Register a resource or template.
    pub fn resource(self, r: impl IntoResource) -> Self {
        Self::must(self.registry.add_resource(r.into_resource()));
        self
    }

    /// Register a prompt.
    pub fn prompt(self, p: impl IntoPrompt) -> Self {
        Self::must(self.registry.add_prompt(p.into_prompt()));
        self
    }

    /// Register every component of a value with `#[tools]` on its impl block.
    pub fn components(self, c: impl IntoComponents) -> Self {
        let c = c.into_components();
        for t in c.tools {
            Self::must(self.registry.add_tool(t));
        }
        for r in c.resources {
            Self::must(self.registry.add_resource(r));
        }
        for p in c.prompts {
            Self::must(self.registry.add_prompt(p));
        }
        self
    }

    /// Run `f` before serving; an `Err` stops the start.
    pub fn on_startup<F, Fut>(mut self, f: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.startup.push(Box::new(move || Box::pin(f())));
        self
    }

    /// Run `f` after the server has drained at shutdown.
    pub fn on_shutdown<F, Fut>(mut self, f: F) -> Self
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        self.shutdown.push(Box::new(move || Box::pin(f())));
        self
    }

    /// A handle to change components at run time.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            registry: self.registry.clone(),
        }
    }

    /// The settings so far.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Run the startup hooks and return the running server.
    pub async fn start(self) -> Result<RunningServer, Error> {
        for h in self.startup {
            h().await?;
        }
        let shutdown = CancellationToken::new();
        let shared = Arc::new(Shared {
            router: Router::new(
                self.config,
                self.registry.clone(),
                shutdown.clone(),
                self.task_store,
            ),
            registry: self.registry,
            shutdown,
            connections: TaskTracker::new(),
            shutdown_hooks: std::sync::Mutex::new(self.shutdown),
        });
        Ok(RunningServer { shared })
    }

    /// Serve HTTP at `addr` (e.g. `127.0.0.1:8000`) until Ctrl-C, then shut down
    /// gracefully: Streamable HTTP at `/mcp`, legacy HTTP+SSE at `/sse` and `/messages`,
    /// WebSocket at `/ws`.
    #[cfg(feature = "http")]
    pub async fn run_http(self, addr: &str) -> Result<(), Error> {
        self.run_http_with(addr, crate::HttpOptions::default())
            .await
    }

    /// [`Server::run_http`] with options.
    #[cfg(feature = "http")]
    pub async fn run_http_with(self, addr: &str, opts: crate::HttpOptions) -> Result<(), Error> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(Error::from)?;
        let addr = listener.local_addr().map_err(Error::from)?;
        tracing::info!(
            "serving MCP on http://{addr}{} (legacy SSE: {}, WebSocket: ws://{addr}{})",
            opts.path,
            opts.sse_path,
            opts.ws_path
        );
        let running = self.start().await?;
        let r2 = running.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                let _ = r2.shutdown().await;
            }
        });
        running.serve_http(listener, opts).await?;
        running.shutdown().await
    }

    /// Serve one client on stdin/stdout until it closes stdin; then shut down.
    ///
    /// The environment variable `FASTMCP_MAX_MESSAGE_SIZE` (bytes) overrides
    /// [`Server::max_message_size`].
    pub async fn run_stdio(self) -> Result<(), Error> {
        let max = std::env::var("FASTMCP_MAX_MESSAGE_SIZE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.config.max_message_size);
        let running = self.start().await?;
        let (stdin, stdout) = (
            fastmcp_transport::stdio::stdin(),
            fastmcp_transport::stdio::stdout(),
        );
        running.serve_stream(stdin, stdout, max).await;
        running.shutdown().await
    }
}

pub(crate) struct Shared {
    pub(crate) router: Arc<Router>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) shutdown: CancellationToken,
    pub(crate) connections: TaskTracker,
    shutdown_hooks: std::sync::Mutex<Vec<Hook>>,
}

/// A started server: serve connections on it, then shut it down.
#[derive(Clone)]
pub struct RunningServer {
    shared: Arc<Shared>,
}

impl RunningServer {
    /// Serve one connection until it ends.
    pub async fn serve(&self, channel: Channel) {
        crate::connection::serve(self.shared.clone(), channel).await;
    }

    /// Serve one session over a byte stream of newline-delimited JSON (stdin and stdout, a
    /// socket, a pipe pair) until its input ends; lines longer than `max_message_size`
    /// bytes are refused. One task reads, runs and writes (requests that wait get tasks of
    /// their own); everything is written and flushed when this returns.
    ///
    /// A request runs in place until its handler first waits; once one has computed for more
    /// than 2 ms before waiting, the connection's requests get tasks of their own at once.
    /// Long CPU-bound work still belongs in `tokio::task::spawn_blocking`.
    ///
    /// ```no_run
    /// # async fn f(running: fastmcp_server::RunningServer) {
    /// let (socket, _) = tokio::net::UnixListener::bind("/tmp/mcp.sock")
    ///     .unwrap()
    ///     .accept()
    ///     .await
    ///     .unwrap();
    /// let (r, w) = socket.into_split();
    /// running.serve_stream(r, w, 4 << 20).await;
    /// # }
    /// ```
    pub async fn serve_stream<R, W>(&self, reader: R, writer: W, max_message_size: usize)
    where
        R: tokio::io::AsyncRead + Unpin + Send,
        W: tokio::io::AsyncWrite + Unpin + Send,
    {
        let lines = fastmcp_transport::LineReader::new(reader, max_message_size);
        crate::stream::serve_lines(self.shared.clone(), lines, writer).await;
    }

    /// Serve one connection in a task of its own.
    pub fn spawn(&self, channel: Channel) -> tokio::task::JoinHandle<()> {
        let s = self.shared.clone();
        self.shared
            .connections
            .spawn(async move { crate::connection::serve(s, channel).await })
    }

    /// The Streamable HTTP endpoint as an axum `Router` (nest it into an application, or
    /// serve it with [`RunningServer::serve_http`]). Call inside a tokio runtime.
    #[cfg(feature = "http")]
    pub fn streamable_http(&self, opts: crate::HttpOptions) -> axum::Router {
        crate::http::streamable_router(self.shared.clone(), opts)
    }

    /// The legacy HTTP+SSE transport of protocol 2024-11-05 as an axum `Router`: `GET /sse`
    /// opens a session's event stream (its first event, `endpoint`, names where to POST),
    /// `POST /messages?sessionId=..` takes the client's messages (`202 Accepted`; responses
    /// go out on the stream). Closing the stream ends the session. Paths are set with
    /// [`crate::HttpOptions::legacy_paths`]. Call inside a tokio runtime.
    #[cfg(feature = "http")]
    pub fn legacy_sse(&self, opts: crate::HttpOptions) -> axum::Router {
        crate::http::legacy_sse_router(self.shared.clone(), opts)
    }

    /// The WebSocket transport as an axum `Router`: `GET /ws` upgrades (subprotocol `mcp`
    /// when offered), each text frame is one JSON-RPC message, and the socket is one
    /// session, served like stdio. The path is set with
    /// [`crate::HttpOptions::websocket_path`].
    #[cfg(feature = "websocket")]
    pub fn websocket(&self, opts: crate::HttpOptions) -> axum::Router {
        crate::http::websocket_router(self.shared.clone(), opts)
    }

    /// Every HTTP transport on one axum `Router`: Streamable HTTP
    /// ([`RunningServer::streamable_http`]), legacy HTTP+SSE ([`RunningServer::legacy_sse`])
    /// and WebSocket ([`RunningServer::websocket`]); their paths must differ. This is what
    /// [`RunningServer::serve_http`] serves. Call inside a tokio runtime.
    #[cfg(feature = "http")]
    pub fn http_router(&self, opts: crate::HttpOptions) -> axum::Router {
        crate::http::combined_router(self.shared.clone(), opts)
    }

    /// Serve every HTTP transport ([`RunningServer::http_router`]) on a bound listener until
    /// the server shuts down. `TCP_NODELAY` is set on every connection.
    #[cfg(feature = "http")]
    pub async fn serve_http(
        &self,
        listener: tokio::net::TcpListener,
        opts: crate::HttpOptions,
    ) -> Result<(), Error> {
        use axum::serve::ListenerExt;
        let app = self.http_router(opts);
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let token = self.shared.shutdown.clone();
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { token.cancelled().await })
            .await
            .map_err(Error::from)
    }

    /// A new in-memory connection; returns the client's end.
    pub fn connect_in_memory(&self) -> Channel {
        let (client, server) = memory::pair(1024);
        self.spawn(server);
        client
    }

    /// A handle to change components at run time.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle {
            registry: self.shared.registry.clone(),
        }
    }

    /// How many task runs are in flight (tasks extension).
    pub fn running_tasks(&self) -> usize {
        self.shared.router.tasks.running()
    }

    /// The capabilities this server announces now.
    pub fn capabilities(&self) -> ServerCapabilities {
        self.shared.router.capabilities()
    }

    /// Stop: connections stop reading, requests in flight get the shutdown grace to finish
    /// and are then cancelled; connections are awaited; the shutdown hooks run.
    ///
    /// Tasks still running get the shutdown grace too, then are cancelled (they end
    /// `cancelled`) and awaited.
    pub async fn shutdown(&self) -> Result<(), Error> {
        self.shared.shutdown.cancel();
        self.shared.connections.close();
        let tasks = self
            .shared
            .router
            .tasks
            .shutdown(self.shared.router.config.shutdown_grace);
        tokio::join!(self.shared.connections.wait(), tasks);
        let hooks = std::mem::take(&mut *self.shared.shutdown_hooks.lock().expect("lock"));
        for h in hooks {
            h().await?;
        }
        Ok(())
    }
}

/// Changes a server's components while it runs; sessions are told with list_changed.
#[derive(Clone)]
pub struct ServerHandle {
    registry: Arc<Registry>,
}

impl ServerHandle {
    /// Add (or replace) a tool.
    pub fn add_tool(&self, t: impl IntoTool) -> Result<(), DuplicateError> {
        self.registry.add_tool(t.into_tool())
    }

    /// Remove a tool; whether it was there.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.registry.remove_tool(name)
    }

    /// Add a resource or template.
    pub fn add_resource(&self, r: impl IntoResource) -> Result<(), DuplicateError> {
        self.registry.add_resource(r.into_resource())
    }

    /// Remove a resource (by URI) or template (by its template text).
    pub fn remove_resource(&self, uri: &str) -> bool {
        self.registry.remove_resource(uri)
    }

    /// Add a prompt.
    pub fn add_prompt(&self, p: impl IntoPrompt) -> Result<(), DuplicateError> {
        self.registry.add_prompt(p.into_prompt())
    }

    /// Remove a prompt.
    pub fn remove_prompt(&self, name: &str) -> bool {
        self.registry.remove_prompt(name)
    }

    /// Tell subscribed sessions that a resource changed.
    pub fn notify_resource_updated(&self, uri: &str) {
        let _ = self
            .registry
            .events
            .send(ServerEvent::ResourceUpdated(uri.to_owned()));
    }

    /// Whether a resource or template is registered.
    pub fn has_resource(&self, uri: &str) -> bool {
        self.registry.resource(uri).is_some() || self.registry.template(uri).is_some()
    }

    #[doc(hidden)]
    pub fn _any_resource(&self, r: AnyResource) -> Result<(), DuplicateError> {
        self.registry.add_resource(r)
    }
}
