//! [`Transport`]: anything a [`Client`](crate::Client) can connect over.

use fastmcp_core::{BoxFuture, Error};
#[cfg(feature = "http")]
use fastmcp_transport::http_client::StreamableHttp;
#[cfg(feature = "http")]
use fastmcp_transport::sse_client::LegacySse;
#[cfg(feature = "websocket")]
use fastmcp_transport::ws_client::WebSocket;
use fastmcp_transport::Channel;
#[cfg(feature = "child-process")]
use fastmcp_transport::ChildTransport;

use crate::handles::{ChildProcess, HttpHandle};

/// An opened transport: the message channel, plus what the client needs to end it well
/// (the child process to reap, the Streamable HTTP session to delete).
pub struct Opened {
    pub(crate) channel: Channel,
    pub(crate) http: Option<HttpHandle>,
    pub(crate) child: Option<ChildProcess>,
}

impl Opened {
    /// A plain channel, nothing to clean up but the channel itself.
    pub fn new(channel: Channel) -> Self {
        Opened {
            channel,
            http: None,
            child: None,
        }
    }
}

impl From<Channel> for Opened {
    fn from(channel: Channel) -> Self {
        Opened::new(channel)
    }
}

/// Something a client connects over: [`Client::connect`](crate::Client::connect) and
/// [`ClientBuilder::connect`](crate::ClientBuilder::connect) take any `Transport`.
///
/// Implemented by every client transport of `fastmcp-transport`:
///
/// | value | what it is |
/// |---|---|
/// | [`Channel`] | an already open channel, e.g. an in-memory server's |
/// | `ChildTransport` (feature `child-process`) | a server spawned as a child process, spoken to over its stdio |
/// | `StreamableHttp` (feature `http`) | a Streamable HTTP endpoint (`http://host/mcp`) |
/// | `LegacySse` (feature `http`) | a legacy HTTP+SSE endpoint of protocol 2024-11-05 (`http://host/sse`) |
/// | `WebSocket` (feature `websocket`) | a WebSocket endpoint (subprotocol `mcp`) |
///
/// A URL alone is not a transport: `http://host/x` could be Streamable HTTP or legacy
/// SSE, so say which with the value.
///
/// ```no_run
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use fastmcp_client::Client;
/// use fastmcp_transport::http_client::StreamableHttp;
/// use fastmcp_transport::ChildTransport;
/// let local = Client::connect(ChildTransport::new("my-server").arg("--stdio")).await?;
/// let remote = Client::connect(StreamableHttp::new("http://127.0.0.1:8000/mcp")).await?;
/// # Ok(()) }
/// ```
pub trait Transport: Send + 'static {
    /// Open the transport.
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>>;
}

/// Any transport with faults injected: what a test of a broken connection connects over.
/// The client's side of the connection is wrapped, so the faults hit what the client sends
/// (`outbound`) and what it receives (`inbound`), whatever the transport.
///
/// ```no_run
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use fastmcp_client::{Client, FaultyTransport};
/// use fastmcp_transport::faults::{Fault, Faults, When};
/// use fastmcp_transport::ChildTransport;
/// let faults = Faults::new().inbound(When::Every(3), Fault::Duplicate);
/// let client = Client::connect(FaultyTransport::new(ChildTransport::new("my-server"), faults)).await?;
/// # Ok(()) }
/// ```
pub struct FaultyTransport<T> {
    inner: T,
    faults: fastmcp_transport::faults::Faults,
}

impl<T: Transport> FaultyTransport<T> {
    /// `inner` with `faults` in it.
    pub fn new(inner: T, faults: fastmcp_transport::faults::Faults) -> Self {
        FaultyTransport { inner, faults }
    }
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move {
            let mut opened = self.inner.open().await?;
            opened.channel = self.faults.wrap(opened.channel);
            Ok(opened)
        })
    }
}

impl Transport for Channel {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move { Ok(Opened::new(self)) })
    }
}

impl Transport for Opened {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move { Ok(self) })
    }
}

#[cfg(feature = "child-process")]
impl Transport for ChildTransport {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move {
            let (channel, child) = self
                .spawn()
                .map_err(|e| Error::transport(format!("spawn failed: {e}")))?;
            Ok(Opened {
                channel,
                http: None,
                child: Some(child),
            })
        })
    }
}

/// In the handshake era an expired session (HTTP 404) is handled by the client: it
/// initializes again and retries the request once.
#[cfg(feature = "http")]
impl Transport for StreamableHttp {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move {
            let (channel, handle) = self
                .connect_with_handle()
                .map_err(|e| Error::transport(e.to_string()))?;
            Ok(Opened {
                channel,
                http: Some(handle),
                child: None,
            })
        })
    }
}

/// Pair it with `.mode(Mode::Handshake(ProtocolVersion::V2024_11_05))` for old servers.
#[cfg(feature = "http")]
impl Transport for LegacySse {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move { opened(self.connect()).await })
    }
}

#[cfg(feature = "websocket")]
impl Transport for WebSocket {
    fn open(self) -> BoxFuture<'static, Result<Opened, Error>> {
        Box::pin(async move { opened(self.connect()).await })
    }
}

/// The transport a connecting future gives, its error turned into a transport error.
#[cfg(any(feature = "http", feature = "websocket"))]
async fn opened<E: std::fmt::Display>(
    connecting: impl std::future::Future<Output = Result<Channel, E>>,
) -> Result<Opened, Error> {
    let ch = connecting
        .await
        .map_err(|e| Error::transport(e.to_string()))?;
    Ok(Opened::new(ch))
}
