//! The WebSocket client transport: subprotocol `mcp`, one JSON-RPC message per text
//! frame.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use fastmcp_transport::ws_client::WebSocket;
//! let channel = WebSocket::new("ws://127.0.0.1:8000/ws").connect().await?;
//! # drop(channel); Ok(()) }
//! ```

use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message, Utf8Bytes};
use tokio_util::sync::CancellationToken;

use crate::channel::{Channel, FrameError, Inbound, Outbound};
use crate::lines::DEFAULT_MAX_MESSAGE_SIZE;

/// Why the WebSocket could not be opened.
#[derive(Debug)]
pub struct WsConnectError {
    message: String,
    source: Option<WsError>,
}

impl std::fmt::Display for WsConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for WsConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

fn err(message: impl Into<String>, source: Option<WsError>) -> WsConnectError {
    WsConnectError {
        message: message.into(),
        source,
    }
}

/// How to reach a WebSocket MCP server.
#[derive(Debug, Clone)]
pub struct WebSocket {
    url: String,
    headers: Vec<(String, String)>,
    max_message_size: usize,
    capacity: usize,
}

impl WebSocket {
    /// A transport to `url` (`ws://` or `wss://`).
    pub fn new(url: impl Into<String>) -> Self {
        WebSocket {
            url: url.into(),
            headers: vec![],
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            capacity: 256,
        }
    }

    /// Send this header with the opening handshake.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The largest inbound message in bytes (default 4 MiB). A larger one ends the
    /// connection, after a [`FrameError::TooLarge`].
    pub fn max_message_size(mut self, n: usize) -> Self {
        self.max_message_size = n;
        self
    }

    /// Connect (with `TCP_NODELAY`).
    pub async fn connect(self) -> Result<Channel, WsConnectError> {
        let mut req = self
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| err(format!("invalid URL {:?}", self.url), Some(e)))?;
        for (k, v) in &self.headers {
            let name = HeaderName::from_bytes(k.as_bytes())
                .map_err(|_| err(format!("invalid header name {k:?}"), None))?;
            let value = HeaderValue::from_str(v)
                .map_err(|_| err(format!("invalid value of header {k}"), None))?;
            req.headers_mut().append(name, value);
        }
        req.headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_static("mcp"));
        let config = WebSocketConfig::default()
            .max_message_size(Some(self.max_message_size))
            .max_frame_size(Some(self.max_message_size));
        let (ws, _) = tokio_tungstenite::connect_async_with_config(req, Some(config), true)
            .await
            .map_err(|e| err(format!("connecting to {}", self.url), Some(e)))?;
        let (sink, stream) = ws.split();
        let (itx, irx) = mpsc::channel::<Inbound>(self.capacity);
        let (otx, orx) = mpsc::channel::<Bytes>(self.capacity);
        let read_done = CancellationToken::new();
        let guard = read_done.clone().drop_guard();
        let max = self.max_message_size;
        let reader = tokio::spawn(async move {
            let _done = guard;
            read_frames(stream, itx, max).await;
        });
        tokio::spawn(write_frames(sink, orx, read_done, reader));
        Ok(Channel {
            inbound: irx,
            outbound: Outbound::new(otx),
        })
    }
}

type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The server's frames to inbound messages, until the server closes or a read fails.
async fn read_frames(
    mut stream: futures::stream::SplitStream<WsStream>,
    itx: mpsc::Sender<Inbound>,
    max: usize,
) {
    while let Some(m) = stream.next().await {
        let frame: Inbound = match m {
            Ok(Message::Text(t)) => Ok(Bytes::from(t)),
            Ok(Message::Binary(b)) => match std::str::from_utf8(&b) {
                Ok(_) => Ok(b),
                Err(_) => Err(FrameError::InvalidUtf8),
            },
            Ok(Message::Close(_)) => break,
            Ok(_) => continue, // ping, pong: answered by the library
            Err(WsError::Capacity(_)) => {
                let _ = itx.send(Err(FrameError::TooLarge { limit: max })).await;
                break;
            }
            Err(e) => {
                tracing::debug!("WebSocket read: {e}");
                break;
            }
        };
        if itx.send(frame).await.is_err() {
            break;
        }
    }
}

/// Outbound messages to text frames; a close frame when the client's side ends. Then the
/// reader gets a moment to see the server's close frame, and is stopped.
async fn write_frames(
    mut sink: futures::stream::SplitSink<WsStream, Message>,
    mut orx: mpsc::Receiver<Bytes>,
    read_done: CancellationToken,
    reader: tokio::task::JoinHandle<()>,
) {
    loop {
        tokio::select! {
            m = orx.recv() => match m {
                Some(m) => {
                    let Ok(text) = Utf8Bytes::try_from(m) else {
                        tracing::debug!("dropping an outbound message that is not UTF-8");
                        continue;
                    };
                    if let Err(e) = sink.send(Message::Text(text)).await {
                        tracing::debug!("WebSocket write: {e}");
                        break;
                    }
                }
                None => {
                    let _ = sink.send(Message::Close(None)).await;
                    let _ = sink.close().await;
                    break;
                }
            },
            _ = read_done.cancelled() => break,
        }
    }
    let wait = std::time::Duration::from_secs(2);
    let _ = tokio::time::timeout(wait, read_done.cancelled()).await;
    reader.abort();
}
