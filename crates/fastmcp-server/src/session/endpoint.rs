//! What every transport's session shares: requests in flight with their scopes,
//! server-to-client requests awaiting replies, notifications from the client, and the
//! forwarding of server events. A transport supplies where messages go (a [`Sink`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Budget, CancelReason, Error, Peer, Scope, Session};
use fastmcp_protocol::jsonrpc::{to_raw, ErrorResponse, Notification, Request, Response};
use fastmcp_protocol::{
    error_code, CancelledNotificationParams, Era, ErrorObject, Message, RequestId,
};
use serde_json::value::RawValue;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::call::{Call, Caller};
use crate::changes::ServerEvent;
use crate::lock::lock;
use crate::meta::prepare;
use crate::service::{McpRequest, Pipeline};

type Reply = Result<Box<RawValue>, ErrorObject>;

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

/// One handshake-era session (or the container of stateless requests on a connection).
pub(crate) struct Endpoint {
    pub(crate) pipeline: Arc<Pipeline>,
    pub(crate) session: Arc<Session>,
    /// Cancelled when the endpoint ends ([`Endpoint::token`]); made on first use.
    token: std::sync::OnceLock<CancellationToken>,
    /// Why every request was cancelled ([`Endpoint::cancel_all`]): a request admitted
    /// after that starts cancelled.
    ended: std::sync::OnceLock<CancelReason>,
    inflight: Mutex<HashMap<RequestId, Arc<Scope>>>,
    pending: Mutex<HashMap<RequestId, oneshot::Sender<Reply>>>,
    next_id: AtomicI64,
    /// What this endpoint's request ids start with (`{replica}:`) when replicas share
    /// sessions: the client's answer names the replica that asked. Numbers otherwise.
    id_prefix: std::sync::OnceLock<String>,
    /// Whether requests are still run in place on their first poll (see `on_frame`).
    pub(crate) inline: AtomicBool,
    /// An endpoint made for one request (a Streamable HTTP request with no session): no
    /// other message can reach it, so its request is not entered in `inflight` (nothing
    /// could cancel it by id, or come with the same id).
    single: bool,
    /// Who the connection's requests come from (WebSocket, legacy SSE: the request that
    /// opened it); a Streamable HTTP request brings its own ([`Endpoint::run_as`]).
    caller: std::sync::OnceLock<Caller>,
    /// The peer of the requests whose messages go to the connection's own sink
    /// ([`Endpoint::set_sink`]): one for all of them, not one per request.
    conn_peer: OnceLock<Arc<EndpointPeer>>,
}

pub(crate) fn encode(m: &Message) -> Bytes {
    Bytes::from(m.to_vec())
}

pub(crate) fn error_message(id: Option<RequestId>, error: ErrorObject) -> Message {
    Message::Error(ErrorResponse { id, error })
}

impl Endpoint {
    pub(crate) fn new(pipeline: Arc<Pipeline>, session: Arc<Session>) -> Arc<Endpoint> {
        Self::make(pipeline, session, false)
    }

    /// An endpoint for one request, the only message that can reach it (see `single`).
    #[cfg(feature = "http")]
    pub(crate) fn for_one_request(pipeline: Arc<Pipeline>, session: Arc<Session>) -> Arc<Endpoint> {
        Self::make(pipeline, session, true)
    }

    fn make(pipeline: Arc<Pipeline>, session: Arc<Session>, single: bool) -> Arc<Endpoint> {
        let inline = pipeline.rt.config.limits.inline_first_poll;
        Arc::new(Endpoint {
            pipeline,
            session,
            token: std::sync::OnceLock::new(),
            ended: std::sync::OnceLock::new(),
            inflight: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicI64::new(1),
            id_prefix: std::sync::OnceLock::new(),
            inline: AtomicBool::new(inline),
            single,
            caller: std::sync::OnceLock::new(),
            conn_peer: OnceLock::new(),
        })
    }

    /// Register a request's scope. A request past the session's limit of requests in
    /// flight is refused with an answer (`Err(Some(..))`). A request whose id is that of a
    /// request still running gets no answer at all (`Err(None)`): an error under that id
    /// would reach the client as the running request's answer, and the running request
    /// will be answered.
    pub(crate) fn admit(&self, r: &Request) -> Result<Arc<Scope>, Option<Message>> {
        let max = self.pipeline.rt.config.limits.max_in_flight_per_session;
        if self.single && max > 0 && self.ended.get().is_none() {
            return Ok(Scope::new(Budget::unlimited()));
        }
        let mut inflight = lock(&self.inflight);
        let refused = if inflight.contains_key(&r.id) {
            tracing::warn!(
                "a request with id {} arrived while one with that id is still running: ignored",
                r.id
            );
            return Err(None);
        } else if inflight.len() >= max {
            ErrorObject::new(
                error_code::LIMIT_EXCEEDED,
                format!(
                    "Too many requests in flight: this session may run {max} at once; \
                     retry when one has finished"
                ),
            )
        } else {
            // A token of its own, not a child of the endpoint's: a child token locks its
            // parent when it is made and when it is dropped, and every request of the
            // session shares that parent. `cancel_all` cancels the scopes in flight itself.
            let scope = Scope::new(Budget::unlimited());
            if let Some(reason) = self.ended.get() {
                scope.cancel(reason.clone());
            }
            inflight.insert(r.id.clone(), scope.clone());
            return Ok(scope);
        };
        Err(Some(error_message(Some(r.id.clone()), refused)))
    }

    /// Cancelled when every request of the endpoint is ([`Endpoint::cancel_all`]).
    pub(crate) fn token(&self) -> &CancellationToken {
        self.token.get_or_init(CancellationToken::new)
    }

    /// Set the connection's sink, where most of its requests send (once; later calls are
    /// ignored): their peer is made once.
    pub(crate) fn set_sink(self: &Arc<Self>, sink: &Arc<dyn Sink>) {
        let _ = self.conn_peer.set(Arc::new(EndpointPeer {
            endpoint: Arc::downgrade(self),
            sink: sink.clone(),
        }));
    }

    /// The peer of a request whose messages go to `sink`.
    fn peer(self: &Arc<Self>, sink: Arc<dyn Sink>) -> Arc<dyn Peer> {
        match self.conn_peer.get() {
            Some(p) if std::ptr::addr_eq(Arc::as_ptr(&p.sink), Arc::as_ptr(&sink)) => p.clone(),
            _ => Arc::new(EndpointPeer {
                endpoint: Arc::downgrade(self),
                sink,
            }),
        }
    }

    /// Set who every request of this endpoint comes from (once; later calls are ignored).
    pub(crate) fn set_caller(&self, caller: Caller) {
        let _ = self.caller.set(caller);
    }

    /// Run one request to its response (`None`: the client cancelled it), as the
    /// endpoint's caller. Whatever the handler sends goes to `sink`.
    pub(crate) async fn run(
        self: &Arc<Self>,
        r: Request,
        scope: Arc<Scope>,
        sink: Arc<dyn Sink>,
    ) -> Option<Message> {
        self.run_as(r, scope, sink, self.caller()).await
    }

    /// Who the requests of this endpoint come from, unless they bring their own.
    pub(crate) fn caller(&self) -> Caller {
        self.caller.get().cloned().unwrap_or_default()
    }

    /// [`Endpoint::run`] for a request from `caller`.
    pub(crate) async fn run_as(
        self: &Arc<Self>,
        r: Request,
        scope: Arc<Scope>,
        sink: Arc<dyn Sink>,
        caller: Caller,
    ) -> Option<Message> {
        let peer = self.peer(sink);
        let id = r.id.clone();
        let result = match prepare(&self.session, r.params.as_deref()) {
            Err(e) => Err(e),
            Ok(p) => {
                let call = Call {
                    id: r.id,
                    session: p.session,
                    peer,
                    scope: scope.clone(),
                    progress_token: p.progress_token,
                    nested: false,
                    tool_failure: None,
                    caller,
                    rounds: None,
                };
                let req = McpRequest::new(r.method, r.params, call);
                self.pipeline.call(req).await
            }
        };
        if !self.single {
            lock(&self.inflight).remove(&id);
        }
        if matches!(scope.cancel_reason(), Some(CancelReason::Requested(_))) {
            return None;
        }
        Some(match result {
            Ok(result) => Message::Response(Response { id, result }),
            Err(e) => error_message(Some(id), e.to_error_object()),
        })
    }

    /// Cancel a request in flight.
    pub(crate) fn cancel(&self, id: &RequestId, reason: CancelReason) {
        let scope = lock(&self.inflight).get(id).cloned();
        if let Some(s) = scope {
            s.cancel(reason);
        }
    }

    /// Cancel every request in flight.
    pub(crate) fn cancel_all(&self, reason: CancelReason) {
        // Set before the requests in flight are read: a request admitted after that read
        // sees it and starts cancelled.
        let _ = self.ended.set(reason.clone());
        self.token().cancel();
        let scopes: Vec<_> = lock(&self.inflight).values().cloned().collect();
        for s in scopes {
            s.cancel(reason.clone());
        }
    }

    /// Send the client a `ping` through `sink` and wait for its answer; any answer, an
    /// error too, is `Ok`. `Err` when the client cannot be reached (the sink is closed or
    /// the session ended). Dropped before the answer, the ping is cancelled.
    pub(crate) async fn ping(self: &Arc<Self>, sink: Arc<dyn Sink>) -> Result<(), ()> {
        let peer = EndpointPeer {
            endpoint: Arc::downgrade(self),
            sink,
        };
        match peer.request("ping", to_raw(&serde_json::json!({}))).await {
            Ok(_) => Ok(()),
            Err(e) if e.kind() == fastmcp_core::ErrorKind::Transport => Err(()),
            Err(_) => Ok(()),
        }
    }

    /// How many requests are in flight.
    pub(crate) fn in_flight(&self) -> usize {
        lock(&self.inflight).len()
    }

    /// A client's notification: through the middleware's hooks, then acted on.
    pub(crate) fn on_notification(&self, n: Notification) {
        let Some((method, params)) = self
            .pipeline
            .notification(n.method, n.params, &self.session)
        else {
            return;
        };
        match method.as_str() {
            "notifications/cancelled" => {
                let Some(p) = params.as_deref() else { return };
                let Ok(p) = serde_json::from_str::<CancelledNotificationParams>(p.get()) else {
                    return;
                };
                if let Some(id) = p.request_id {
                    self.cancel(&id, CancelReason::Requested(p.reason));
                }
            }
            "notifications/initialized" | "notifications/roots/list_changed" => {}
            other => tracing::debug!("ignoring notification {other}"),
        }
    }

    /// Make this endpoint's request ids `{prefix}{n}` (see `id_prefix`).
    pub(crate) fn set_id_prefix(&self, prefix: Option<String>) {
        if let Some(p) = prefix {
            let _ = self.id_prefix.set(p);
        }
    }

    /// The id of the next request to the client.
    fn next_request_id(&self) -> RequestId {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        match self.id_prefix.get() {
            Some(p) => RequestId::String(format!("{p}{n}").into()),
            None => RequestId::Number(n),
        }
    }

    pub(crate) fn on_reply(&self, id: RequestId, reply: Reply) {
        if let Some(tx) = lock(&self.pending).remove(&id) {
            let _ = tx.send(reply);
        }
    }

    /// Handle a message that is not a request.
    pub(crate) fn on_other(&self, m: Message) {
        match m {
            Message::Notification(n) => self.on_notification(n),
            Message::Response(r) => self.on_reply(r.id, Ok(r.result)),
            Message::Error(e) => {
                if let Some(id) = e.id {
                    self.on_reply(id, Err(e.error));
                }
            }
            Message::Request(_) => {}
        }
    }

    /// The notification a server event becomes for this session, if any.
    pub(crate) fn event_message(&self, ev: &ServerEvent) -> Option<Message> {
        if self.session.era() != Era::Handshake || self.session.protocol_version().is_none() {
            return None;
        }
        let (method, params) = match ev {
            ServerEvent::ToolsChanged => {
                ("notifications/tools/list_changed", serde_json::json!({}))
            }
            ServerEvent::ResourcesChanged => (
                "notifications/resources/list_changed",
                serde_json::json!({}),
            ),
            ServerEvent::PromptsChanged => {
                ("notifications/prompts/list_changed", serde_json::json!({}))
            }
            ServerEvent::ResourceUpdated(uri) => {
                if !self.session.is_subscribed(uri) {
                    return None;
                }
                (
                    "notifications/resources/updated",
                    serde_json::json!({ "uri": uri }),
                )
            }
        };
        Some(Message::Notification(Notification {
            method: method.to_owned(),
            params: Some(to_raw(&params)),
        }))
    }

    /// End the session: pending server-to-client requests fail.
    pub(crate) fn close(&self) {
        lock(&self.pending).clear();
    }
}

/// The peer of one request (or of every request sending to the connection's sink): what
/// its handler sends goes to the sink; replies to server-to-client requests come back
/// through the endpoint. It does not keep the endpoint alive (the endpoint keeps the
/// connection's peer): once the session is over, asking the client fails.
struct EndpointPeer {
    endpoint: Weak<Endpoint>,
    sink: Arc<dyn Sink>,
}

/// Removes a server-to-client request from the pending map when its waiter goes away, and
/// tells the client it is cancelled if no reply came.
struct PendingGuard<'a> {
    peer: &'a EndpointPeer,
    endpoint: &'a Endpoint,
    id: RequestId,
}

impl Drop for PendingGuard<'_> {
    fn drop(&mut self) {
        if lock(&self.endpoint.pending).remove(&self.id).is_some() {
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
            method: method.to_owned(),
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
        let method = method.to_owned();
        Box::pin(async move {
            let Some(endpoint) = self.endpoint.upgrade() else {
                return Err(Error::transport("the session is over"));
            };
            let id = endpoint.next_request_id();
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
            let (tx, rx) = oneshot::channel();
            lock(&endpoint.pending).insert(id.clone(), tx);
            let _guard = PendingGuard {
                peer: self,
                endpoint: &endpoint,
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
