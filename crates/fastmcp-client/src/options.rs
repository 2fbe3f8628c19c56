//! [`Mode`] and [`ClientBuilder`]: how a client speaks, and the one way to connect it.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::Error;
use fastmcp_protocol::{ClientCapabilities, Implementation, LoggingLevel, ProtocolVersion};

use crate::client::Client;
use crate::deadline::Timeouts;
use crate::handler::{ClientHandler, NoHandler};
use crate::server_requests::DEFAULT_MAX_SERVER_REQUESTS;
use crate::transport::Transport;

/// How the client speaks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `initialize` handshake, asking for this version (handshake era).
    Handshake(ProtocolVersion),
    /// No handshake; every request carries `_meta` for this version (stateless era).
    Stateless(ProtocolVersion),
    /// Ask `server/discover` first (stateless era, newest version); if the server does not
    /// answer it, fall back to the `initialize` handshake with the newest handshake version.
    Auto,
}

impl Default for Mode {
    fn default() -> Self {
        Mode::Handshake(ProtocolVersion::LATEST_HANDSHAKE)
    }
}

/// The settings of a client; [`ClientBuilder::connect`] connects it over any
/// [`Transport`].
///
/// ```no_run
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use std::time::Duration;
/// use fastmcp_client::{Client, Mode, NoHandler};
/// use fastmcp_transport::http_client::StreamableHttp;
/// let client = Client::builder()
///     .mode(Mode::Auto)
///     .handler(NoHandler)
///     .timeout(Duration::from_secs(30))
///     .connect(StreamableHttp::new("http://127.0.0.1:8000/mcp"))
///     .await?;
/// # Ok(()) }
/// ```
pub struct ClientBuilder {
    pub(crate) info: Implementation,
    pub(crate) mode: Mode,
    pub(crate) handler: Arc<dyn ClientHandler>,
    pub(crate) capabilities: Option<ClientCapabilities>,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_server_requests: usize,
    pub(crate) max_rounds: usize,
    pub(crate) log_level: Option<LoggingLevel>,
    pub(crate) discover: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            info: Implementation::new("fastmcp-client", env!("CARGO_PKG_VERSION")),
            mode: Mode::default(),
            handler: Arc::new(NoHandler),
            capabilities: None,
            timeouts: Timeouts::default(),
            max_server_requests: DEFAULT_MAX_SERVER_REQUESTS,
            max_rounds: 8,
            log_level: None,
            discover: false,
        }
    }
}

impl ClientBuilder {
    /// The client's name and version.
    pub fn info(mut self, name: &str, version: &str) -> Self {
        self.info = Implementation::new(name, version);
        self
    }

    /// The protocol mode (default: handshake with the newest handshake-era version).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The handler of server requests and notifications. The client declares the
    /// capabilities of [`ClientHandler::capabilities`] unless set with
    /// [`ClientBuilder::capabilities`].
    pub fn handler(mut self, h: impl ClientHandler) -> Self {
        self.handler = Arc::new(h);
        self
    }

    /// Declare exactly these capabilities, whatever the handler says.
    pub fn capabilities(mut self, c: ClientCapabilities) -> Self {
        self.capabilities = Some(c);
        self
    }

    /// The timeout of every request (default [`DEFAULT_REQUEST_TIMEOUT`], 60 s): a request
    /// without an answer for this long fails with [`ErrorKind::Timeout`] and the server is
    /// sent `notifications/cancelled`. With [`ClientBuilder::reset_timeout_on_progress`]
    /// (on by default) each progress notification of the request starts it again.
    ///
    /// [`DEFAULT_REQUEST_TIMEOUT`]: crate::DEFAULT_REQUEST_TIMEOUT
    /// [`ErrorKind::Timeout`]: fastmcp_core::ErrorKind::Timeout
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeouts.idle = Some(t);
        self
    }

    /// No timeout: a request waits for its answer as long as the connection lasts (a
    /// [`ClientBuilder::max_total_timeout`] still applies).
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = fastmcp_client::Client::builder()
    ///     .no_timeout()
    ///     .max_total_timeout(Duration::from_secs(3600));
    /// # drop(b);
    /// ```
    pub fn no_timeout(mut self) -> Self {
        self.timeouts.idle = None;
        self
    }

    /// Whether a progress notification of a request (one sent with a progress token, e.g.
    /// by [`Client::call_tool_with_progress`]) starts its timeout again (default on), like
    /// the TypeScript SDK's `resetTimeoutOnProgress`.
    pub fn reset_timeout_on_progress(mut self, on: bool) -> Self {
        self.timeouts.reset_on_progress = on;
        self
    }

    /// The longest any request may take, however much progress it reports (default none),
    /// like the TypeScript SDK's `maxTotalTimeout`. Past it the request fails with
    /// [`ErrorKind::Timeout`](fastmcp_core::ErrorKind::Timeout).
    pub fn max_total_timeout(mut self, t: Duration) -> Self {
        self.timeouts.max_total = Some(t);
        self
    }

    /// The most server-to-client requests (sampling, elicitation, roots, ping) answered at
    /// once (default [`DEFAULT_MAX_SERVER_REQUESTS`], 64; at least 1). Past it a server
    /// request is answered at once with a JSON-RPC error (code -32603, message "client
    /// busy: ...", `data.maxServerRequests`), and the next inbound message is read only
    /// once that answer is queued: a server that floods the client without reading its
    /// answers is slowed to the pace of its own reading, and the client's memory stays
    /// bounded.
    ///
    /// [`DEFAULT_MAX_SERVER_REQUESTS`]: crate::DEFAULT_MAX_SERVER_REQUESTS
    pub fn max_server_requests(mut self, n: usize) -> Self {
        self.max_server_requests = n;
        self
    }

    /// Most input rounds of one request in the stateless era (default 8).
    pub fn max_input_rounds(mut self, n: usize) -> Self {
        self.max_rounds = n;
        self
    }

    /// The log level sent with every stateless request (default: none sent).
    pub fn log_level(mut self, l: LoggingLevel) -> Self {
        self.log_level = Some(l);
        self
    }

    /// In stateless mode, call `server/discover` when connecting (default: off; `Mode::Auto`
    /// always discovers).
    pub fn discover(mut self, on: bool) -> Self {
        self.discover = on;
        self
    }

    /// Open `transport` and start the session in the builder's mode.
    pub async fn connect(self, transport: impl Transport) -> Result<Client, Error> {
        let opened = transport.open().await?;
        Client::start(self, opened).await
    }
}
