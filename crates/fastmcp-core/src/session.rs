//! What a server knows of one client session.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use fastmcp_protocol::{ClientCapabilities, Era, Implementation, LoggingLevel, ProtocolVersion};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::state::SharedStateMap;
use crate::Error;

/// One client session: a connection in the handshake era, one request in the stateless era.
///
/// Holds the negotiated version, what the client told about itself, the log level, key-value
/// session state, subscriptions and per-session visibility of components.
///
/// This is the server's record: the protocol drives [`Session::initialize`],
/// [`Session::set_log_level`], [`Session::subscribe`] and [`Session::unsubscribe`].
/// Handlers see a session through [`SessionView`](crate::SessionView), which has none of
/// them.
#[derive(Debug)]
pub struct Session {
    id: Option<Arc<str>>,
    era: Era,
    version: RwLock<Option<ProtocolVersion>>,
    log_level: RwLock<Option<LoggingLevel>>,
    /// What the client told about itself (`None` until it did): apart, so that a session
    /// whose client said nothing holds no room for it.
    client: RwLock<Option<Arc<Client>>>,
    /// State, subscriptions, hidden components: made on first use, as most sessions have
    /// none of them.
    extras: OnceLock<Box<Extras>>,
    key: OnceLock<Box<str>>,
    remote_addr: OnceLock<SocketAddr>,
}

/// What a client said about itself: in `initialize`, or in a stateless request's `_meta`.
#[derive(Debug)]
struct Client {
    info: Option<Implementation>,
    capabilities: ClientCapabilities,
}

impl Client {
    /// `None` when the client said nothing (no information, no capability).
    fn of(info: Option<Implementation>, capabilities: ClientCapabilities) -> Option<Arc<Client>> {
        let empty = info.is_none() && capabilities == ClientCapabilities::default();
        (!empty).then(|| Arc::new(Client { info, capabilities }))
    }
}

/// The parts of a session that many never use.
#[derive(Debug, Default)]
struct Extras {
    state: Mutex<HashMap<String, serde_json::Value>>,
    subscriptions: Mutex<HashSet<String>>,
    disabled: RwLock<HashSet<String>>,
    typed: SharedStateMap,
}

impl Session {
    /// A handshake-era session, before `initialize`.
    pub fn handshake(id: Option<Arc<str>>) -> Arc<Session> {
        Arc::new(Self::base(id, Era::Handshake))
    }

    /// A stateless-era session: what one request's `_meta` says.
    pub fn stateless(
        version: ProtocolVersion,
        client_info: Option<Implementation>,
        capabilities: ClientCapabilities,
        log_level: Option<LoggingLevel>,
    ) -> Arc<Session> {
        let mut s = Self::base(None, Era::Stateless);
        *s.version.get_mut().unwrap_or_else(PoisonError::into_inner) = Some(version);
        *s.client.get_mut().unwrap_or_else(PoisonError::into_inner) =
            Client::of(client_info, capabilities);
        *s.log_level
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner) = log_level;
        Arc::new(s)
    }

    fn base(id: Option<Arc<str>>, era: Era) -> Session {
        Session {
            id,
            era,
            version: RwLock::new(None),
            log_level: RwLock::new(None),
            client: RwLock::new(None),
            extras: OnceLock::new(),
            key: OnceLock::new(),
            remote_addr: OnceLock::new(),
        }
    }

    /// The extras, if any were made.
    fn extras(&self) -> Option<&Extras> {
        self.extras.get().map(|e| &**e)
    }

    /// The extras, made now if need be.
    fn extras_or_make(&self) -> &Extras {
        self.extras.get_or_init(Box::default)
    }

    /// Mark the session initialized at `version` by a client that is not known: a
    /// session-less server's request, whose client initialized with another request
    /// ([`Session::client_info`] stays `None`, the capabilities empty).
    ///
    /// ```
    /// use fastmcp_core::Session;
    /// use fastmcp_protocol::ProtocolVersion;
    /// let s = Session::handshake(None);
    /// s.initialize_unknown_client(ProtocolVersion::V2025_06_18);
    /// assert_eq!(s.protocol_version(), Some(ProtocolVersion::V2025_06_18));
    /// assert!(s.client_info().is_none());
    /// ```
    pub fn initialize_unknown_client(&self, version: ProtocolVersion) {
        *self.version.write().unwrap_or_else(PoisonError::into_inner) = Some(version);
    }

    /// Record what `initialize` negotiated.
    pub fn initialize(
        &self,
        version: ProtocolVersion,
        client_info: Implementation,
        capabilities: ClientCapabilities,
    ) {
        *self.version.write().unwrap_or_else(PoisonError::into_inner) = Some(version);
        *self.client.write().unwrap_or_else(PoisonError::into_inner) =
            Client::of(Some(client_info), capabilities);
    }

    /// The session id (HTTP sessions).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// A key unique to this session in the process (random, made on first use): what
    /// session-scoped records (the tasks of 2025-11-25) are owned by.
    pub fn key(&self) -> &str {
        self.key
            .get_or_init(|| uuid::Uuid::new_v4().simple().to_string().into())
    }

    /// Record the network address of the client (the network transports do, when the
    /// session is made). The first address recorded stays.
    pub fn set_remote_addr(&self, addr: SocketAddr) {
        let _ = self.remote_addr.set(addr);
    }

    /// The network address the client connected from: set by Streamable HTTP, legacy
    /// HTTP+SSE and WebSocket (for a handshake-era HTTP session, the address of its
    /// `initialize`); `None` on stdio and in memory, and for an HTTP router served without
    /// the peer's address (`serve_http` gives it; with `axum::serve`, use
    /// `into_make_service_with_connect_info::<SocketAddr>()`).
    ///
    /// ```
    /// use fastmcp_core::Session;
    /// let s = Session::handshake(None);
    /// assert_eq!(s.remote_addr(), None);
    /// s.set_remote_addr("127.0.0.1:4000".parse().unwrap());
    /// assert_eq!(s.remote_addr(), Some("127.0.0.1:4000".parse().unwrap()));
    /// ```
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr.get().copied()
    }

    /// The era.
    pub fn era(&self) -> Era {
        self.era
    }

    /// The negotiated protocol version (`None` before `initialize`).
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        *self.version.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the client said about itself.
    pub fn client_info(&self) -> Option<Implementation> {
        self.client().and_then(|c| c.info.clone())
    }

    /// The client's capabilities.
    pub fn client_capabilities(&self) -> ClientCapabilities {
        self.client()
            .map(|c| c.capabilities.clone())
            .unwrap_or_default()
    }

    fn client(&self) -> Option<Arc<Client>> {
        self.client
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The log level set by `logging/setLevel` or the request's `_meta`.
    pub fn log_level(&self) -> Option<LoggingLevel> {
        *self
            .log_level
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Set the log level.
    pub fn set_log_level(&self, level: LoggingLevel) {
        *self
            .log_level
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(level);
    }

    /// Whether a log message at `level` goes to the client: in the handshake era everything
    /// at or above the level set (all when none is set); in the stateless era only when the
    /// request opted in with a level.
    pub fn wants_log(&self, level: LoggingLevel) -> bool {
        match (self.log_level(), self.era) {
            (Some(min), _) => level >= min,
            (None, Era::Handshake) => true,
            (None, Era::Stateless) => false,
        }
    }

    /// Read a value of session state.
    pub fn get_state<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let state = self
            .extras()?
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state
            .get(key)
            .and_then(|v| serde_json::from_value(v.clone()).ok())
    }

    /// Write a value of session state.
    pub fn set_state<T: Serialize>(&self, key: &str, value: T) -> Result<(), Error> {
        let v = serde_json::to_value(value).map_err(|e| Error::internal(e.to_string()))?;
        self.extras_or_make()
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), v);
        Ok(())
    }

    /// Remove a value of session state, returning whether it was there.
    pub fn remove_state(&self, key: &str) -> bool {
        self.extras().is_some_and(|e| {
            e.state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(key)
                .is_some()
        })
    }

    /// The session's typed state of type `T`.
    pub fn typed_state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.extras()?.typed.get()
    }

    /// Set the session's typed state of type `T` (replacing a value of that type).
    pub fn set_typed_state<T: Send + Sync + 'static>(&self, value: T) {
        self.extras_or_make().typed.insert(value);
    }

    /// The session's typed state of type `T`, made by `init` on first use (once, even
    /// when requests race).
    pub fn typed_state_or_insert_with<T: Send + Sync + 'static>(
        &self,
        init: impl FnOnce() -> T,
    ) -> Arc<T> {
        self.extras_or_make().typed.get_or_insert_with(init)
    }

    /// Subscribe to updates of a resource.
    pub fn subscribe(&self, uri: &str) {
        self.subscriptions_mut().insert(uri.to_owned());
    }

    /// Subscribe to updates of a resource unless the session already holds `max`
    /// subscriptions to other resources; whether it is (now) subscribed.
    pub fn subscribe_within(&self, uri: &str, max: usize) -> bool {
        let mut subs = self.subscriptions_mut();
        if subs.contains(uri) {
            return true;
        }
        if subs.len() >= max {
            return false;
        }
        subs.insert(uri.to_owned());
        true
    }

    /// Unsubscribe from a resource.
    pub fn unsubscribe(&self, uri: &str) {
        if let Some(e) = self.extras() {
            e.subscriptions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(uri);
        }
    }

    /// Whether the session subscribed to `uri`.
    pub fn is_subscribed(&self, uri: &str) -> bool {
        self.extras().is_some_and(|e| {
            e.subscriptions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .contains(uri)
        })
    }

    /// The resources the session subscribed to, in no particular order.
    pub fn subscriptions(&self) -> Vec<String> {
        self.extras().map_or_else(Vec::new, |e| {
            e.subscriptions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .cloned()
                .collect()
        })
    }

    fn subscriptions_mut(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.extras_or_make()
            .subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Hide a component from this session only, by key: `tool:NAME`, `resource:URI` (a
    /// resource, or one URI read through a template), `resource:URI_TEMPLATE` (a
    /// template), `prompt:NAME`, or `tag:TAG` (every component with that tag). The
    /// component is then absent from this session's lists and answers as unknown.
    pub fn disable(&self, key: &str) {
        self.extras_or_make()
            .disabled
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned());
    }

    /// Show again a component hidden with [`Session::disable`].
    pub fn enable(&self, key: &str) {
        if let Some(e) = self.extras() {
            e.disabled
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(key);
        }
    }

    /// Whether any component is hidden from this session.
    pub fn has_disabled(&self) -> bool {
        self.extras().is_some_and(|e| {
            !e.disabled
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .is_empty()
        })
    }

    /// Whether a component is hidden from this session.
    pub fn is_disabled(&self, key: &str) -> bool {
        self.extras().is_some_and(|e| {
            let d = e.disabled.read().unwrap_or_else(PoisonError::into_inner);
            !d.is_empty() && d.contains(key)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server may hold many idle sessions (one per HTTP client): what a session says
    /// nothing about (state, subscriptions, hidden components, the client's details) takes
    /// no room in it.
    #[test]
    fn an_idle_session_is_small() {
        let size = std::mem::size_of::<Session>();
        assert!(size <= 192, "a Session is {size} bytes");
        let s = Session::handshake(None);
        assert!(s.extras.get().is_none());
        assert!(!s.is_subscribed("file:///a") && !s.is_disabled("tool:x"));
        assert!(s.get_state::<u32>("k").is_none() && !s.remove_state("k"));
        s.unsubscribe("file:///a");
        s.enable("tool:x");
        assert!(s.extras.get().is_none(), "reading made the extras");
        s.subscribe("file:///a");
        assert!(s.is_subscribed("file:///a"));
    }

    #[test]
    fn a_client_that_said_nothing_is_not_kept() {
        let s = Session::stateless(
            ProtocolVersion::V2025_06_18,
            None,
            ClientCapabilities::default(),
            None,
        );
        assert!(s.client.read().unwrap().is_none());
        assert_eq!(s.client_capabilities(), ClientCapabilities::default());
        let info = Implementation::new("c", "1");
        s.initialize(
            ProtocolVersion::V2025_06_18,
            info.clone(),
            ClientCapabilities::default(),
        );
        assert_eq!(s.client_info(), Some(info));
    }
}
