//! `Server`: the builder. Register components, providers, transforms and middleware,
//! then start it or run it on a transport.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};

use fastmcp_core::{Error, IntoComponents, IntoPrompt, IntoResource, IntoTool, StateMap};
use tower::util::BoxCloneSyncService;
use tower::{Layer, Service};

use crate::changes::ChangeNotifier;
use crate::config::ServerConfig;
use crate::middleware::pipeline::{self, PipelineLayer};
use crate::provider::{LocalProvider, Provider, ProviderSet, RegistrationError};
use crate::running::{RunningServer, ServerHandle};
use crate::runtime::Runtime;
use crate::service::{BoxMcpService, McpRequest, NotificationHook, Pipeline};
use crate::shared::{Hook, Shared};
use crate::tasks::state::Tasks;
use crate::tasks::{MemoryTaskStore, TaskStore};
use crate::transform::{Transform, Transformed};

mod runtime_config;
mod settings;

pub use runtime_config::{RuntimeConfig, RUNTIME_ENV};

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
    changes: ChangeNotifier,
    local: Arc<LocalProvider>,
    providers: Vec<Arc<dyn Provider>>,
    transforms: Vec<Arc<dyn Transform>>,
    visibility: crate::visibility::Visibility,
    tag_filter: crate::tag_filter::TagFilter,
    layers: Vec<PipelineLayer>,
    notification_hooks: Vec<NotificationHook>,
    /// The typed middleware, told of the server when it starts ([`crate::Middleware::attach`]).
    attached: Vec<Arc<dyn crate::Middleware>>,
    task_store: Arc<dyn TaskStore>,
    task_queue: Option<Arc<dyn crate::TaskQueue>>,
    startup: Vec<Hook>,
    shutdown: Vec<Hook>,
    /// The typed state (filled further by the lifespan hooks at start).
    state: Arc<Mutex<StateMap>>,
    stats: Option<crate::middleware::Stats>,
    /// What went wrong while registering (returned by [`Server::start`]).
    errors: Vec<RegistrationError>,
}

impl Server {
    /// A server with a name and version.
    pub fn new(name: &str, version: &str) -> Self {
        let changes = ChangeNotifier::new();
        Server {
            config: ServerConfig::new(name, version),
            local: Arc::new(LocalProvider::new(changes.clone())),
            providers: vec![],
            transforms: vec![],
            visibility: crate::visibility::Visibility::new(changes.clone()),
            tag_filter: crate::tag_filter::TagFilter::new(),
            layers: vec![],
            notification_hooks: vec![],
            attached: vec![],
            task_store: Arc::new(MemoryTaskStore::new()),
            task_queue: None,
            startup: vec![],
            shutdown: vec![],
            state: Arc::default(),
            stats: None,
            errors: vec![],
            changes,
        }
    }

    fn must(mut self, r: Result<(), RegistrationError>) -> Self {
        if let Err(e) = r {
            self.errors.push(e);
        }
        self
    }

    /// Keep a registration problem for [`Server::start`] to return.
    pub(crate) fn registration_error(mut self, e: RegistrationError) -> Self {
        self.errors.push(e);
        self
    }

    /// The server's own components.
    pub(crate) fn local(&self) -> &LocalProvider {
        &self.local
    }

    /// A copy of the server's own components, and its registration problems.
    pub(crate) fn into_local(self) -> (crate::provider::Snapshot, Vec<RegistrationError>) {
        (self.local.snapshot(), self.errors)
    }

    /// Register a tool (a `#[tool]` function or a [`fastmcp_core::FnTool`]). A problem
    /// (a name taken under [`crate::OnDuplicate::Error`]) is returned by [`Server::start`].
    pub fn tool(self, t: impl IntoTool) -> Self {
        let r = self.local.add_tool(t.into_tool());
        self.must(r)
    }

    /// Register a resource or template. A problem (an invalid URI template, a URI taken
    /// under [`crate::OnDuplicate::Error`]) is returned by [`Server::start`].
    pub fn resource(self, r: impl IntoResource) -> Self {
        let r = self.local.add_resource(r.into_resource());
        self.must(r)
    }

    /// Register a prompt. A problem is returned by [`Server::start`].
    pub fn prompt(self, p: impl IntoPrompt) -> Self {
        let r = self.local.add_prompt(p.into_prompt());
        self.must(r)
    }

    /// Register components at once: a `#[tool]`, `#[resource]` or `#[prompt]`, a tuple of
    /// them (`.components((add, search, notes, summarize))`, in that order), or a value
    /// with `#[tools]` on its impl block.
    pub fn components(mut self, c: impl IntoComponents) -> Self {
        let c = c.into_components();
        for t in c.tools {
            let r = self.local.add_tool(t);
            self = self.must(r);
        }
        for r in c.resources {
            let r = self.local.add_resource(r);
            self = self.must(r);
        }
        for p in c.prompts {
            let r = self.local.add_prompt(p);
            self = self.must(r);
        }
        self
    }

    /// Offer an extension of the protocol: it is declared under
    /// `capabilities.extensions`, its methods are answered, its components (if it has a
    /// provider) served after those of the providers added before it. See
    /// [`crate::Extension`].
    pub fn extension(mut self, e: impl crate::Extension) -> Self {
        let e: Arc<dyn crate::Extension> = Arc::new(e);
        if let Some(p) = e.provider() {
            self.providers.push(p);
        }
        self.config.extensions.add(e);
        self
    }

    /// Add a source of components (a mounted server, a proxy, a directory, ...), asked
    /// after the server's own components and the providers added before it. See
    /// [`Provider`].
    pub fn provider(mut self, p: impl Provider) -> Self {
        self.providers.push(Arc::new(p));
        self
    }

    /// Reshape what every provider offers (see [`Transform`]); the first transform added
    /// is the outermost.
    pub fn transform(mut self, t: impl Transform) -> Self {
        self.transforms.push(Arc::new(t));
        self
    }

    /// Serve only the components tagged with at least one of `tags` (added to those given
    /// before; an untagged component is then hidden). See [`crate::TagFilter`].
    pub fn include_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tag_filter = std::mem::take(&mut self.tag_filter).include(tags);
        self
    }

    /// Hide the components tagged with any of `tags`, even when they have an included tag.
    /// See [`crate::TagFilter`].
    pub fn exclude_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tag_filter = std::mem::take(&mut self.tag_filter).exclude(tags);
        self
    }

    /// What is enabled and disabled at run time (before the start as well); see
    /// [`crate::Visibility`].
    pub fn visibility(&self) -> crate::visibility::Visibility {
        self.visibility.clone()
    }

    /// Make `version` the default version of tool `name` (listed, and called when the
    /// client names no version) instead of the highest.
    pub fn default_tool_version(self, name: &str, version: &str) -> Self {
        self.local.set_default_tool_version(name, version);
        self
    }

    /// Add a typed [`Middleware`](crate::Middleware): its hooks see every request (nested
    /// calls of handlers included) on every transport, in both eras. Middleware and layers
    /// run in the order they are added, the first outermost.
    pub fn middleware<M: crate::Middleware>(mut self, m: M) -> Self {
        let middleware: std::sync::Arc<dyn crate::Middleware> = std::sync::Arc::new(m);
        let hooked = middleware.clone();
        self.notification_hooks
            .push(Arc::new(move |n| hooked.on_notification(n)));
        self.attached.push(middleware.clone());
        self.layers.push(PipelineLayer::Middleware(
            middleware,
            std::any::TypeId::of::<M>(),
        ));
        self
    }

    /// Count requests and their latencies per method and per component with `stats`, a
    /// [`Stats`](crate::middleware::Stats) middleware placed here in the pipeline (like
    /// [`Server::middleware`]); the server keeps the handle:
    /// [`RunningServer::stats`](crate::RunningServer::stats), and `/metrics` over HTTP
    /// with [`HttpOptions::metrics`](crate::HttpOptions::metrics).
    pub fn stats(mut self, stats: crate::middleware::Stats) -> Self {
        self.stats = Some(stats.clone());
        self.middleware(stats)
    }

    /// Wrap the request pipeline in a `tower` layer (middleware): it sees every request,
    /// nested calls included, as an [`McpRequest`] and the method's result or error. The
    /// first layer added is the outermost. See [`crate::McpService`].
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<BoxMcpService> + Send + 'static,
        L::Service: Service<McpRequest, Response = Box<serde_json::value::RawValue>, Error = Error>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<McpRequest>>::Future: Send + 'static,
    {
        self.layers
            .push(PipelineLayer::Tower(Box::new(move |inner| {
                BoxCloneSyncService::new(layer.layer(inner))
            })));
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

    /// Share `value` with every handler: they read it with a [`State<T>`](fastmcp_core::State)
    /// parameter or [`Context::server_state`](fastmcp_core::Context::server_state). One
    /// value per type (a later one of the same type replaces it); wrap what changes in a
    /// `Mutex` or use atomics.
    ///
    /// ```
    /// use fastmcp_core::State;
    /// use fastmcp_server::Server;
    ///
    /// struct Config { greeting: String }
    ///
    /// let server = Server::new("demo", "1.0.0").state(Config { greeting: "Hello".into() });
    /// # let _ = server;
    /// ```
    pub fn state<T: Send + Sync + 'static>(self, value: T) -> Self {
        lock(&self.state).insert(value);
        self
    }

    /// Make typed state at start and release it at shutdown: `start` runs with the startup
    /// hooks (in the order they were added; an `Err` stops the start) and its value becomes
    /// the server's state of type `T` (as with [`Server::state`]); `stop` gets the same
    /// value after the server has drained at shutdown (with the shutdown hooks, in the order
    /// they were added).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use fastmcp_core::Error;
    /// use fastmcp_server::Server;
    ///
    /// struct Pool { size: usize }
    ///
    /// let server = Server::new("demo", "1.0.0").lifespan(
    ///     || async { Ok::<_, Error>(Pool { size: 4 }) },
    ///     |pool: Arc<Pool>| async move {
    ///         println!("closing {} connections", pool.size);
    ///         Ok(())
    ///     },
    /// );
    /// # let _ = server;
    /// ```
    pub fn lifespan<T, S, SFut, E, EFut>(mut self, start: S, stop: E) -> Self
    where
        T: Send + Sync + 'static,
        S: FnOnce() -> SFut + Send + 'static,
        SFut: Future<Output = Result<T, Error>> + Send + 'static,
        E: FnOnce(Arc<T>) -> EFut + Send + 'static,
        EFut: Future<Output = Result<(), Error>> + Send + 'static,
    {
        let made: Arc<OnceLock<Arc<T>>> = Arc::default();
        let (slot, state) = (made.clone(), self.state.clone());
        self.startup.push(Box::new(move || {
            Box::pin(async move {
                let value = Arc::new(start().await?);
                let _ = slot.set(value.clone());
                lock(&state).insert_arc(value);
                Ok(())
            })
        }));
        self.shutdown.push(Box::new(move || {
            Box::pin(async move {
                match made.get() {
                    Some(value) => stop(value.clone()).await,
                    None => Ok(()),
                }
            })
        }));
        self
    }

    /// A handle to change components at run time.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::new(self.local.clone(), self.changes.clone())
    }

    /// The settings so far.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// Check what was registered, run the startup hooks and return the running server.
    /// Fails with the first registration problem (naming the component and the cause),
    /// or the first startup hook's error.
    pub async fn start(self) -> Result<RunningServer, Error> {
        if let Some(e) = self.errors.first() {
            let more = match self.errors.len() {
                1 => String::new(),
                n => format!(" (and {} more registration errors)", n - 1),
            };
            return Err(Error::internal(format!(
                "cannot start the server: {e}{more}"
            )));
        }
        for h in self.startup {
            h().await?;
        }
        let state = std::mem::take(&mut *lock(&self.state));
        let mut providers: Vec<Arc<dyn Provider>> = vec![self.local.clone()];
        providers.extend(self.providers);
        let mut catalog = Transformed::new(ProviderSet::new(providers))
            .with_arc(Arc::new(self.visibility.clone()));
        if !self.tag_filter.is_empty() {
            catalog = catalog.with_arc(Arc::new(self.tag_filter));
        }
        for t in self.transforms {
            catalog = catalog.with_arc(t);
        }
        catalog.attach(&self.changes);
        let handle = ServerHandle::new(self.local.clone(), self.changes.clone());
        for m in &self.attached {
            m.attach(&handle);
        }
        let rt = Arc::new(Runtime::new(
            self.config,
            catalog,
            self.local,
            self.changes,
            self.visibility,
            Tasks::new(self.task_store, self.task_queue),
            Arc::new(state),
        ));
        rt.changes
            .debounce(rt.config.notification_debounce, &rt.shutdown);
        crate::tasks::follow_cancellations(&rt);
        let layers = self.layers;
        let build = Box::new(move |method| pipeline::build(layers, method));
        let pipeline = Pipeline::new(rt, build, self.notification_hooks);
        Ok(RunningServer::new(Shared::new(
            pipeline,
            self.shutdown,
            self.stats,
        )))
    }

    /// Serve one client on stdin/stdout until it closes stdin; then shut down.
    ///
    /// The environment variable `FASTMCP_MAX_MESSAGE_SIZE` (bytes) overrides
    /// [`Server::max_message_size`].
    ///
    /// Prints a startup banner on stderr (unless `FASTMCP_NO_BANNER` is set) and, with
    /// `FASTMCP_LOG` set to a `tracing` filter (`info`, `debug`...), logs to stderr;
    /// stdout carries nothing but the protocol.
    ///
    /// Frames go to a duplicate of the real stdout and, while the server runs, fd 1 (on
    /// Windows the standard output handle) points at stderr: `println!`/`print!` in handlers (and child processes they
    /// start) write to stderr, never among the frames. fd 1 points at the real stdout
    /// again once the server has shut down. Turn this off with
    /// [`Server::stdout_guard`]`(false)`. It cannot help when stderr goes where stdout goes
    /// (`2>&1`).
    pub async fn run_stdio(self) -> Result<(), Error> {
        crate::console::init_logging();
        let max = std::env::var("FASTMCP_MAX_MESSAGE_SIZE")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.config.max_message_size);
        let guard_stdout = self.config.stdout_guard;
        let running = self.start().await?;
        crate::console::banner(&running, "stdio").await;
        let (stdout, guard) = match guard_stdout {
            true => fastmcp_transport::stdio::guarded_stdout(),
            false => (
                fastmcp_transport::stdio::stdout(),
                fastmcp_transport::stdio::StdoutGuard::inactive(),
            ),
        };
        let stdin = fastmcp_transport::stdio::stdin();
        // The loop runs as a task of its own: on a multi-thread runtime it is then on a
        // worker, the thread that also waits for stdin, instead of the thread that called
        // `block_on` (`#[tokio::main]`), which every request had to wake (30% of the CPU
        // of a sequential echo; benches/RESULTS.md, "Runtime").
        let serve = tokio::spawn(async move {
            running.serve_stream(stdin, stdout, max).await;
            running.shutdown().await
        });
        let done = runtime_config::joined(serve.await)
            .unwrap_or_else(|e| Err(Error::internal(format!("the stdio server stopped: {e}"))));
        drop(guard);
        done
    }
}

impl Server {
    /// Run as a worker process until SIGINT or SIGTERM: start the server (its tools, its
    /// task store and its task queue; no transport) and run the tasks that the serving
    /// replicas push to the queue (see [`Server::task_queue`]). On the signal, tasks in
    /// flight get the shutdown grace to finish; the others go back to the queue.
    ///
    /// ```no_run
    /// use fastmcp_server::{RedisTaskQueue, RedisTaskStore, Server, WorkerOptions};
    /// # async fn f(server: Server) -> Result<(), fastmcp_core::Error> {
    /// let url = "redis://127.0.0.1:6379";
    /// server
    ///     .task_store(RedisTaskStore::new(url)?)
    ///     .task_queue(RedisTaskQueue::new(url)?)
    ///     .run_worker(WorkerOptions::new().concurrency(8))
    ///     .await
    /// # }
    /// ```
    pub async fn run_worker(self, opts: crate::WorkerOptions) -> Result<(), Error> {
        crate::console::init_logging();
        let running = self.start().await?;
        let stop = tokio_util::sync::CancellationToken::new();
        let on_signal = stop.clone();
        let signal = tokio::spawn(async move {
            if crate::signals::stop_signal().await.is_ok() {
                on_signal.cancel();
            }
        });
        let worked = running.work(opts, stop).await;
        signal.abort();
        running.shutdown().await?;
        worked
    }
}

fn lock(state: &Mutex<StateMap>) -> std::sync::MutexGuard<'_, StateMap> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
