//! The peer a request's handler talks to the client through ([`EndpointPeer`]), and the
//! requests sent to the client that wait for its reply ([`Asked`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use fastmcp_core::{BoxFuture, Error, Peer};
use fastmcp_protocol::jsonrpc::{to_raw, Notification, Request};
use fastmcp_protocol::{ErrorObject, Message, RequestId};
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use super::sink::{encode, Sink};
use crate::lock::lock;

/// The peer of one request (or of every request sending to the connection's sink): what
/// its handler sends goes to the sink; replies to server-to-client requests come back
/// through the endpoint. It does not keep the endpoint alive (the endpoint keeps the
/// connection's peer): once the session is over, asking the client fails.
pub(super) struct EndpointPeer {
    endpoint: Weak<dyn Asks>,
    sink: Arc<dyn Sink>,
}

/// Where a peer's requests to the client wait for their replies: the endpoint's [`Asked`],
/// made when first needed.
pub(super) trait Asks: Send + Sync {
    fn asked(&self) -> &Arc<Asked>;
}

/// The client's answer to a request sent to it.
pub(crate) type Reply = Result<Box<RawValue>, ErrorObject>;

/// The requests a session sent its client and waits on: where each reply goes, and the
/// ids of the next ones.
pub(super) struct Asked {
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
    /// What the ids start with (`{replica}:`) when replicas share
    /// sessions: the client's answer names the replica that asked. Numbers otherwise.
    id_prefix: OnceLock<String>,
}

impl Asked {
    pub(super) fn new() -> Self {
        Asked {
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            id_prefix: OnceLock::new(),
        }
    }

    /// Make the ids of the requests `{prefix}{n}` (once; later calls change nothing).
    pub(super) fn set_id_prefix(&self, prefix: String) {
        let _ = self.id_prefix.set(prefix);
    }

    /// The id of the next request to the client.
    fn next_id(&self) -> RequestId {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        match self.id_prefix.get() {
            Some(p) => RequestId::String(format!("{p}{n}").into()),
            None => RequestId::Number(n),
        }
    }

    /// Wait for the client's reply to request `id` (sent next).
    fn expect(&self, id: RequestId) -> oneshot::Receiver<Reply> {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending).insert(id, tx);
        rx
    }

    /// Stop waiting for the reply to `id`; whether it was still awaited.
    fn forget(&self, id: &RequestId) -> bool {
        lock(&self.pending).remove(id).is_some()
    }

    /// The client answered `id`.
    pub(super) fn reply(&self, id: RequestId, reply: Reply) {
        if let Some(tx) = lock(&self.pending).remove(&id) {
            let _ = tx.send(reply);
        }
    }

    /// The session is over: every request waiting for a reply fails.
    pub(super) fn clear(&self) {
        lock(&self.pending).clear();
    }
}

impl EndpointPeer {
    pub(super) fn new(endpoint: Weak<dyn Asks>, sink: Arc<dyn Sink>) -> Self {
        EndpointPeer { endpoint, sink }
    }

    /// Whether this peer sends to `sink`.
    pub(super) fn sends_to(&self, sink: &Arc<dyn Sink>) -> bool {
        std::ptr::addr_eq(Arc::as_ptr(&self.sink), Arc::as_ptr(sink))
    }
}

/// Removes a server-to-client request from the pending map when its waiter goes away, and
/// tells the client it is cancelled if no reply came.
struct PendingGuard<'a> {
    peer: &'a EndpointPeer,
    asked: &'a Asked,
    id: RequestId,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if self.asked.forget(&self.id) {
            let n = Message::Notification(Notification {
                method: "notifications/cancelled".into(),
                params: Some(to_raw(&serde_json::json!({
                    "requestId": self.id, "reason": "request ended"
                }))),
            });
            self.peer.sink.try_send(encode(&n));
        }
    }
}

impl Peer for EndpointPeer {
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let m = Message::Notification(Notification {
            method: fastmcp_protocol::jsonrpc::method(method),
            params: Some(params),
        });
        Box::pin(async move {
            self.sink
                .send(encode(&m))
                .await
                .map_err(|_| Error::transport("connection closed"))
        })
    }

    fn request(
        &self,
        method: &str,
        params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let method = fastmcp_protocol::jsonrpc::method(method);
        Box::pin(async move {
            // The endpoint is not kept while the client answers: only what waits for it.
            let Some(asked) = self.endpoint.upgrade().map(|e| e.asked().clone()) else {
                return Err(Error::transport("the session is over"));
            };
            let id = asked.next_id();
            let m = Message::Request(Request {
                id: id.clone(),
                method,
                params: Some(params),
            });
            if !self.sink.takes_requests() {
                return Err(Error::transport(
                    "The client cannot be asked anything here: this request is answered with \
                     one JSON body (JSON-response mode), which carries no requests to the client",
                ));
            }
            let rx = asked.expect(id.clone());
            let _guard = PendingGuard {
                peer: self,
                asked: &asked,
                id,
            };
            self.sink
                .send(encode(&m))
                .await
                .map_err(|_| Error::transport("connection closed"))?;
            match rx.await {
                Ok(Ok(r)) => Ok(r),
                Ok(Err(e)) => Err(Error::from_error_object(e)),
                Err(_) => Err(Error::transport(
                    "connection closed before the client answered",
                )),
            }
        })
    }
}
