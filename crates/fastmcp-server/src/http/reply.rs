//! Answering one HTTP request: a single JSON body when the handler's result is the first
//! thing it produces, otherwise an SSE stream of its notifications (and, in the handshake
//! era, server-to-client requests) ending with the result.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use fastmcp_core::{BoxFuture, CancelReason, Scope};
use fastmcp_protocol::RequestId;
use futures::stream::{self, Stream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::auth::StepUp;
use super::events::{SseItem, SseReceiver, SseStream};
use super::guard::json_bytes;
use super::options::HttpOptions;
use super::sessions::HttpSession;
use super::HttpState;
use crate::lock::lock;
use crate::session::Sink;

/// What a request's runner produces.
pub(crate) enum Out {
    /// A notification or server-to-client request.
    Event(Bytes),
    /// The response.
    Final(Bytes),
}

/// The sink of one request's handler. Its channel is made by the first message sent, or
/// when the request is to be answered as it runs: most requests are answered with their
/// result alone, on their first poll, and need none.
pub(crate) struct ReqSink {
    tx: OnceLock<mpsc::Sender<Out>>,
    rx: Mutex<Option<mpsc::Receiver<Out>>>,
    /// The request was answered without the channel: what is sent from then on has no way
    /// to the client and fails (a task's elicitation then goes another way).
    closed: AtomicBool,
    /// The answer is one JSON body: nothing but the result reaches the client.
    json_only: bool,
}

impl ReqSink {
    pub(crate) fn new(json_only: bool) -> ReqSink {
        ReqSink {
            tx: OnceLock::new(),
            rx: Mutex::new(None),
            closed: AtomicBool::new(false),
            json_only,
        }
    }

    /// The channel's sender, made now if it was not; `None` once closed.
    fn sender(&self) -> Option<&mpsc::Sender<Out>> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        Some(self.tx.get_or_init(|| {
            let (tx, rx) = mpsc::channel(64);
            *lock(&self.rx) = Some(rx);
            tx
        }))
    }

    /// Whether the handler sent anything.
    pub(crate) fn is_used(&self) -> bool {
        self.tx.get().is_some()
    }

    /// The request was answered with its result alone: nothing sent from now on reaches
    /// the client, and sending fails.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// The channel's ends, to answer the request as it runs: a sender for the result and
    /// the receiver (taken once; a second call, or one after `close`, gets a channel that
    /// answers nothing). The channel closes when the sink and the sender are dropped.
    pub(crate) fn channel(&self) -> (mpsc::Sender<Out>, mpsc::Receiver<Out>) {
        let tx = self.sender().cloned();
        match (tx, lock(&self.rx).take()) {
            (Some(tx), Some(rx)) => (tx, rx),
            _ => mpsc::channel(1),
        }
    }
}

impl Sink for ReqSink {
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move {
            match self.sender() {
                Some(tx) => tx.send(Out::Event(msg)).await.map_err(|_| ()),
                None => Err(()),
            }
        })
    }

    fn try_send(&self, msg: Bytes) {
        if let Some(tx) = self.sender() {
            let _ = tx.try_send(Out::Event(msg));
        }
    }

    fn takes_requests(&self) -> bool {
        !self.json_only
    }
}

/// Cancels a request when its response goes away before it finished (2026-07-28: a closed
/// response stream is the cancellation).
pub(crate) struct CancelOnDrop(pub(crate) Option<Arc<Scope>>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.cancel(CancelReason::Requested(Some(
                "response stream closed".into(),
            )));
        }
    }
}

/// How to answer.
pub(crate) struct Plan {
    /// Never SSE.
    pub(crate) json_only: bool,
    /// The stream to write events to (decides resumability), made when needed.
    pub(crate) stream: StreamOf,
    /// Send a priming event (2025-11-25).
    pub(crate) prime: bool,
    /// Cancel the request if the response is dropped before it ends (2026-07-28).
    pub(crate) cancel_on_drop: bool,
    /// The HTTP status of a JSON answer, from its bytes.
    pub(crate) status: fn(&[u8]) -> StatusCode,
    /// Extra headers.
    pub(crate) headers: Vec<(header::HeaderName, HeaderValue)>,
    /// The endpoint's state: the end of its shutdown grace ends the stream early; the
    /// task that writes an SSE answer is spawned among the server's transports and
    /// tracked again among the endpoint's requests (which shutdown lets finish).
    pub(crate) st: HttpState,
    /// Turns a JSON answer "insufficient scope" into a 403 step-up challenge.
    pub(crate) step_up: Option<StepUp>,
}

/// Where the SSE stream of an answer comes from, when it gets one (most answers are JSON).
pub(crate) enum StreamOf {
    /// A request with no session: a stream that cannot be resumed.
    Unresumable,
    /// Request `id` of session `s`: its stream is kept for `Last-Event-ID`, and described
    /// by the function given (for the other replicas, when they share sessions).
    Session(Arc<HttpSession>, RequestId, Describe),
}

/// Notes which replica writes a stream (named by its id) for a request.
pub(crate) type Describe = fn(&HttpState, &str, &RequestId);

impl StreamOf {
    fn make(self, st: &HttpState) -> Arc<SseStream> {
        match self {
            StreamOf::Unresumable => SseStream::new(String::new(), None, None),
            StreamOf::Session(s, id, describe) => {
                let stream = s.new_stream(st.opts.event_store.clone(), None);
                describe(st, &stream.id, &id);
                stream
            }
        }
    }
}

fn with_headers(mut r: Response, headers: Vec<(header::HeaderName, HeaderValue)>) -> Response {
    for (k, v) in headers {
        r.headers_mut().insert(k, v);
    }
    r
}

pub(crate) async fn respond(
    mut rx: mpsc::Receiver<Out>,
    plan: Plan,
    mut cancel: CancelOnDrop,
    opts: &HttpOptions,
) -> Response {
    // Wait for the handler's first output: its result alone makes a JSON answer. A
    // handler that stays silent past the keep-alive interval gets an SSE stream anyway,
    // so that clients and proxies see bytes (a priming event, then keep-alives).
    let first = loop {
        let next = if plan.json_only || opts.keep_alive.is_zero() {
            rx.recv().await
        } else {
            match tokio::time::timeout(opts.keep_alive, rx.recv()).await {
                Ok(o) => o,
                Err(_) => break None,
            }
        };
        match next {
            None => {
                // Cancelled: no response is owed; end with an empty stream.
                cancel.0 = None;
                return with_headers(sse_response(stream::empty(), opts), plan.headers);
            }
            Some(Out::Event(_)) if plan.json_only => continue,
            Some(Out::Final(b)) => return json_answer(plan, cancel, b),
            Some(Out::Event(b)) => break Some(b),
        }
    };
    let sse = plan.stream.make(&plan.st);
    let body = sse.attach(None).await;
    if plan.prime && sse.resumable() {
        // The priming event: an id and no data, so the client can resume from the start.
        sse.emit(Bytes::new()).await;
    }
    let pump = sse.clone();
    let st = &plan.st;
    st.shared
        .connections
        .spawn(st.requests.track_future(async move {
            if let Some(first) = first {
                pump.emit(first).await;
            }
            while let Some(o) = rx.recv().await {
                match o {
                    Out::Event(b) => pump.emit(b).await,
                    Out::Final(b) => {
                        pump.emit(b).await;
                        break;
                    }
                }
            }
            pump.finish().await;
        }));
    let events = sse_events(body, st.drained.clone(), Some(cancel), opts.retry);
    with_headers(sse_response(events, opts), plan.headers)
}

/// The request's response as one JSON body (its run is over: the guard is disarmed).
pub(crate) fn json_answer(plan: Plan, mut cancel: CancelOnDrop, b: Bytes) -> Response {
    cancel.0 = None;
    if let Some(refusal) = plan.step_up.as_ref().and_then(|s| s.refusal(&b)) {
        return with_headers(refusal, plan.headers);
    }
    with_headers(json_bytes((plan.status)(&b), b), plan.headers)
}

/// The SSE events of an attached stream; ends at the stream's end or at shutdown. When
/// the stream ends normally the cancel guard is disarmed.
pub(crate) fn sse_events(
    rx: SseReceiver,
    shutdown: CancellationToken,
    cancel: Option<CancelOnDrop>,
    retry: Option<std::time::Duration>,
) -> impl Stream<Item = Result<Event, Infallible>> + Send {
    stream::unfold(
        (rx, shutdown, cancel, retry),
        |(mut rx, shutdown, mut cancel, retry)| async move {
            let item = tokio::select! {
                i = rx.recv() => i,
                _ = shutdown.cancelled() => None,
            };
            match item {
                Some(SseItem::Event(id, data)) => {
                    let mut e = Event::default().data(String::from_utf8_lossy(&data));
                    if let Some(id) = id {
                        e = e.id(id);
                    }
                    if data.is_empty() {
                        if let Some(r) = retry {
                            e = e.retry(r);
                        }
                    }
                    Some((Ok(e), (rx, shutdown, cancel, retry)))
                }
                Some(SseItem::End) | None => {
                    if let Some(c) = cancel.as_mut() {
                        c.0 = None;
                    }
                    None
                }
            }
        },
    )
}

pub(crate) fn sse_response<S>(events: S, opts: &HttpOptions) -> Response
where
    S: Stream<Item = Result<Event, Infallible>> + Send + 'static,
{
    let mut r = if opts.keep_alive.is_zero() {
        Sse::new(events).into_response()
    } else {
        Sse::new(events)
            .keep_alive(KeepAlive::new().interval(opts.keep_alive))
            .into_response()
    };
    r.headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
