//! The settings of a [`Server`]: how it describes itself, its timeouts, graces and limits,
//! its task store. Each setter's doc says its default.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::StateSealer;
use fastmcp_protocol::Icon;

use super::Server;
use crate::provider::OnDuplicate;
use crate::tasks::TaskStore;

impl Server {
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

    /// Bounds on what clients can make the server hold (requests in flight per session,
    /// subscriptions, running tasks); see [`Limits`](crate::Limits) for the defaults.
    pub fn limits(mut self, limits: crate::Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Paginate list results with this many items a page (default: no pagination, every
    /// item on one page).
    pub fn page_size(mut self, n: usize) -> Self {
        self.config.page_size = Some(n);
        self
    }

    /// What to do when a name is registered twice (default [`OnDuplicate::Replace`]: the later
    /// one wins, with a warning).
    pub fn on_duplicate(self, policy: OnDuplicate) -> Self {
        self.local.set_on_duplicate(policy);
        self
    }

    /// Hide the messages of unexpected handler errors (tool errors made with
    /// `Error::tool` are still shown). Default: off.
    pub fn mask_error_details(mut self, on: bool) -> Self {
        self.config.mask_error_details = on;
        self
    }

    /// Refuse tool calls with arguments that are not in the input schema (default: off;
    /// unknown arguments are ignored).
    pub fn strict_input_validation(mut self, on: bool) -> Self {
        self.config.strict_input_validation = on;
        self
    }

    /// Accept JSON-encoded strings for non-string arguments (default on).
    pub fn lenient_arguments(mut self, on: bool) -> Self {
        self.config.lenient_arguments = on;
        self
    }

    /// How long a cancelled handler gets to reach a checkpoint before it is dropped
    /// (default 2 s).
    pub fn cancel_grace(mut self, d: Duration) -> Self {
        self.config.cancel_grace = d;
        self
    }

    /// How long shutdown waits for requests in flight (default 10 s); then they are
    /// cancelled.
    pub fn shutdown_grace(mut self, d: Duration) -> Self {
        self.config.shutdown_grace = d;
        self
    }

    /// Coalesce change notifications within `window` (default 100 ms; zero turns it off).
    /// `notifications/{tools,resources,prompts}/list_changed` and
    /// `notifications/resources/updated` (per URI) go out at once on a first change; the
    /// repeats within the window that follows go out once, at its end, so the last change
    /// always reaches clients and a steady stream of changes gives one notification per
    /// window. At most 4,096 distinct changes are held at once; one past that goes out
    /// uncoalesced.
    ///
    /// ```
    /// use std::time::Duration;
    /// let server = fastmcp_server::Server::new("demo", "1.0.0")
    ///     .notification_debounce(Duration::from_millis(250));
    /// ```
    pub fn notification_debounce(mut self, window: Duration) -> Self {
        self.config.notification_debounce = window;
        self
    }

    /// Ping the clients of connection-oriented sessions and close the sessions of those
    /// that stop answering (off by default); see [`crate::KeepAlive`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use fastmcp_server::{KeepAlive, Server};
    /// let server = Server::new("demo", "1.0.0").keep_alive(KeepAlive::every(Duration::from_secs(20)));
    /// ```
    pub fn keep_alive(mut self, keep_alive: crate::KeepAlive) -> Self {
        self.config.keep_alive = Some(keep_alive);
        self
    }

    /// The key that seals `requestState` (give every replica the same key). Default: a
    /// random key made at start, so only this process can open what it sealed.
    pub fn request_state_key(mut self, key: impl Into<Vec<u8>>) -> Self {
        self.config.sealer = StateSealer::new(key.into());
        self
    }

    /// `ttlMs` and `cacheScope` of list results in the stateless era (default `0`, that
    /// is not cacheable, and `private`).
    pub fn list_cache(mut self, ttl: Duration, scope: fastmcp_protocol::CacheScope) -> Self {
        self.config.list_ttl_ms = ttl.as_millis() as u64;
        self.config.cache_scope = scope;
        self
    }

    /// Largest message accepted on stdio (default 4 MiB; a longer line is refused and the
    /// session goes on).
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// Whether [`Server::run_stdio`] keeps stdout for the protocol (default `true`): it
    /// writes frames to a duplicate of the real stdout and points fd 1 (the standard
    /// output handle on Windows) at stderr while it serves, so `println!` in a handler lands on stderr instead of corrupting
    /// the stream. `false` leaves fd 1 alone: printed text then goes into the stream
    /// (the client drops lines that are not JSON; a `print!` without a newline can spoil
    /// the next frame).
    ///
    /// ```
    /// use fastmcp_server::Server;
    /// let server = Server::new("demo", "1.0.0").stdout_guard(false);
    /// ```
    pub fn stdout_guard(mut self, on: bool) -> Self {
        self.config.stdout_guard = on;
        self
    }

    /// Where tasks are kept (default: a [`crate::MemoryTaskStore`]). Give every replica the same
    /// shared store (and the same [`Server::request_state_key`]) to serve tasks behind a
    /// load balancer.
    pub fn task_store(mut self, store: impl TaskStore) -> Self {
        self.task_store = Arc::new(store);
        self
    }

    /// Run tasks in worker processes: tasks created by this server (of tools that start
    /// them at once, `task_start = "immediate"`, the default) are pushed to `queue`
    /// instead of run here, and [`Server::run_worker`] processes built from the same
    /// tools run them. Give the server and the workers the same shared
    /// [`Server::task_store`] (a [`crate::RedisTaskStore`]) and the same queue (a
    /// [`crate::RedisTaskQueue`]). Tools that detach (`task_start = "detach"`) still run
    /// in the process that answered the call.
    pub fn task_queue(mut self, queue: impl crate::TaskQueue) -> Self {
        self.task_queue = Some(Arc::new(queue));
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

    /// What every caller must meet to use any component, on top of each component's own
    /// requirement (`#[tool(auth = …)]`, `FnTool::with_auth`); default none. Components a
    /// caller does not meet are hidden from its lists, and its calls of them are refused
    /// (-32003; over HTTP a 403 `insufficient_scope` when scopes would help). A caller
    /// without an identity (stdio, in memory, HTTP without [`crate::HttpOptions::auth`])
    /// meets no requirement, unless a middleware gives it one
    /// ([`crate::McpRequest::set_auth`]).
    ///
    /// ```
    /// use fastmcp_core::Require;
    /// use fastmcp_server::Server;
    /// let server = Server::new("notes", "1.0.0").auth_policy(Require::scopes(["notes:read"]));
    /// ```
    pub fn auth_policy(mut self, req: fastmcp_core::Require) -> Self {
        self.config.auth_policy = Some(req);
        self
    }
}
