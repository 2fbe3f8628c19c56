//! One connection (stdio, in-memory, WebSocket): reads frames, runs requests concurrently,
//! writes responses as they finish, and carries server-to-client requests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Budget, CancelReason, Error, Peer, Scope, Session};
use fastmcp_protocol::jsonrpc::{ErrorResponse, Notification, Request, Response};
use fastmcp_protocol::{
    error_code, CancelledNotificationParams, Era, ErrorObject, Message, RequestId,
};
use fastmcp_transport::{Channel, FrameError, Outbound};
use serde_json::value::RawValue;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::registry::ServerEvent;
use crate::router::{Call, Router};
use crate::server::Shared;

type Reply = Result<Box<RawValue>, ErrorObject>;

pub(crate) struct Conn {
    router: Arc<Router>,
    out: Outbound,
    session: Arc<Session>,
    token: CancellationToken,
    inflight: Mutex<HashMap<RequestId, Arc<Scope>>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
}

pub(crate) async fn serve(shared: Arc<Shared>, mut ch: Channel) {
    let conn = Arc::new(Conn {
        router: shared.router.clone(),
        out: ch.outbound.clone(),
        session: Session::handshake(None),
        token: CancellationToken::new(),
        inflight: Mutex::new(HashMap::new()),
        pending: Mutex::new(HashMap::new()),
        next_id: AtomicI64::new(1),
    });
    let mut events = shared.registry.events.subscribe();
    let requests = TaskTracker::new();
    loop {
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => break,
            frame = ch.inbound.recv() => match frame {
                None => break,
                Some(f) => conn.on_frame(f, &requests).await,
            },
            ev = events.recv() => match ev {
                Ok(ev) => conn.on_event(ev).await,
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => {}
            },
        }
    }
    requests.close();
    let reason = if shared.shutdown.is_cancelled() {
        let grace = conn.router.config.shutdown_grace;
        let _ = tokio::time::timeout(grace, requests.wait()).await;
        CancelReason::Shutdown
    } else {
        CancelReason::SessionClosed
    };
    let scopes: Vec<_> = conn
        .inflight
        .lock()
        .expect("lock")
        .values()
        .cloned()
        .collect();
    for s in scopes {
        s.cancel(reason.clone());
    }
    conn.token.cancel();
    requests.wait().await;
    conn.pending.lock().expect("lock").clear();
}

impl Conn {
    async fn send(&self, m: Message) {
        let _ = self.out.send(Bytes::from(m.to_json())).await;
    }

    async fn send_error(&self, id: Option<RequestId>, error: ErrorObject) {
        self.send(Message::Error(ErrorResponse { id, error })).await;
    }

    async fn on_frame(self: &Arc<Self>, frame: Result<Bytes, FrameError>, requests: &TaskTracker) {
        let bytes = match frame {
            Ok(b) => b,
            Err(FrameError::TooLarge { limit }) => {
                let e = ErrorObject::new(
                    error_code::INVALID_REQUEST,
                    format!("Message too large: the limit is {limit} bytes"),
                );
                return self.send_error(None, e).await;
            }
            Err(FrameError::InvalidUtf8) => {
                let e = ErrorObject::new(error_code::PARSE_ERROR, "Parse error: invalid UTF-8");
                return self.send_error(None, e).await;
            }
        };
        if Message::is_batch(&bytes) {
            let conn = self.clone();
            requests.spawn(async move { conn.on_batch(bytes).await });
            return;
        }
        match Message::parse(&bytes) {
            Err(f) => {
                if f.reply {
                    self.send_error(f.id, f.error).await;
                }
            }
            Ok(Message::Request(r)) => {
                if let Some(scope) = self.admit(&r).await {
                    let conn = self.clone();
                    requests.spawn(async move {
                        if let Some(m) = conn.run(r, scope).await {
                            conn.send(m).await;
                        }
                    });
                }
            }
            Ok(Message::Notification(n)) => self.on_notification(n),
            Ok(Message::Response(r)) => self.on_reply(r.id, Ok(r.result)),
            Ok(Message::Error(e)) => {
                if let Some(id) = e.id {
                    self.on_reply(id, Err(e.error));
                }
            }
        }
    }

    /// Register a request's scope; refuses a duplicate id of a request still running.
    async fn admit(&self, r: &Request) -> Option<Arc<Scope>> {
        let scope = Scope::with_token(self.token.child_token(), Budget::unlimited());
        let dup = {
            let mut inflight = self.inflight.lock().expect("lock");
            if inflight.contains_key(&r.id) {
                true
            } else {
                inflight.insert(r.id.clone(), scope.clone());
                false
            }
        };
        if dup {
            let e = ErrorObject::new(
                error_code::INVALID_REQUEST,
                format!("Duplicate request id {} while it is still running", r.id),
            );
            self.send_error(Some(r.id.clone()), e).await;
            return None;
        }
        Some(scope)
    }

    /// Run one request to its response (`None`: the client cancelled it).
    async fn run(self: &Arc<Self>, r: Request, scope: Arc<Scope>) -> Option<Message> {
        let result = match self.router.prepare(&self.session, r.params.as_deref()) {
            Err(e) => Err(e),
            Ok(p) => {
                let call = Call {
                    id: r.id.clone(),
                    session: p.session,
                    peer: self.clone(),
                    scope: scope.clone(),
                    progress_token: p.progress_token,
                };
                self.router
                    .handle(&call, &r.method, r.params.as_deref())
                    .await
            }
        };
        self.inflight.lock().expect("lock").remove(&r.id);
        if matches!(scope.cancel_reason(), Some(CancelReason::Requested(_))) {
            return None;
        }
        Some(match result {
            Ok(result) => Message::Response(Response { id: r.id, result }),
            Err(e) => Message::Error(ErrorResponse {
                id: Some(r.id),
                error: e.to_error_object(),
            }),
        })
    }

    /// A JSON-RPC batch: answered as one array where the negotiated version allows it
    /// (2025-03-26), refused otherwise.
    async fn on_batch(self: Arc<Self>, bytes: Bytes) {
        let allowed = self
            .session
            .protocol_version()
            .is_some_and(|v| v.allows_batches());
        let items: Vec<Box<RawValue>> = match serde_json::from_slice(&bytes) {
            Ok(items) => items,
            Err(e) => {
                let e = ErrorObject::new(error_code::PARSE_ERROR, format!("Parse error: {e}"));
                return self.send_error(None, e).await;
            }
        };
        if !allowed || items.is_empty() {
            let msg = if allowed {
                "Empty batch"
            } else {
                "Batch requests are not supported"
            };
            let e = ErrorObject::new(error_code::INVALID_REQUEST, msg);
            return self.send_error(None, e).await;
        }
        let mut futs = vec![];
        let mut replies = vec![];
        for item in items {
            match Message::parse(item.get().as_bytes()) {
                Err(f) if f.reply => replies.push(Message::Error(ErrorResponse {
                    id: f.id,
                    error: f.error,
                })),
                Err(_) => {}
                Ok(Message::Request(r)) => {
                    if let Some(scope) = self.admit(&r).await {
                        futs.push(self.run(r, scope));
                    }
                }
                Ok(Message::Notification(n)) => self.on_notification(n),
                Ok(Message::Response(r)) => self.on_reply(r.id, Ok(r.result)),
                Ok(Message::Error(e)) => {
                    if let Some(id) = e.id {
                        self.on_reply(id, Err(e.error));
                    }
                }
            }
        }
        replies.extend(futures::future::join_all(futs).await.into_iter().flatten());
        if !replies.is_empty() {
            let json = serde_json::to_string(&replies).expect("messages serialize");
            let _ = self.out.send(Bytes::from(json)).await;
        }
    }

    fn on_notification(&self, n: Notification) {
        match n.method.as_str() {
            "notifications/cancelled" => {
                let Some(p) = n.params.as_deref() else { return };
                let Ok(p) = serde_json::from_str::<CancelledNotificationParams>(p.get()) else {
                    return;
                };
                let Some(id) = p.request_id else { return };
                let scope = self.inflight.lock().expect("lock").get(&id).cloned();
                if let Some(s) = scope {
                    s.cancel(CancelReason::Requested(p.reason));
                }
            }
            "notifications/initialized" | "notifications/roots/list_changed" => {}
            other => tracing::debug!("ignoring notification {other}"),
        }
    }

    fn on_reply(&self, id: RequestId, reply: Reply) {
        if let Some(tx) = self.pending.lock().expect("lock").remove(&id) {
            let _ = tx.send(reply);
        }
    }

    async fn on_event(&self, ev: ServerEvent) {
        if self.session.era() != Era::Handshake || self.session.protocol_version().is_none() {
            return;
        }
        let method = match &ev {
            ServerEvent::ToolsChanged => "notifications/tools/list_changed",
            ServerEvent::ResourcesChanged => "notifications/resources/list_changed",
            ServerEvent::PromptsChanged => "notifications/prompts/list_changed",
            ServerEvent::ResourceUpdated(uri) => {
                if !self.session.is_subscribed(uri) {
                    return;
                }
                "notifications/resources/updated"
            }
        };
        let params = match ev {
            ServerEvent::ResourceUpdated(uri) => serde_json::json!({ "uri": uri }),
            _ => serde_json::json!({}),
        };
        let _ = self
            .notify(method, fastmcp_protocol::jsonrpc::to_raw(&params))
            .await;
    }
}

/// Removes a server-to-client request from the pending map when its waiter goes away, and
/// tells the client it is cancelled if no reply came.
struct PendingGuard<'a> {
    conn: &'a Conn,
    id: RequestId,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        let was_pending = self
            .conn
            .pending
            .lock()
            .expect("lock")
            .remove(&self.id)
            .is_some();
        if was_pending {
            let n = Message::Notification(Notification {
                method: "notifications/cancelled".into(),
                params: Some(fastmcp_protocol::jsonrpc::to_raw(&serde_json::json!({
                    "requestId": self.id, "reason": "request ended"
                }))),
            });
            let _ = self.conn.out.try_send(Bytes::from(n.to_json()));
        }
    }
}

impl Peer for Conn {
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let m = Message::Notification(Notification {
            method: method.to_owned(),
            params: Some(params),
        });
        Box::pin(async move {
            self.out
                .send(Bytes::from(m.to_json()))
                .await
                .map_err(|_| Error::transport("connection closed"))
        })
    }

    fn request(
        &self,
        method: &str,
        params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let id = RequestId::Number(self.next_id.fetch_add(1, Ordering::Relaxed));
        let m = Message::Request(Request {
            id: id.clone(),
            method: method.to_owned(),
            params: Some(params),
        });
        Box::pin(async move {
            let (tx, rx) = oneshot::channel();
            self.pending.lock().expect("lock").insert(id.clone(), tx);
            let _guard = PendingGuard { conn: self, id };
            self.out
                .send(Bytes::from(m.to_json()))
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
