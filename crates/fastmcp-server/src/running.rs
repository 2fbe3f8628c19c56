//! A started server ([`RunningServer`]): serve connections on it, then shut it down; and
//! the handle that changes its components while it runs ([`ServerHandle`]).

use std::sync::Arc;

use fastmcp_core::{AnyResource, Error, IntoPrompt, IntoResource, IntoTool};
use fastmcp_protocol::ServerCapabilities;
use fastmcp_transport::{memory, Channel};

use crate::changes::ChangeNotifier;
use crate::lock::lock;
use crate::provider::{LocalProvider, RegistrationError};
use crate::shared::Shared;

/// A started server: serve connections on it, then shut it down.
#[derive(Clone)]
pub struct RunningServer {
    pub(crate) shared: Arc<Shared>,
}

impl RunningServer {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        RunningServer { shared }
    }

    /// Serve one connection until it ends.
    pub async fn serve(&self, channel: Channel) {
        crate::session::serve_channel(self.shared.clone(), channel).await;
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
        crate::session::serve_lines(self.shared.clone(), lines, writer).await;
    }

    /// Serve one connection in a task of its own.
    pub fn spawn(&self, channel: Channel) -> tokio::task::JoinHandle<()> {
        let s = self.shared.clone();
        self.shared
            .connections
            .spawn(async move { crate::session::serve_channel(s, channel).await })
    }

    /// A new in-memory connection; returns the client's end.
    pub fn connect_in_memory(&self) -> Channel {
        let (client, server) = memory::pair(1024);
        self.spawn(server);
        client
    }

    /// A handle to change components at run time.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::new(self.shared.rt.local.clone(), self.shared.rt.changes.clone())
    }

    /// The statistics installed with [`Server::stats`](crate::Server::stats).
    pub fn stats(&self) -> Option<&crate::middleware::Stats> {
        self.shared.stats.as_ref()
    }

    /// The server's typed state of type `T` (`Server::state`, `Server::lifespan`).
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<std::sync::Arc<T>> {
        self.shared.rt.state.get()
    }

    /// What is enabled and disabled for every session; see [`crate::Visibility`].
    pub fn visibility(&self) -> crate::Visibility {
        self.shared.rt.visibility.clone()
    }

    /// How many task runs are in flight (tasks extension).
    pub fn running_tasks(&self) -> usize {
        self.shared.rt.tasks.running()
    }

    /// How many tasks the server's transports and task runs hold now: connections and
    /// sessions, requests that waited, SSE writers, session housekeeping, task runs. After
    /// [`RunningServer::shutdown`] (and in its shutdown hooks) it is zero.
    pub fn live_tasks(&self) -> usize {
        self.shared.connections.len() + self.shared.rt.tasks.tracker.len()
    }

    /// The capabilities this server announces now.
    pub fn capabilities(&self) -> ServerCapabilities {
        crate::methods::capabilities(&self.shared.rt)
    }

    /// Be a worker: take tasks from the server's task queue ([`crate::Server::task_queue`])
    /// and run them until `stop` is cancelled; then the runs in flight get the shutdown
    /// grace to finish, and those that do not are given back to the queue for another
    /// worker. Fails at once without a task queue. [`crate::Server::run_worker`] does this
    /// until SIGINT or SIGTERM.
    pub async fn work(
        &self,
        opts: crate::WorkerOptions,
        stop: tokio_util::sync::CancellationToken,
    ) -> Result<(), Error> {
        crate::tasks::work(self.shared.rt.clone(), opts, stop).await
    }

    /// Stop: connections stop reading, requests in flight get the shutdown grace to finish
    /// and are then cancelled; connections are awaited; the shutdown hooks run.
    ///
    /// Tasks still running get the shutdown grace too, then are cancelled (they end
    /// `cancelled`) and awaited.
    pub async fn shutdown(&self) -> Result<(), Error> {
        self.shared.shutdown.cancel();
        self.shared.connections.close();
        let rt = &self.shared.rt;
        let tasks = rt.tasks.shutdown(rt.config.shutdown_grace);
        tokio::join!(self.shared.connections.wait(), tasks);
        let hooks = std::mem::take(&mut *lock(&self.shared.shutdown_hooks));
        for h in hooks {
            h().await?;
        }
        Ok(())
    }
}

/// Changes a server's components while it runs; sessions are told with list_changed.
#[derive(Clone)]
pub struct ServerHandle {
    local: Arc<LocalProvider>,
    changes: ChangeNotifier,
}

impl ServerHandle {
    pub(crate) fn new(local: Arc<LocalProvider>, changes: ChangeNotifier) -> Self {
        ServerHandle { local, changes }
    }

    /// Add (or replace) a tool.
    pub fn add_tool(&self, t: impl IntoTool) -> Result<(), RegistrationError> {
        self.local.add_tool(t.into_tool())
    }

    /// Remove a tool; whether it was there.
    pub fn remove_tool(&self, name: &str) -> bool {
        self.local.remove_tool(name)
    }

    /// Add a resource or template.
    pub fn add_resource(&self, r: impl IntoResource) -> Result<(), RegistrationError> {
        self.local.add_resource(r.into_resource())
    }

    /// Remove a resource (by URI) or template (by its template text).
    pub fn remove_resource(&self, uri: &str) -> bool {
        self.local.remove_resource(uri)
    }

    /// Add a prompt.
    pub fn add_prompt(&self, p: impl IntoPrompt) -> Result<(), RegistrationError> {
        self.local.add_prompt(p.into_prompt())
    }

    /// Remove a prompt.
    pub fn remove_prompt(&self, name: &str) -> bool {
        self.local.remove_prompt(name)
    }

    /// Tell subscribed sessions that a resource changed.
    pub fn notify_resource_updated(&self, uri: &str) {
        self.changes.resource_updated(uri);
    }

    /// Whether a resource or template is registered.
    pub fn has_resource(&self, uri: &str) -> bool {
        self.local.has_resource(uri)
    }

    #[doc(hidden)]
    pub fn _any_resource(&self, r: AnyResource) -> Result<(), RegistrationError> {
        self.local.add_resource(r)
    }

    /// Announces changes to every session (for components of other providers).
    pub fn changes(&self) -> &ChangeNotifier {
        &self.changes
    }
}
