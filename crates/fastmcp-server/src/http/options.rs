//! Settings of the HTTP transports.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_auth::ResourceServer;

use super::events::{EventStore, MemoryEventStore};

/// Settings of the HTTP transports (Streamable HTTP, legacy HTTP+SSE, WebSocket).
///
/// The defaults are safe for a local server: only loopback `Host` and `Origin` values are
/// accepted, bodies are limited to 4 MiB, sessions to 10,000 and idle sessions expire after
/// 30 minutes. [`crate::RunningServer::serve_http`] also closes connections whose request
/// headers take longer than 10 s and keeps at most 1,024 connections open.
///
/// ```
/// use fastmcp_server::HttpOptions;
/// let opts = HttpOptions::default()
///     .path("/mcp")
///     .allow_origin("https://app.example.com")
///     .allow_host("mcp.example.com")
///     .json_response(true);
/// ```
#[derive(Clone)]
pub struct HttpOptions {
    pub(crate) path: String,
    pub(crate) sse_path: String,
    pub(crate) messages_path: String,
    pub(crate) ws_path: String,
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) any_host: bool,
    pub(crate) json_response: bool,
    pub(crate) stateless: bool,
    pub(crate) max_body: usize,
    pub(crate) max_sessions: usize,
    pub(crate) session_idle: Duration,
    pub(crate) keep_alive: Duration,
    pub(crate) retry: Option<Duration>,
    pub(crate) event_store: Option<Arc<dyn EventStore>>,
    pub(crate) session_store: Option<Arc<dyn super::SessionStore>>,
    pub(crate) cors: bool,
    pub(crate) stream_buffer: usize,
    pub(crate) header_timeout: Duration,
    pub(crate) body_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) metrics_path: Option<String>,
    pub(crate) auth: Option<Arc<ResourceServer>>,
    pub(crate) routes: Option<axum::Router>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            path: "/mcp".into(),
            sse_path: "/sse".into(),
            messages_path: "/messages".into(),
            ws_path: "/ws".into(),
            allowed_origins: vec![],
            allowed_hosts: vec![],
            any_host: false,
            json_response: false,
            stateless: false,
            max_body: 4 * 1024 * 1024,
            max_sessions: 10_000,
            session_idle: Duration::from_secs(30 * 60),
            keep_alive: Duration::from_secs(15),
            retry: Some(Duration::from_millis(1000)),
            event_store: Some(Arc::new(MemoryEventStore::default())),
            session_store: None,
            cors: false,
            stream_buffer: 4 * 1024 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 1024,
            metrics_path: None,
            auth: None,
            routes: None,
        }
    }
}

impl std::fmt::Debug for HttpOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpOptions")
            .field("path", &self.path)
            .field("allowed_origins", &self.allowed_origins)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("json_response", &self.json_response)
            .field("stateless", &self.stateless)
            .field("auth", &self.auth)
            .field("routes", &self.routes.is_some())
            .finish_non_exhaustive()
    }
}

impl HttpOptions {
    /// The Streamable HTTP endpoint (default `/mcp`).
    pub fn path(mut self, p: &str) -> Self {
        self.path = p.to_owned();
        self
    }

    /// The legacy HTTP+SSE endpoints (default `/sse` and `/messages`).
    pub fn legacy_paths(mut self, sse: &str, messages: &str) -> Self {
        self.sse_path = sse.to_owned();
        self.messages_path = messages.to_owned();
        self
    }

    /// The WebSocket endpoint (default `/ws`).
    pub fn websocket_path(mut self, p: &str) -> Self {
        self.ws_path = p.to_owned();
        self
    }

    /// Accept this `Origin` (exact, e.g. `https://app.example.com`; `*` for any). Loopback
    /// origins are always accepted; by default no other is.
    pub fn allow_origin(mut self, origin: &str) -> Self {
        self.allowed_origins.push(origin.to_owned());
        self
    }

    /// Accept this `Host` (a host name, with or without port). Loopback hosts are always
    /// accepted; by default no other is.
    pub fn allow_host(mut self, host: &str) -> Self {
        self.allowed_hosts.push(host.to_owned());
        self
    }

    /// Accept any `Host` (for servers behind a proxy that checks it).
    pub fn allow_any_host(mut self) -> Self {
        self.any_host = true;
        self
    }

    /// Answer every request with one JSON body, never SSE (handshake era). By default a
    /// request whose handler sends nothing before its result is answered with JSON and one
    /// that does (progress, logs, server requests) with an SSE stream.
    pub fn json_response(mut self, on: bool) -> Self {
        self.json_response = on;
        self
    }

    /// Handshake era without sessions: no `Mcp-Session-Id`, every request stands alone
    /// (default: off, sessions).
    pub fn stateless(mut self, on: bool) -> Self {
        self.stateless = on;
        self
    }

    /// The largest request body (413 beyond it; default 4 MiB).
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body = n;
        self
    }

    /// The most sessions at once (503 for new ones beyond it; default 10,000).
    pub fn max_sessions(mut self, n: usize) -> Self {
        self.max_sessions = n;
        self
    }

    /// How long an idle session lives (default 30 minutes).
    pub fn session_idle_timeout(mut self, d: Duration) -> Self {
        self.session_idle = d;
        self
    }

    /// Serve the server's [`Stats`](crate::middleware::Stats) (installed with
    /// [`Server::stats`](crate::Server::stats)) as Prometheus text at `path` (`GET`), on
    /// [`RunningServer::http_router`](crate::RunningServer::http_router) (what `run_http`
    /// and `serve_http` serve; elsewhere, serve [`Stats::prometheus`](crate::middleware::Stats::prometheus)
    /// yourself). Off by default: the numbers name your tools and the
    /// methods clients call, so put the route where only your scraper reaches it.
    pub fn metrics(mut self, path: &str) -> Self {
        self.metrics_path = Some(path.to_owned());
        self
    }

    /// How often idle long-lived streams get a keep-alive, so that proxies do not cut
    /// them (default 15 s; zero turns it off). SSE streams (the Streamable HTTP GET
    /// stream, a request's SSE answer, the legacy HTTP+SSE stream) get an SSE comment
    /// line (`:`) after this long without an event; WebSocket connections a ping frame.
    /// A Streamable HTTP request whose handler stays silent this long is answered with an
    /// SSE stream, so the client sees bytes while it runs.
    ///
    /// Pings that detect dead clients are another thing: see [`crate::Server::keep_alive`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = fastmcp_server::HttpOptions::default().keep_alive(Duration::from_secs(30));
    /// ```
    pub fn keep_alive(mut self, d: Duration) -> Self {
        self.keep_alive = d;
        self
    }

    /// The event store for resumable SSE streams (`None` turns resumability off). Default:
    /// a [`MemoryEventStore`] with its default bounds.
    pub fn event_store(mut self, store: Option<Arc<dyn EventStore>>) -> Self {
        self.event_store = store;
        self
    }

    /// Share handshake-era sessions with the other replicas of this server (default: none,
    /// a session lives in the process that created it, and replicas behind a load
    /// balancer need session affinity). With a [`super::SessionStore`] (a
    /// [`crate::RedisSessionStore`]), any replica serves any session, the client's answers
    /// to elicitation and sampling reach the replica that asked, and its notifications
    /// reach every replica. Give the replicas a shared [`HttpOptions::event_store`] too, so
    /// that a stream is resumed on any of them. The stateless era needs neither.
    pub fn session_store(mut self, store: impl super::SessionStore) -> Self {
        self.session_store = Some(Arc::new(store));
        self
    }

    /// Add permissive CORS headers (for browser clients). Default: off.
    pub fn cors(mut self, on: bool) -> Self {
        self.cors = on;
        self
    }

    /// How many bytes of server-to-client messages may wait for a client that does not
    /// read its session's GET stream (default 4 MiB, or 256 messages). Past it that stream
    /// alone is closed, so one stalled reader holds no more memory and delays no other
    /// session; its client reconnects with `Last-Event-ID` and gets what it missed from the
    /// event store.
    pub fn stream_buffer_bytes(mut self, n: usize) -> Self {
        self.stream_buffer = n;
        self
    }

    /// How long a client may take to send a request's headers (default 10 s; on a new
    /// connection this includes the HTTP/2 preface). A connection past it is closed
    /// without an answer. An idle keep-alive HTTP/1.1 connection is closed after it too.
    /// Applies to [`crate::RunningServer::serve_http`] and [`crate::Server::run_http`].
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = fastmcp_server::HttpOptions::default().header_read_timeout(Duration::from_secs(5));
    /// ```
    pub fn header_read_timeout(mut self, d: Duration) -> Self {
        self.header_timeout = d;
        self
    }

    /// How long a client may take to send a request's body once its headers are in
    /// (default 30 s). Past it the request is answered `408 Request Timeout` and the
    /// connection closed, so slow senders cannot hold the connection slots.
    ///
    /// ```
    /// use std::time::Duration;
    /// let opts = fastmcp_server::HttpOptions::default().body_read_timeout(Duration::from_secs(5));
    /// ```
    pub fn body_read_timeout(mut self, d: Duration) -> Self {
        self.body_timeout = d;
        self
    }

    /// The most connections open at once (default 1,024). A connection past it is
    /// answered `503 Service Unavailable` (`Retry-After: 1`, a JSON-RPC error -32029
    /// "Too many open connections") and closed; open ones are unaffected. Applies to
    /// [`crate::RunningServer::serve_http`] and [`crate::Server::run_http`].
    ///
    /// ```
    /// let opts = fastmcp_server::HttpOptions::default().max_connections(256);
    /// ```
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Require a bearer token on every HTTP transport (off by default: no auth). Each
    /// request's `Authorization: Bearer …` token is checked by `rs`'s verifier; a request
    /// without a valid one gets 401 with `WWW-Authenticate: Bearer resource_metadata="…"`
    /// (and `error="invalid_token"` when a token was sent), one short of the required
    /// scopes 403 `insufficient_scope`, one with a token in the URL 400, and one whose
    /// token cannot be checked now 503. The protected resource metadata (RFC 9728) is
    /// served at `/.well-known/oauth-protected-resource` and its path-suffixed form. A
    /// handler reads who called from [`Context::auth`](fastmcp_core::Context::auth).
    /// A session belongs to the identity that opened it. stdio serves without auth.
    ///
    /// ```
    /// use fastmcp_auth::{AuthInfo, ResourceServer, StaticTokens};
    /// use fastmcp_server::HttpOptions;
    /// let tokens = StaticTokens::new().token("dev-token", AuthInfo::new().with_subject("me"));
    /// let opts = HttpOptions::default()
    ///     .auth(ResourceServer::new("http://127.0.0.1:8000/mcp", tokens));
    /// ```
    pub fn auth(mut self, rs: ResourceServer) -> Self {
        self.auth = Some(Arc::new(rs));
        self
    }

    /// Serve these routes too, next to the transports (an authorization server's
    /// endpoints, a health check): [`RunningServer::serve_http`](crate::RunningServer::serve_http)
    /// and `run_http_with` serve them on the same listener, with the same connection
    /// limits. Given twice, both are served; their paths must not clash with the
    /// transports'.
    ///
    /// ```
    /// use fastmcp_server::HttpOptions;
    /// let health = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    /// let opts = HttpOptions::default().routes(health);
    /// # let _ = opts;
    /// ```
    pub fn routes(mut self, routes: axum::Router) -> Self {
        self.routes = Some(match self.routes.take() {
            Some(r) => r.merge(routes),
            None => routes,
        });
        self
    }
}
