//! Where a session's (or one request's) outgoing messages go: a [`Sink`].

use bytes::Bytes;
use fastmcp_core::BoxFuture;
use fastmcp_protocol::Message;

/// Where a session's (or one request's) outgoing messages go.
pub(crate) trait Sink: Send + Sync + 'static {
    /// Send a message; `Err` when the other side is gone.
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>>;
    /// Send without waiting (best effort).
    fn try_send(&self, msg: Bytes);
    /// Send a message not yet serialized (a response): a sink that writes it itself may
    /// serialize it into a buffer it keeps.
    fn send_message(&self, m: Message) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move { self.send(encode(&m)).await })
    }
    /// Whether a request sent here can reach the client (not so on an answer that is one
    /// JSON body).
    fn takes_requests(&self) -> bool {
        true
    }
}

impl Sink for fastmcp_transport::Outbound {
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move {
            fastmcp_transport::Outbound::send(self, msg)
                .await
                .map_err(|_| ())
        })
    }

    fn try_send(&self, msg: Bytes) {
        let _ = fastmcp_transport::Outbound::try_send(self, msg);
    }
}

impl Sink for tokio::sync::mpsc::Sender<Bytes> {
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move {
            tokio::sync::mpsc::Sender::send(self, msg)
                .await
                .map_err(|_| ())
        })
    }

    fn try_send(&self, msg: Bytes) {
        let _ = tokio::sync::mpsc::Sender::try_send(self, msg);
    }
}

/// A message as it goes out.
pub(crate) fn encode(m: &Message) -> Bytes {
    Bytes::from(m.to_vec())
}
