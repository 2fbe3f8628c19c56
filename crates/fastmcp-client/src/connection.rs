//! The client's side of a connection: correlates responses and answers server requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use bytes::Bytes;
use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::{to_raw, ErrorResponse, Notification, Request, Response};
use fastmcp_protocol::{ErrorObject, Message, ProgressNotificationParams, RequestId};
use fastmcp_transport::{Channel, Outbound};
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use crate::handler::ClientHandler;

type Reply = Result<Box<RawValue>, ErrorObject>;

/// A per-call progress callback.
pub(crate) type ProgressFn = Arc<dyn Fn(ProgressNotificationParams) + Send + Sync>;

pub(crate) struct Wire {
    out: std::sync::RwLock<Option<Outbound>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
    /// Progress callbacks of calls in flight, by progress token.
    progress: Mutex<HashMap<RequestId, ProgressFn>>,
}

impl Wire {
    pub(crate) fn start(ch: Channel, handler: Arc<dyn ClientHandler>) -> Arc<Wire> {
        let wire = Arc::new(Wire {
            out: std::sync::RwLock::new(Some(ch.outbound)),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            progress: Mutex::new(HashMap::new()),
        });
        tokio::spawn(read_loop(wire.clone(), ch.inbound, handler));
        wire
    }

    /// Route progress notifications with `token` to `f` until the guard is dropped.
    pub(crate) fn on_progress(self: &Arc<Self>, token: RequestId, f: ProgressFn) -> ProgressGuard {
        self.progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(token.clone(), f);
        ProgressGuard {
            wire: self.clone(),
            token,
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
        self.pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.clone(), tx);
        let guard = CancelOnDrop {
            wire: self,
            id: Some(id.clone()),
        };
        let m = Message::Request(Request {
            id,
            method: method.to_owned(),
            params: Some(params),
        });
        self.send(m).await?;
        let reply = rx.await;
        std::mem::forget(guard);
        match reply {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(Error::from_error_object(e)),
            Err(_) => Err(Error::transport("connection closed")),
        }
    }

    pub(crate) async fn notify(&self, method: &str, params: Box<RawValue>) -> Result<(), Error> {
        self.send(Message::Notification(Notification {
            method: method.to_owned(),
            params: Some(params),
        }))
        .await
    }

    async fn send(&self, m: Message) -> Result<(), Error> {
        let out = self
            .outbound()
            .ok_or_else(|| Error::transport("connection closed"))?;
        out.send(Bytes::from(m.to_json()))
            .await
            .map_err(|_| Error::transport("connection closed"))
    }
}

struct CancelOnDrop<'a> {
    wire: &'a Wire,
    id: Option<RequestId>,
}

impl Drop for CancelOnDrop<'_> {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        if self
            .wire
            .pending
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id)
            .is_some()
        {
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

async fn read_loop(
    wire: Arc<Wire>,
    mut inbound: tokio::sync::mpsc::Receiver<fastmcp_transport::Inbound>,
    handler: Arc<dyn ClientHandler>,
) {
    while let Some(frame) = inbound.recv().await {
        let Ok(bytes) = frame else { continue };
        let msgs: Vec<Message> = if Message::is_batch(&bytes) {
            serde_json::from_slice::<Vec<Box<RawValue>>>(&bytes)
                .unwrap_or_default()
                .iter()
                .filter_map(|m| Message::parse(m.get().as_bytes()).ok())
                .collect()
        } else {
            Message::parse(&bytes).into_iter().collect()
        };
        for m in msgs {
            match m {
                Message::Response(r) => reply(&wire, r.id, Ok(r.result)),
                Message::Error(e) => {
                    if let Some(id) = e.id {
                        reply(&wire, id, Err(e.error));
                    }
                }
                Message::Notification(n) => notification(&wire, &*handler, n),
                Message::Request(r) => {
                    let (w, h) = (wire.clone(), handler.clone());
                    tokio::spawn(async move {
                        let id = r.id.clone();
                        let m = match answer(&*h, &r.method, r.params.as_deref()).await {
                            Ok(result) => Message::Response(Response { id, result }),
                            Err(e) => Message::Error(ErrorResponse {
                                id: Some(id),
                                error: e.to_error_object(),
                            }),
                        };
                        let _ = w.send(m).await;
                    });
                }
            }
        }
    }
    wire.pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clear();
}

fn reply(wire: &Wire, id: RequestId, r: Reply) {
    if let Some(tx) = wire
        .pending
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&id)
    {
        let _ = tx.send(r);
    }
}

fn notification(wire: &Wire, h: &dyn ClientHandler, n: Notification) {
    let p = n.params.as_deref();
    match n.method.as_str() {
        "notifications/progress" => {
            if let Some(Ok(v)) =
                p.map(|p| serde_json::from_str::<ProgressNotificationParams>(p.get()))
            {
                let per_call = wire
                    .progress
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .get(&v.progress_token)
                    .cloned();
                match per_call {
                    Some(f) => f(v),
                    None => h.on_progress(v),
                }
            }
        }
        "notifications/message" => {
            if let Some(Ok(v)) = p.map(|p| serde_json::from_str(p.get())) {
                h.on_log(v);
            }
        }
        other => h.on_notification(other, p),
    }
}

/// Run a server-to-client request through the handler (also used for MRTR rounds).
pub(crate) async fn answer(
    h: &dyn ClientHandler,
    method: &str,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let text = params.map_or("{}", RawValue::get);
    let bad = |e: serde_json::Error| Error::invalid_params(e.to_string());
    match method {
        "elicitation/create" => Ok(to_raw(
            &h.elicit(serde_json::from_str(text).map_err(bad)?).await?,
        )),
        "sampling/createMessage" => Ok(to_raw(
            &h.sample(serde_json::from_str(text).map_err(bad)?).await?,
        )),
        "roots/list" => Ok(to_raw(&h.list_roots().await?)),
        "ping" => Ok(to_raw(&serde_json::json!({}))),
        other => Err(Error::method_not_found(other)),
    }
}

/// Unregisters a per-call progress callback.
pub(crate) struct ProgressGuard {
    wire: Arc<Wire>,
    token: RequestId,
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        self.wire
            .progress
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.token);
    }
}
