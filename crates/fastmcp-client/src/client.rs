//! [`Client`]: a connection to one MCP server, and what it knows of that server.

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::sync::PoisonError;
use std::time::Duration;

use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    ClientCapabilities, Era, Implementation, LoggingLevel, ProtocolVersion, ServerCapabilities,
};
use serde::Serialize;

use crate::connection::Wire;
use crate::deadline::Timeouts;
use crate::handler::ClientHandler;
use crate::handles::{ChildProcess, HttpHandle};
use crate::options::{ClientBuilder, Mode};
use crate::server_requests::ServerRequests;
use crate::tool_output::OutputShapes;
use crate::transport::{Opened, Transport};

#[derive(Default, Clone)]
pub(crate) struct ServerInfo {
    pub(crate) info: Option<Implementation>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) instructions: Option<String>,
    pub(crate) version: Option<ProtocolVersion>,
}

pub(crate) struct Inner {
    pub(crate) wire: Arc<Wire>,
    pub(crate) info: Implementation,
    pub(crate) capabilities: ClientCapabilities,
    pub(crate) mode: std::sync::RwLock<Mode>,
    pub(crate) handler: Arc<dyn ClientHandler>,
    pub(crate) timeouts: Timeouts,
    pub(crate) max_rounds: usize,
    pub(crate) log_level: Option<LoggingLevel>,
    pub(crate) server: std::sync::RwLock<ServerInfo>,
    pub(crate) child: tokio::sync::Mutex<Option<ChildProcess>>,
    /// The Streamable HTTP transport's handle, when connected that way.
    pub(crate) http: Option<HttpHandle>,
    /// Held while re-initializing after a session expired.
    pub(crate) reinit: tokio::sync::Mutex<()>,
    /// Counts re-initializations, so concurrent requests re-initialize once.
    pub(crate) session_gen: AtomicU64,
    pub(crate) progress_seq: AtomicU64,
    /// Which tools' structured results are wrapped, from `tools/list`.
    pub(crate) output_shapes: OutputShapes,
    /// The log level and subscriptions set, made again on a new session.
    pub(crate) settings: std::sync::Mutex<crate::settings::Settings>,
}

impl Drop for Inner {
    /// The last handle is gone: end the connection. Its reader holds the wire, and the
    /// wire holds the transport's sending side, so without this a dropped client's tasks
    /// (and a Streamable HTTP session on the server) would live on, each holding the other.
    fn drop(&mut self) {
        self.wire.close();
    }
}

/// An MCP client.
///
/// There are two ways to connect, both over any [`Transport`]: [`Client::connect`] with
/// the defaults, and [`Client::builder`] to choose the mode, handler, timeouts or
/// capabilities first.
///
/// ```no_run
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use fastmcp_client::Client;
/// use fastmcp_transport::ChildTransport;
/// let client = Client::connect(ChildTransport::new("my-server")).await?;
/// for tool in client.list_tools().await? {
///     println!("{}", tool.name);
/// }
/// let r = client.call_tool("add", serde_json::json!({"a": 1, "b": 2})).await?;
/// client.close().await?;
/// # Ok(()) }
/// ```
///
/// A `Client` is a handle: clones share the connection. [`Client::close`] ends it and
/// waits for that; dropping the last handle ends it too, without waiting (a Streamable
/// HTTP session is still ended with DELETE, in the background).
///
/// # Cancelling a call
///
/// Every request is a future, and dropping it before its answer cancels it: the server is
/// sent `notifications/cancelled` for it (its handler stops at its next checkpoint) and no
/// answer is awaited. So a timeout, a `select!` or aborting the task that awaits the call
/// cancels it on the server too:
///
/// ```no_run
/// # async fn f(client: fastmcp_client::Client) {
/// use std::time::Duration;
/// let call = client.call_tool("slow_report", serde_json::json!({}));
/// match tokio::time::timeout(Duration::from_secs(5), call).await {
///     Ok(result) => println!("{result:?}"),
///     Err(_) => println!("took too long: cancelled on the server"),
/// }
/// # }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

impl Client {
    /// Start building a client: mode, handler, timeouts, capabilities, then
    /// [`ClientBuilder::connect`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Connect over `transport` with the defaults (handshake, newest handshake-era
    /// version, no handler).
    pub async fn connect(transport: impl Transport) -> Result<Client, Error> {
        Self::builder().connect(transport).await
    }

    /// Start the session of `b` over an opened transport.
    pub(crate) async fn start(b: ClientBuilder, opened: Opened) -> Result<Client, Error> {
        let capabilities = b
            .capabilities
            .clone()
            .unwrap_or_else(|| b.handler.capabilities());
        let requests = ServerRequests::new(
            b.handler.clone(),
            capabilities.clone(),
            b.max_server_requests,
        );
        let wire = Wire::start(opened.channel, requests);
        let client = Client {
            inner: Arc::new(Inner {
                wire,
                info: b.info,
                capabilities,
                mode: std::sync::RwLock::new(b.mode),
                handler: b.handler,
                timeouts: b.timeouts,
                max_rounds: b.max_rounds,
                log_level: b.log_level,
                server: std::sync::RwLock::new(ServerInfo::default()),
                child: tokio::sync::Mutex::new(opened.child),
                http: opened.http,
                reinit: tokio::sync::Mutex::new(()),
                session_gen: AtomicU64::new(0),
                settings: Default::default(),
                progress_seq: AtomicU64::new(0),
                output_shapes: OutputShapes::default(),
            }),
        };
        client.negotiate(b.mode, b.discover).await?;
        Ok(client)
    }

    /// The mode in use (after `Auto` has decided).
    pub fn mode(&self) -> Mode {
        *self
            .inner
            .mode
            .read()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_mode(&self, m: Mode) {
        *self
            .inner
            .mode
            .write()
            .unwrap_or_else(PoisonError::into_inner) = m;
    }

    /// The negotiated (or chosen) protocol version.
    ///
    /// In the stateless era this is the mode's version until a server refuses it with
    /// -32022 (unsupported protocol version) and names others it supports: the newest of
    /// those that this client speaks is used from then on.
    pub fn protocol_version(&self) -> ProtocolVersion {
        match self.mode() {
            Mode::Stateless(v) | Mode::Handshake(v) => self
                .inner
                .server
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .version
                .unwrap_or(v),
            Mode::Auto => ProtocolVersion::LATEST,
        }
    }

    /// The era of this client's requests.
    pub fn era(&self) -> Era {
        self.protocol_version().era()
    }

    /// The capabilities this client declares.
    pub fn capabilities(&self) -> &ClientCapabilities {
        &self.inner.capabilities
    }

    /// What the server said about itself: its `serverInfo` from `initialize` (handshake
    /// era), or from `server/discover` (stateless era, when the client discovered:
    /// [`Mode::Auto`](crate::Mode::Auto), or [`crate::ClientBuilder::discover`]) where the
    /// server put it in the result's `_meta`. `None` when it said nothing.
    pub fn server_info(&self) -> Option<Implementation> {
        self.inner
            .server
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .info
            .clone()
    }

    /// The server's capabilities.
    pub fn server_capabilities(&self) -> ServerCapabilities {
        self.inner
            .server
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .capabilities
            .clone()
    }

    /// The server's instructions.
    pub fn instructions(&self) -> Option<String> {
        self.inner
            .server
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .instructions
            .clone()
    }

    /// The Streamable HTTP session id (handshake era over HTTP).
    pub fn session_id(&self) -> Option<String> {
        self.inner.http.as_ref().and_then(HttpHandle::session_id)
    }

    /// Send a notification.
    pub async fn notify(&self, method: &str, params: impl Serialize) -> Result<(), Error> {
        self.inner.wire.notify(method, to_raw(&params)).await
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.wire.is_closed()
    }

    /// Close the connection; a child-process server is stopped and reaped, a Streamable
    /// HTTP session is ended with DELETE (waited for up to 5 seconds).
    pub async fn close(self) -> Result<(), Error> {
        let child = self.inner.child.lock().await.take();
        self.inner.wire.close();
        if let Some(h) = &self.inner.http {
            let _ = tokio::time::timeout(Duration::from_secs(5), h.closed()).await;
        }
        if let Some(c) = child {
            c.shutdown().await.map_err(Error::from)?;
        }
        Ok(())
    }
}
