//! Server settings.

use std::time::Duration;

use fastmcp_core::StateSealer;
use fastmcp_protocol::{CacheScope, Icon, Implementation};

use crate::limits::Limits;

/// What a server says about itself and how it behaves; set through [`crate::Server`]'s
/// builder methods.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Name, version, title, description, icons, website.
    pub info: Implementation,
    /// Instructions for the model.
    pub instructions: Option<String>,
    /// Default time budget of a request.
    pub request_timeout: Option<Duration>,
    /// Page size of list results (`None`: one page).
    pub page_size: Option<usize>,
    /// Hide the messages of unexpected handler errors from clients.
    pub mask_error_details: bool,
    /// Refuse unknown tool arguments.
    pub strict_input_validation: bool,
    /// Accept JSON-encoded strings for non-string arguments (`"5"` for an integer).
    pub lenient_arguments: bool,
    /// How long a cancelled handler gets to reach a checkpoint before it is dropped.
    pub cancel_grace: Duration,
    /// How long a shutdown waits for requests in flight before cancelling them.
    pub shutdown_grace: Duration,
    /// `ttlMs` of list results (2026-07-28).
    pub list_ttl_ms: u64,
    /// `cacheScope` of list results (2026-07-28).
    pub cache_scope: CacheScope,
    /// Seals `requestState` of multi-round-trip requests.
    pub sealer: StateSealer,
    /// How long a sealed `requestState` stays valid.
    pub request_state_ttl: Duration,
    /// Largest message on stdio.
    pub max_message_size: usize,
    /// How long a task is kept after its creation (`ttlMs`; `None`: unlimited). A run
    /// still going when it passes is ended (the task fails with a timeout).
    pub task_ttl: Option<Duration>,
    /// The polling interval suggested to clients (`pollIntervalMs`).
    pub task_poll_interval: Duration,
    /// What one session (and the server) may make it hold.
    pub limits: Limits,
    /// The window within which repeats of a change notification are coalesced (zero: off).
    pub notification_debounce: Duration,
    /// Ping keep-alive with dead-peer detection (`None`: off).
    pub keep_alive: Option<crate::KeepAlive>,
    /// Whether `run_stdio` points fd 1 at stderr while it serves (Unix; default on).
    pub stdout_guard: bool,
    /// What every caller must meet to use any component (on top of each component's own).
    pub auth_policy: Option<fastmcp_core::Require>,
    /// The extensions the server offers ([`crate::Server::extension`]).
    pub extensions: crate::Extensions,
}

impl ServerConfig {
    pub(crate) fn new(name: &str, version: &str) -> Self {
        ServerConfig {
            info: Implementation::new(name, version),
            instructions: None,
            request_timeout: None,
            page_size: None,
            mask_error_details: false,
            strict_input_validation: false,
            lenient_arguments: true,
            cancel_grace: Duration::from_secs(2),
            shutdown_grace: Duration::from_secs(10),
            list_ttl_ms: 0,
            cache_scope: CacheScope::Private,
            sealer: StateSealer::random(),
            request_state_ttl: Duration::from_secs(600),
            max_message_size: fastmcp_transport::DEFAULT_MAX_MESSAGE_SIZE,
            task_ttl: Some(Duration::from_secs(3600)),
            task_poll_interval: Duration::from_secs(1),
            limits: Limits::default(),
            notification_debounce: Duration::from_millis(100),
            keep_alive: None,
            stdout_guard: true,
            auth_policy: None,
            extensions: Default::default(),
        }
    }

    pub(crate) fn add_icon(&mut self, icon: Icon) {
        self.info.icons.get_or_insert_with(Vec::new).push(icon);
    }
}
