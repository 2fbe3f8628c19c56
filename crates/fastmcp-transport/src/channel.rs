//! The message channel every transport produces.

use bytes::Bytes;
use tokio::sync::mpsc;

/// Why an inbound frame is not a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// The frame exceeded the size limit; it was discarded.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The frame is not valid UTF-8.
    InvalidUtf8,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge { limit } => write!(f, "message larger than {limit} bytes"),
            FrameError::InvalidUtf8 => f.write_str("message is not valid UTF-8"),
        }
    }
}

/// One inbound frame: a message's bytes, or why it could not be read.
pub type Inbound = Result<Bytes, FrameError>;

/// Sends outbound messages (complete JSON texts, without a trailing newline).
#[derive(Clone, Debug)]
pub struct Outbound(mpsc::Sender<Bytes>);

impl Outbound {
    /// Wrap a sender.
    pub fn new(tx: mpsc::Sender<Bytes>) -> Self {
        Outbound(tx)
    }

    /// Send a message; `Err` when the transport is closed.
    pub async fn send(&self, msg: impl Into<Bytes>) -> Result<(), Closed> {
        self.0.send(msg.into()).await.map_err(|_| Closed)
    }

    /// Send without waiting; `Err` when the transport is closed or full.
    pub fn try_send(&self, msg: impl Into<Bytes>) -> Result<(), Closed> {
        self.0.try_send(msg.into()).map_err(|_| Closed)
    }

    /// Whether the transport is closed.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }

    /// Resolves when the receiving side is gone.
    pub async fn closed(&self) {
        self.0.closed().await
    }
}

/// The transport is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("transport closed")
    }
}

impl std::error::Error for Closed {}

/// A bidirectional message channel: what a session reads and writes.
#[derive(Debug)]
pub struct Channel {
    /// Inbound frames; `None` at end of stream.
    pub inbound: mpsc::Receiver<Inbound>,
    /// Outbound messages.
    pub outbound: Outbound,
}
