//! What every transport's session shares: requests in flight with their scopes,
//! server-to-client requests awaiting replies, notifications from the client, and the
//! forwarding of server events. A transport supplies where messages go (a [`Sink`]).

use std::collections::hash_map::{Entry, HashMap};
use std::future::Future;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use fastmcp_core::{Budget, CancelReason, Peer, Scope, Session};
use fastmcp_protocol::jsonrpc::{to_raw, ErrorResponse, Notification, Request, Response};
use fastmcp_protocol::{
    error_code, CancelledNotificationParams, Era, ErrorObject, Message, RequestId,
};
use tokio_util::sync::CancellationToken;

use crate::call::{Call, Caller};
use crate::changes::ServerEvent;
use crate::lock::lock;
use crate::meta::prepare;
use crate::service::Pipeline;

use super::peer::{Asked, Asks, EndpointPeer, Reply};
use super::sink::Sink;

/// One handshake-era session (or the container of stateless requests on a connection).
pub(crate) struct Endpoint {
    pub(crate) pipeline: Arc<Pipeline>,
    pub(crate) session: Arc<Session>,
    /// Cancelled when the endpoint ends ([`Endpoint::token`]); made on first use.
    token: std::sync::OnceLock<CancellationToken>,
    /// Why every request was cancelled ([`Endpoint::cancel_all`]): a request admitted
    /// after that starts cancelled.
    ended: std::sync::OnceLock<CancelReason>,
    /// Looked up twice per request (admitted, ended): hashed with foldhash. Its keys come
    /// from the client, and it holds at most `max_in_flight_per_session` of them.
    inflight: Mutex<HashMap<RequestId, Arc<Scope>, foldhash::fast::RandomState>>,
    /// The requests sent to the client that wait for its reply: made when the first is
    /// sent (most sessions never ask their client anything).
    asked: OnceLock<Arc<Asked>>,
    /// Whether requests are still run in place on their first poll (see `on_frame`).
    pub(crate) inline: AtomicBool,
    serves: Serves,
    /// Who the connection's requests come from (WebSocket, legacy SSE: the request that
    /// opened it); a Streamable HTTP request brings its own ([`Endpoint::run_as`]).
    caller: std::sync::OnceLock<Caller>,
    /// The peer of the requests whose messages go to the connection's own sink
    /// ([`Endpoint::set_sink`]): one for all of them, not one per request.
    conn_peer: OnceLock<Arc<EndpointPeer>>,
}

/// What an endpoint serves, which decides how it keeps its requests in flight.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Serves {
    /// A connection (stdio, WebSocket, legacy SSE): one per connection, its table of
    /// requests in flight kept from one request to the next.
    Connection,
    /// An HTTP session: a server may hold many idle ones, so the table is given back
    /// whenever it empties.
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    HttpSession,
    /// One request (a Streamable HTTP request with no session): no other message can reach
    /// it, so its request is not entered in `inflight` (nothing could cancel it by id, or
    /// come with the same id).
    #[cfg_attr(not(feature = "http"), allow(dead_code))]
    OneRequest,
}

impl Asks for Endpoint {
    fn asked(&self) -> &Arc<Asked> {
        self.asked.get_or_init(|| Arc::new(Asked::new()))
    }
}

pub(crate) fn error_message(id: Option<RequestId>, error: ErrorObject) -> Message {
    Message::Error(ErrorResponse { id, error })
}

impl Endpoint {
    pub(crate) fn new(pipeline: Arc<Pipeline>, session: Arc<Session>) -> Arc<Endpoint> {
        Self::make(pipeline, session, Serves::Connection)
    }

    /// The endpoint of an HTTP session (see [`Serves::HttpSession`]).
    #[cfg(feature = "http")]
    pub(crate) fn for_session(pipeline: Arc<Pipeline>, session: Arc<Session>) -> Arc<Endpoint> {
        Self::make(pipeline, session, Serves::HttpSession)
    }

    /// An endpoint for one request, the only message that can reach it (see
    /// [`Serves::OneRequest`]).
    #[cfg(feature = "http")]
    pub(crate) fn for_one_request(pipeline: Arc<Pipeline>, session: Arc<Session>) -> Arc<Endpoint> {
        Self::make(pipeline, session, Serves::OneRequest)
    }

    fn make(pipeline: Arc<Pipeline>, session: Arc<Session>, serves: Serves) -> Arc<Endpoint> {
        let inline = pipeline.rt.config.limits.inline_first_poll;
        Arc::new(Endpoint {
            pipeline,
            session,
            token: std::sync::OnceLock::new(),
            ended: std::sync::OnceLock::new(),
            inflight: Mutex::new(HashMap::default()),
            asked: OnceLock::new(),
            inline: AtomicBool::new(inline),
            serves,
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
        if self.serves == Serves::OneRequest && max > 0 && self.ended.get().is_none() {
            return Ok(Scope::new(Budget::unlimited()));
        }
        let mut inflight = lock(&self.inflight);
        let running = inflight.len();
        let place = match inflight.entry(r.id.clone()) {
            Entry::Occupied(_) => {
                tracing::warn!(
                    "a request with id {} arrived while one with that id is still running: ignored",
                    r.id
                );
                return Err(None);
            }
            Entry::Vacant(place) => place,
        };
        if running >= max {
            let refused = ErrorObject::new(
                error_code::LIMIT_EXCEEDED,
                format!(
                    "Too many requests in flight: this session may run {max} at once; \
                     retry when one has finished"
                ),
            );
            return Err(Some(error_message(Some(r.id.clone()), refused)));
        }
        // A token of its own, not a child of the endpoint's: a child token locks its parent
        // when it is made and when it is dropped, and every request of the session shares
        // that parent. `cancel_all` cancels the scopes in flight itself.
        let scope = Scope::new(Budget::unlimited());
        if let Some(reason) = self.ended.get() {
            scope.cancel(reason.clone());
        }
        place.insert(scope.clone());
        Ok(scope)
    }

    /// Cancelled when every request of the endpoint is ([`Endpoint::cancel_all`]).
    pub(crate) fn token(&self) -> &CancellationToken {
        self.token.get_or_init(CancellationToken::new)
    }

    /// Set the connection's sink, where most of its requests send (once; later calls are
    /// ignored): their peer is made once.
    pub(crate) fn set_sink(self: &Arc<Self>, sink: &Arc<dyn Sink>) {
        let _ = self
            .conn_peer
            .set(Arc::new(EndpointPeer::new(self.weak(), sink.clone())));
    }

    /// The peer of a request whose messages go to `sink`.
    fn peer(self: &Arc<Self>, sink: Arc<dyn Sink>) -> Arc<dyn Peer> {
        match self.conn_peer.get() {
            Some(p) if p.sends_to(&sink) => p.clone(),
            _ => Arc::new(EndpointPeer::new(self.weak(), sink)),
        }
    }

    /// Set who every request of this endpoint comes from (once; later calls are ignored).
    pub(crate) fn set_caller(&self, caller: Caller) {
        let _ = self.caller.set(caller);
    }

    /// Run one request to its response (`None`: the client cancelled it), as the
    /// endpoint's caller. Whatever the handler sends goes to `sink`. The future is
    /// [`Endpoint::run_as`]'s itself (a request's future is some KB, and each layer of
    /// `async fn` around it is one more copy of it per request).
    pub(crate) fn run(
        self: Arc<Self>,
        r: Request,
        scope: Arc<Scope>,
        sink: Arc<dyn Sink>,
    ) -> impl Future<Output = Option<Message>> + Send + 'static {
        let caller = self.caller();
        self.run_as(r, scope, sink, caller)
    }

    /// Who the requests of this endpoint come from, unless they bring their own.
    pub(crate) fn caller(&self) -> Caller {
        self.caller.get().cloned().unwrap_or_default()
    }

    /// [`Endpoint::run`] for a request from `caller`. Its body an `async` block, as
    /// [`Pipeline::call`]'s is (an `async fn` keeps the request twice).
    #[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
    pub(crate) fn run_as(
        self: Arc<Self>,
        r: Request,
        scope: Arc<Scope>,
        sink: Arc<dyn Sink>,
        caller: Caller,
    ) -> impl Future<Output = Option<Message>> + Send + 'static {
        async move {
            let peer = self.peer(sink);
            let id = r.id.clone();
            // Leaves `inflight` when the request ends, or when its future is dropped before
            // (the POST of an HTTP batch whose client went away).
            let running = Running { ep: &self, id: &id };
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
                    self.pipeline.call(r.method, r.params, call).await
                }
            };
            drop(running);
            if matches!(scope.cancel_reason(), Some(CancelReason::Requested(_))) {
                return None;
            }
            Some(match result {
                Ok(result) => Message::Response(Response { id, result }),
                Err(e) => error_message(Some(id), e.to_error_object()),
            })
        }
    }

    /// Take request `id` out of `inflight` (it has ended).
    fn leave(&self, id: &RequestId) {
        if self.serves == Serves::OneRequest {
            return;
        }
        let mut inflight = lock(&self.inflight);
        inflight.remove(id);
        if self.serves == Serves::HttpSession && inflight.is_empty() {
            // An idle session holds no table (a burst of requests would otherwise leave
            // it the size of the burst).
            inflight.shrink_to_fit();
        }
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
        let peer = EndpointPeer::new(self.weak(), sink);
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
        match &*method {
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

    /// Make this endpoint's request ids `{prefix}{n}` (see [`Asked::set_id_prefix`]).
    pub(crate) fn set_id_prefix(&self, prefix: Option<String>) {
        if let Some(p) = prefix {
            self.asked().set_id_prefix(p);
        }
    }

    pub(crate) fn on_reply(&self, id: RequestId, reply: Reply) {
        if let Some(a) = self.asked.get() {
            a.reply(id, reply)
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
            method: method.into(),
            params: Some(to_raw(&params)),
        }))
    }

    /// The notifications that stand for the events this session skipped when it fell
    /// behind the server's changes (see [`crate::changes::missed`]).
    pub(crate) fn missed_messages(&self) -> Vec<Message> {
        let subscribed = self.session.subscriptions();
        self.pipeline
            .rt
            .missed(subscribed)
            .iter()
            .filter_map(|ev| self.event_message(ev))
            .collect()
    }

    /// End the session: pending server-to-client requests fail.
    pub(crate) fn close(&self) {
        if let Some(a) = self.asked.get() {
            a.clear();
        }
    }

    /// What this endpoint's peers ask the client through.
    fn weak(self: &Arc<Self>) -> Weak<dyn Asks> {
        Arc::downgrade(self) as Weak<dyn Asks>
    }
}

/// A request's place in its endpoint's `inflight`, given back when dropped: when the
/// request ends, or when its future is dropped before.
struct Running<'a> {
    ep: &'a Endpoint,
    id: &'a RequestId,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.ep.leave(self.id);
    }
}
