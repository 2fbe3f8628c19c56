//! What a handler sees of its session: [`SessionView`].

use std::sync::Arc;

use fastmcp_protocol::{ClientCapabilities, Era, Implementation, LoggingLevel, ProtocolVersion};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::session::Session;
use crate::Error;

/// A handler's view of its session ([`Context::session`](crate::Context::session)): what
/// was negotiated, the log level, session state, whether a resource is subscribed, and the
/// per-session visibility of components. What the protocol drives (`initialize`,
/// `logging/setLevel`, `resources/subscribe`) is the server's, on [`Session`].
///
/// ```
/// use fastmcp_core::Context;
/// let ctx = Context::for_testing();
/// let session = ctx.session();
/// assert!(session.protocol_version().is_some());
/// session.set_state("seen", true).unwrap();
/// assert_eq!(session.get_state::<bool>("seen"), Some(true));
/// session.disable("tool:secret");
/// assert!(session.is_disabled("tool:secret"));
/// assert!(!session.is_subscribed("file:///a"));
/// ```
#[derive(Debug, Clone)]
pub struct SessionView {
    session: Arc<Session>,
}

impl SessionView {
    pub(crate) fn new(session: Arc<Session>) -> Self {
        SessionView { session }
    }

    pub(crate) fn inner(&self) -> &Arc<Session> {
        &self.session
    }

    /// The session id (HTTP sessions).
    pub fn id(&self) -> Option<&str> {
        self.session.id()
    }

    /// The era.
    pub fn era(&self) -> Era {
        self.session.era()
    }

    /// The negotiated protocol version (`None` before `initialize`).
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.session.protocol_version()
    }

    /// What the client said about itself.
    pub fn client_info(&self) -> Option<Implementation> {
        self.session.client_info()
    }

    /// The client's capabilities.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        self.session.client_capabilities()
    }

    /// The log level set by `logging/setLevel` or the request's `_meta`.
    pub fn log_level(&self) -> Option<LoggingLevel> {
        self.session.log_level()
    }

    /// Whether a log message at `level` goes to the client.
    pub fn wants_log(&self, level: LoggingLevel) -> bool {
        self.session.wants_log(level)
    }

    /// Read a value of session state.
    pub fn get_state<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.session.get_state(key)
    }

    /// Write a value of session state.
    pub fn set_state<T: Serialize>(&self, key: &str, value: T) -> Result<(), Error> {
        self.session.set_state(key, value)
    }

    /// Remove a value of session state, returning whether it was there.
    pub fn remove_state(&self, key: &str) -> bool {
        self.session.remove_state(key)
    }

    /// The session's typed state of type `T` (values of any type, one per type, kept
    /// for the session's life; see also the [`SessionState`](crate::SessionState)
    /// extractor).
    ///
    /// ```
    /// use std::sync::Mutex;
    /// use fastmcp_core::Context;
    ///
    /// let ctx = Context::for_testing();
    /// let cart = ctx.session().typed_state_or_insert_with(|| Mutex::new(Vec::<String>::new()));
    /// cart.lock().unwrap().push("apple".into());
    /// let again = ctx.session().typed_state::<Mutex<Vec<String>>>().unwrap();
    /// assert_eq!(again.lock().unwrap().len(), 1);
    /// ```
    pub fn typed_state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.session.typed_state()
    }

    /// Set the session's typed state of type `T` (replacing a value of that type).
    pub fn set_typed_state<T: Send + Sync + 'static>(&self, value: T) {
        self.session.set_typed_state(value);
    }

    /// The session's typed state of type `T`, made by `init` on first use.
    pub fn typed_state_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Arc<T> {
        self.session.typed_state_or_insert_with(init)
    }

    /// Whether the session subscribed to `uri`.
    pub fn is_subscribed(&self, uri: &str) -> bool {
        self.session.is_subscribed(uri)
    }

    /// Hide a component from this session only, by key: `tool:NAME`, `resource:URI`,
    /// `resource:URI_TEMPLATE`, `prompt:NAME` or `tag:TAG` (see
    /// [`Session::disable`](crate::Session::disable)). In the stateless era a session is
    /// one request (its nested calls included).
    pub fn disable(&self, key: &str) {
        self.session.disable(key)
    }

    /// Show again a component hidden with [`SessionView::disable`].
    pub fn enable(&self, key: &str) {
        self.session.enable(key)
    }

    /// Whether a component is hidden from this session.
    pub fn is_disabled(&self, key: &str) -> bool {
        self.session.is_disabled(key)
    }
}
