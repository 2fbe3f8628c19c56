//! The client's side of a connection: correlates responses with requests, and fails every
//! request at once when the transport has ended.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::{to_raw, Notification, Request};
use fastmcp_protocol::{Message, ProgressNotificationParams, RequestId};
use fastmcp_transport::{Channel, Outbound};
use serde_json::value::RawValue;
use tokio::sync::{oneshot, Notify};

use crate::inbound::read_loop;
use crate::server_requests::ServerRequests;

type Reply = Result<Box<RawValue>, Error>;

/// A per-call progress callback.
pub(crate) type ProgressFn = Arc<dyn Fn(ProgressNotificationParams) + Send + Sync>;

/// The error of a request made after the transport ended, or in flight when it did.
pub(crate) fn transport_ended() -> Error {
    Error::transport("transport closed: the connection to the server has ended")
}

pub(crate) struct Wire {
    out: std::sync::RwLock<Option<Outbound>>,
    /// The requests waiting for an answer; `None` once the transport has ended.
    pending: Mutex<Option<HashMap<RequestId, oneshot::Sender<Reply>>>>,
    next_id: AtomicI64,
    /// Progress callbacks of calls in flight, by progress token.
    progress: Mutex<HashMap<RequestId, ProgressFn>>,
    /// Woken by each progress notification of a token, for the requests' timeouts.
    progress_ticks: Mutex<HashMap<RequestId, Arc<Notify>>>,
}

impl Wire {
    pub(crate) fn start(ch: Channel, requests: Arc<ServerRequests>) -> Arc<Wire> {
        let wire = Arc::new(Wire {
            out: std::sync::RwLock::new(Some(ch.outbound)),
            pending: Mutex::new(Some(HashMap::new())),
            next_id: AtomicI64::new(1),
            progress: Mutex::new(HashMap::new()),
            progress_ticks: Mutex::new(HashMap::new()),
        });
        tokio::spawn(read_loop(wire.clone(), ch.inbound, requests));
        wire
    }

    /// Route progress notifications with `token` to `f` until the guard is dropped.
    pub(crate) fn on_progress(self: &Arc<Self>, token: RequestId, f: ProgressFn) -> ProgressGuard {
        lock(&self.progress).insert(token.clone(), f);
        ProgressGuard {
            wire: self.clone(),
            token,
        }
    }

    pub(crate) fn progress_callback(&self, token: &RequestId) -> Option<ProgressFn> {
        lock(&self.progress).get(token).cloned()
    }

    /// Wakes on every progress notification with `token`, until the guard is dropped.
    pub(crate) fn progress_ticks(self: &Arc<Self>, token: RequestId) -> (Arc<Notify>, TickGuard) {
        let n = Arc::new(Notify::new());
        lock(&self.progress_ticks).insert(token.clone(), n.clone());
        let guard = TickGuard {
            wire: self.clone(),
            token,
        };
        (n, guard)
    }

    pub(crate) fn progress_seen(&self, token: &RequestId) {
        if let Some(n) = lock(&self.progress_ticks).get(token) {
            n.notify_one();
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.outbound().is_none_or(|o| o.is_closed())
    }

    fn outbound(&self) -> Option<Outbound> {
        self.out
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Close the sending side (a child process sees EOF on its stdin).
    pub(crate) fn close(&self) {
        self.out
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
    }

    /// The transport ended (its inbound side closed): every request waiting for an answer
    /// fails, and so does every later one, at once.
    pub(crate) fn transport_ended(&self) {
        let waiting = lock(&self.pending).take().unwrap_or_default();
        for (_, tx) in waiting {
            let _ = tx.send(Err(transport_ended()));
        }
        self.close();
    }

    pub(crate) fn reply(&self, id: RequestId, r: Reply) {
        let tx = lock(&self.pending).as_mut().and_then(|p| p.remove(&id));
        if let Some(tx) = tx {
            let _ = tx.send(r);
        }
    }

    pub(crate) fn next_id(&self) -> RequestId {
        RequestId::Number(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    /// Send a request and wait for its reply. When the future is dropped before the reply,
    /// the server is told with `notifications/cancelled`.
    pub(crate) async fn request(
        &self,
        id: RequestId,
        method: &str,
        params: Box<RawValue>,
    ) -> Result<Box<RawValue>, Error> {
        let (tx, rx) = oneshot::channel();
        lock(&self.pending)
            .as_mut()
            .ok_or_else(transport_ended)?
            .insert(id.clone(), tx);
        let guard = CancelOnDrop {
            wire: self,
            id: Some(id.clone()),
        };
        let m = Message::Request(Request {
            id,
            method: fastmcp_protocol::jsonrpc::method(method),
            params: Some(params),
        });
        self.send(m).await?;
        let reply = rx.await;
        std::mem::forget(guard);
        reply.unwrap_or_else(|_| Err(transport_ended()))
    }

    pub(crate) async fn notify(&self, method: &str, params: Box<RawValue>) -> Result<(), Error> {
        self.send(Message::Notification(Notification {
            method: fastmcp_protocol::jsonrpc::method(method),
            params: Some(params),
        }))
        .await
    }

    pub(crate) async fn send(&self, m: Message) -> Result<(), Error> {
        let out = self.outbound().ok_or_else(transport_ended)?;
        out.send(Bytes::from(m.to_json()))
            .await
            .map_err(|_| transport_ended())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

struct CancelOnDrop<'a> {
    wire: &'a Wire,
    id: Option<RequestId>,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let removed = lock(&self.wire.pending)
            .as_mut()
            .and_then(|p| p.remove(&id))
            .is_some();
        if removed {
            let n = Message::Notification(Notification {
                method: "notifications/cancelled".into(),
                params: Some(to_raw(
                    &serde_json::json!({ "requestId": id, "reason": "cancelled by the client" }),
                )),
            });
            if let Some(out) = self.wire.outbound() {
                let _ = out.try_send(Bytes::from(n.to_json()));
            }
        }
    }
}

/// Unregisters a per-call progress callback.
pub(crate) struct ProgressGuard {
    wire: Arc<Wire>,
    token: RequestId,
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        lock(&self.wire.progress).remove(&self.token);
    }
}

/// Stops waking a request's timeout on progress.
pub(crate) struct TickGuard {
    wire: Arc<Wire>,
    token: RequestId,
}

impl Drop for TickGuard {
    fn drop(&mut self) {
        lock(&self.wire.progress_ticks).remove(&self.token);
    }
}
