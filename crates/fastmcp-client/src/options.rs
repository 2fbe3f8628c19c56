//! [`Mode`] and [`ClientBuilder`]: how a client speaks, and the one way to connect it.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::Error;
use fastmcp_protocol::{ClientCapabilities, Implementation, LoggingLevel, ProtocolVersion};

use crate::client::Client;
use crate::handler::{ClientHandler, NoHandler};
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
    pub(crate) timeout: Option<Duration>,
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
            timeout: None,
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

    /// Default timeout of every request.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Most input rounds of one request in the stateless era (default 8).
    pub fn max_input_rounds(mut self, n: usize) -> Self {
        self.max_rounds = n;
        self
    }

    /// The log level sent with every stateless request.
    pub fn log_level(mut self, l: LoggingLevel) -> Self {
        self.log_level = Some(l);
        self
    }

    /// In stateless mode, call `server/discover` when connecting.
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
