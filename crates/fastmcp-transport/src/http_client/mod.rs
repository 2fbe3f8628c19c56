//! The Streamable HTTP client transport, for both protocol eras.
//!
//! Every outbound message becomes a POST to the MCP endpoint. A request's answer (a JSON
//! body, or the data of each event of an SSE stream) goes to the channel's inbound side;
//! `202 Accepted` carries nothing.
//!
//! The era is chosen per message, from its body: a message whose `params._meta` carries
//! `io.modelcontextprotocol/protocolVersion` is of the stateless era (2026-07-28) and gets
//! the `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` headers; its
//! cancellation (the client's `notifications/cancelled`) closes the request's response
//! stream instead of being posted. Any other message is of the handshake era: the
//! `Mcp-Session-Id` returned with the `initialize` result is sent on every later request,
//! with the negotiated `MCP-Protocol-Version`; after `notifications/initialized` a GET
//! stream is opened for the server's own messages (the next message waits, up to 1 s, for
//! the server to answer it); a response stream that drops before its response is resumed
//! with GET and `Last-Event-ID`; and closing the channel ends the session with DELETE.
//!
//! Failures never leave a request hanging: an HTTP error with a JSON-RPC body is
//! delivered as the request's answer (its id filled in when the server left it out), and
//! any other failure is delivered as a made-up error response with code
//! [`TRANSPORT_ERROR`]: among them a 2xx answer that is neither JSON nor an event stream
//! (e.g. `text/html`), a JSON body that is not the request's response, an `initialize`
//! whose `Mcp-Session-Id` has bytes outside visible ASCII (0x21 to 0x7E), and a redirect
//! to another origin (the default HTTP client follows redirects only within the
//! endpoint's origin, so the session id and custom headers never leave it). A 404 on a request of a session means the session expired: its
//! error carries `"data": {"sessionExpired": true}`, the session is forgotten, and until a
//! new `initialize` succeeds every request fails the same way at once.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use fastmcp_transport::http_client::StreamableHttp;
//! let channel = StreamableHttp::new("http://127.0.0.1:8000/mcp")
//!     .header("Authorization", "Bearer secret")
//!     .connect()?;
//! # drop(channel); Ok(()) }
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use reqwest::Url;
use tokio::sync::{mpsc, watch};

pub use crate::http_common::{ConnectError, TRANSPORT_ERROR};
/// Check the `x-mcp-header` annotations of a tool's input schema (2026-07-28); see
/// [`fastmcp_protocol::http_headers::check_header_annotations`].
pub use fastmcp_protocol::http_headers::check_header_annotations;

use crate::channel::{Channel, Inbound, Outbound};
use crate::http_auth::HttpAuth;
use crate::http_common::{default_client, header_map};
use crate::lines::DEFAULT_MAX_MESSAGE_SIZE;

mod answers;
mod drive;
mod outgoing;
mod state;
mod streams;

use state::{Conn, State};

/// How to reach a Streamable HTTP server.
#[derive(Debug, Clone)]
pub struct StreamableHttp {
    url: String,
    headers: Vec<(String, String)>,
    client: Option<reqwest::Client>,
    max_message_size: usize,
    capacity: usize,
    max_reconnects: u32,
    reconnect_delay: Duration,
    get_stream: bool,
    delete_on_close: bool,
    auth: Option<Arc<dyn HttpAuth>>,
}

impl StreamableHttp {
    /// A transport to the MCP endpoint at `url` (e.g. `http://127.0.0.1:8000/mcp`).
    pub fn new(url: impl Into<String>) -> Self {
        StreamableHttp {
            url: url.into(),
            headers: vec![],
            client: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            capacity: 256,
            max_reconnects: 3,
            reconnect_delay: Duration::from_secs(1),
            get_stream: true,
            delete_on_close: true,
            auth: None,
        }
    }

    /// Send this header with every HTTP request (e.g. `Authorization`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this HTTP client (to share its connection pool, or for TLS and proxy settings).
    /// By default each transport has a client of its own, with `TCP_NODELAY`, that follows
    /// redirects only within the endpoint's origin: a redirect elsewhere fails the request
    /// with an error naming its `Location`, so neither the session id nor the custom
    /// headers leave the origin. A client given here keeps its own redirect policy
    /// (reqwest's default follows up to 10 redirects anywhere).
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The largest inbound message in bytes (a JSON body or one SSE event's data); larger
    /// ones are reported as [`crate::channel::FrameError::TooLarge`] (default 4 MiB).
    pub fn max_message_size(mut self, n: usize) -> Self {
        self.max_message_size = n;
        self
    }

    /// How many times in a row a dropped SSE stream is reconnected before giving up
    /// (default 3; any event received resets the count).
    pub fn max_reconnects(mut self, n: u32) -> Self {
        self.max_reconnects = n;
        self
    }

    /// The wait before reconnecting when the server sent no `retry:` (default 1 s).
    pub fn reconnect_delay(mut self, d: Duration) -> Self {
        self.reconnect_delay = d;
        self
    }

    /// Whether to open the GET stream for server-initiated messages after the handshake
    /// (default on).
    pub fn get_stream(mut self, on: bool) -> Self {
        self.get_stream = on;
        self
    }

    /// Whether closing the channel ends the session with DELETE (default on).
    pub fn delete_on_close(mut self, on: bool) -> Self {
        self.delete_on_close = on;
        self
    }

    /// Authorize every HTTP request with `auth` (e.g. `fastmcp_client::oauth::OAuth`): its
    /// `Authorization` header is sent, and a request refused with 401 or 403 is sent once
    /// more when `auth` obtained a new token for it.
    pub fn auth(mut self, auth: Arc<dyn HttpAuth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Start the transport. Nothing is sent until the first message; call inside a tokio
    /// runtime.
    pub fn connect(self) -> Result<Channel, ConnectError> {
        self.connect_with_handle().map(|(c, _)| c)
    }

    /// [`StreamableHttp::connect`], also returning a handle to watch the connection.
    pub fn connect_with_handle(self) -> Result<(Channel, HttpHandle), ConnectError> {
        let url = Url::parse(&self.url)
            .map_err(|e| ConnectError::with_source(format!("invalid URL {:?}", self.url), e))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConnectError::new(format!(
                "not an http(s) URL: {:?}",
                self.url
            )));
        }
        let headers = header_map(&self.headers)?;
        let http = match self.client {
            Some(c) => c,
            None => default_client()?,
        };
        let (itx, irx) = mpsc::channel::<Inbound>(self.capacity);
        let (otx, orx) = mpsc::channel::<Bytes>(self.capacity);
        let (dtx, drx) = watch::channel(false);
        let state = Arc::new(Mutex::new(State::default()));
        let conn = Arc::new(Conn {
            http,
            url,
            headers,
            max: self.max_message_size,
            max_reconnects: self.max_reconnects,
            reconnect_delay: self.reconnect_delay,
            get_stream: self.get_stream,
            inbound: itx,
            state: state.clone(),
            auth: self.auth,
        });
        tokio::spawn(drive::drive(conn, orx, dtx, self.delete_on_close));
        Ok((
            Channel {
                inbound: irx,
                outbound: Outbound::new(otx),
            },
            HttpHandle { state, done: drx },
        ))
    }
}

/// Watches a Streamable HTTP connection.
#[derive(Clone)]
pub struct HttpHandle {
    state: Arc<Mutex<State>>,
    done: watch::Receiver<bool>,
}

impl std::fmt::Debug for HttpHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHandle")
            .field("session_id", &self.session_id())
            .field("protocol_version", &self.protocol_version())
            .finish()
    }
}

impl HttpHandle {
    /// The current `Mcp-Session-Id` (handshake era).
    pub fn session_id(&self) -> Option<String> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .session
            .clone()
    }

    /// The protocol version negotiated by the last `initialize` (handshake era).
    pub fn protocol_version(&self) -> Option<String> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .version
            .clone()
    }

    /// Whether the transport has stopped (the channel was closed and the session ended).
    pub fn is_closed(&self) -> bool {
        *self.done.borrow()
    }

    /// Resolves when the transport has stopped: after the channel's outbound side is
    /// dropped, requests in flight are abandoned and the session is ended with DELETE.
    pub async fn closed(&self) {
        let mut rx = self.done.clone();
        let _ = rx.wait_for(|d| *d).await;
    }
}
