//! A session over a message channel (in-memory, WebSocket, legacy HTTP+SSE): reads frames,
//! runs requests concurrently, writes responses as they finish.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fastmcp_core::{CancelReason, Session};
use fastmcp_protocol::batch::BatchError;
use fastmcp_protocol::{error_code, ErrorObject, Message};
use fastmcp_transport::{Channel, FrameError};
use tokio::sync::broadcast::error::RecvError;

use super::endpoint::{error_message, Endpoint};
use super::keepalive::dead_peer;
use super::requests::{requests, Requests};
use super::sink::{encode, Sink};
use crate::call::Caller;
use crate::changes::ServerEvent;
use crate::shared::Shared;

pub(crate) async fn serve_channel(shared: Arc<Shared>, ch: Channel) {
    serve_session(shared, ch, Session::handshake(None), Caller::default()).await
}

/// Serve one session over a message channel until the channel's inbound side ends (EOF,
/// socket closed, SSE stream gone) or the server shuts down; then its requests are
/// cancelled (after the shutdown grace at shutdown) and awaited. Every message-stream
/// transport (stdio, in-memory, WebSocket, legacy HTTP+SSE) runs through here.
pub(crate) async fn serve_session(
    shared: Arc<Shared>,
    mut ch: Channel,
    session: Arc<Session>,
    caller: Caller,
) {
    let ep = Endpoint::new(shared.pipeline.clone(), session);
    ep.set_caller(caller);
    let sink: Arc<dyn Sink> = Arc::new(ch.outbound.clone());
    ep.set_sink(&sink);
    let mut events = shared.rt.changes.subscribe();
    let mut requests = requests();
    let dead = dead_peer(&ep, &sink, || true);
    tokio::pin!(dead);
    let mut gone = false;
    loop {
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => break,
            _ = &mut dead => { gone = true; break }
            frame = ch.inbound.recv() => match frame {
                None => break,
                Some(f) => {
                    if let Some(reply) = on_frame(&ep, &sink, f, &mut requests).await {
                        let _ = sink.send(encode(&reply)).await;
                    }
                }
            },
            ev = events.recv() => {
                for m in event_messages(&ep, &ev) {
                    let _ = sink.send(m).await;
                }
            }
        }
    }
    let requests = requests.tracker;
    requests.close();
    // A client that stopped answering pings reads no answers either.
    let end = Ending::of(&shared, &ep, !gone && !ch.outbound.is_closed());
    if let Some(grace) = end.grace {
        let _ = tokio::time::timeout(grace, requests.wait()).await;
    }
    ep.cancel_all(end.reason);
    requests.wait().await;
    ep.close();
}

/// How a session's requests in flight end once its input has ended (or the server shuts
/// down): at shutdown, or when the client closed its input but still reads the output (a
/// client that closed stdin and waits for answers), they get the shutdown grace to finish;
/// when nobody can read the answers any more they are cancelled at once.
pub(crate) struct Ending {
    /// How long requests may still run before they are cancelled.
    pub(crate) grace: Option<Duration>,
    /// Why they are cancelled after it.
    pub(crate) reason: CancelReason,
}

impl Ending {
    pub(crate) fn of(shared: &Shared, ep: &Endpoint, output_open: bool) -> Ending {
        let shutdown = shared.shutdown.is_cancelled();
        Ending {
            grace: (shutdown || output_open).then_some(ep.pipeline.rt.config.shutdown_grace),
            reason: if shutdown {
                CancelReason::Shutdown
            } else {
                CancelReason::SessionClosed
            },
        }
    }
}

/// The notifications a server event becomes for this session: none, one, or (when the
/// session fell behind the server's changes) one for each list or subscribed resource that
/// may have changed meanwhile.
pub(crate) fn event_messages(ep: &Endpoint, ev: &Result<ServerEvent, RecvError>) -> Vec<Bytes> {
    let messages = match ev {
        Ok(ev) => ep.event_message(ev).into_iter().collect(),
        Err(RecvError::Lagged(_)) => ep.missed_messages(),
        Err(RecvError::Closed) => vec![],
    };
    messages.iter().map(encode).collect()
}

/// Handle one inbound frame. Returns the reply to send now, if there is one: the error
/// for a bad frame, or the response of a request that finished on its first poll. A
/// request runs right here first (most never wait: they need no task of their own); one
/// that waits is spawned and sends its response to `sink` itself, as a batch does. Once a
/// first poll has run longer than [`crate::Limits::inline_poll_limit`], the connection's
/// requests are spawned at once.
pub(crate) async fn on_frame<F>(
    ep: &Arc<Endpoint>,
    sink: &Arc<dyn Sink>,
    frame: Result<Bytes, FrameError>,
    requests: &mut Requests<F>,
) -> Option<Message>
where
    F: Future<Output = Option<Message>> + Send + 'static,
{
    let bytes = match frame {
        Ok(b) => b,
        Err(FrameError::TooLarge { limit }) => {
            let e = ErrorObject::new(
                error_code::INVALID_REQUEST,
                format!("Message too large: the limit is {limit} bytes"),
            );
            return Some(error_message(None, e));
        }
        Err(FrameError::InvalidUtf8) => {
            let e = ErrorObject::new(error_code::PARSE_ERROR, "Parse error: invalid UTF-8");
            return Some(error_message(None, e));
        }
    };
    if Message::is_batch(&bytes) {
        let (ep, sink) = (ep.clone(), sink.clone());
        requests.tracker.spawn(async move {
            if let Some(reply) = batch(&ep, &sink, &bytes, None).await {
                let _ = sink.send(reply).await;
            }
        });
        return None;
    }
    match Message::parse(&bytes) {
        Err(f) => f.reply.then(|| error_message(f.id, f.error)),
        Ok(Message::Request(r)) => match ep.admit(&r) {
            Err(m) => m,
            Ok(scope) => {
                let inline = ep.inline.load(Ordering::Relaxed);
                let mut run = requests.start(ep.clone(), r, scope, sink.clone());
                if inline {
                    let start = Instant::now();
                    let polled = futures::poll!(&mut run);
                    if start.elapsed() > ep.pipeline.rt.config.limits.inline_poll_limit {
                        // A handler computes before its first await: from now on this
                        // connection's requests get tasks at once, so they run in parallel
                        // and the loop keeps reading (cancellations included).
                        ep.inline.store(false, Ordering::Relaxed);
                        tracing::debug!("a handler ran {:?} before awaiting: requests of this connection are spawned from now on", start.elapsed());
                    }
                    if let Poll::Ready(reply) = polled {
                        requests.finished(run);
                        return reply;
                    }
                }
                let sink = sink.clone();
                requests.tracker.spawn(async move {
                    if let Some(reply) = run.await {
                        let _ = sink.send_message(reply).await;
                    }
                });
                None
            }
        },
        Ok(other) => {
            ep.on_other(other);
            None
        }
    }
}

/// A JSON-RPC batch: answered as one array where the negotiated version allows it
/// (2025-03-26), refused otherwise. Returns the reply to send, if any. A batch longer than
/// [`crate::Limits::max_batch_len`] is refused whole (-32029) and none of it runs; one
/// whose answers outgrow [`crate::Limits::max_batch_response_bytes`] is answered with one
/// error (-32029) instead, and the answers are dropped as they come.
/// Its requests come from `caller` (`None`: the endpoint's).
pub(crate) async fn batch(
    ep: &Arc<Endpoint>,
    sink: &Arc<dyn Sink>,
    bytes: &[u8],
    caller: Option<Caller>,
) -> Option<Bytes> {
    let caller = caller.unwrap_or_else(|| ep.caller());
    let allowed = ep
        .session
        .protocol_version()
        .is_some_and(|v| v.allows_batches());
    let refuse =
        |code: i32, msg: String| Some(encode(&error_message(None, ErrorObject::new(code, msg))));
    let limits = &ep.pipeline.rt.config.limits;
    let items = match fastmcp_protocol::batch::batch_items(bytes, limits.max_batch_len) {
        Ok(items) => items,
        Err(e @ BatchError::Parse(_)) => return refuse(error_code::PARSE_ERROR, e.to_string()),
        Err(e @ BatchError::TooLong { .. }) => {
            return if allowed {
                refuse(error_code::LIMIT_EXCEEDED, e.to_string())
            } else {
                refuse(
                    error_code::INVALID_REQUEST,
                    "Batch requests are not supported".into(),
                )
            };
        }
    };
    if !allowed || items.is_empty() {
        let msg = if allowed {
            "Empty batch"
        } else {
            "Batch requests are not supported"
        };
        return refuse(error_code::INVALID_REQUEST, msg.into());
    }
    let mut futs = futures::stream::FuturesOrdered::new();
    let mut replies = Answers::new(limits.max_batch_response_bytes);
    for item in items {
        match Message::parse(item.get().as_bytes()) {
            Err(f) if f.reply => replies.push(&error_message(f.id, f.error)),
            Err(_) => {}
            Ok(Message::Request(r)) => match ep.admit(&r) {
                Ok(scope) => {
                    futs.push_back(ep.clone().run_as(r, scope, sink.clone(), caller.clone()))
                }
                Err(Some(m)) => replies.push(&m),
                Err(None) => {}
            },
            Ok(other) => ep.on_other(other),
        }
    }
    while let Some(m) = futures::StreamExt::next(&mut futs).await {
        if let Some(m) = m {
            replies.push(&m);
        }
    }
    replies.finish()
}

/// The answers of a batch, encoded as they come, up to a byte limit.
struct Answers {
    body: Vec<u8>,
    limit: usize,
    over: bool,
}

impl Answers {
    fn new(limit: usize) -> Self {
        Answers {
            body: vec![b'['],
            limit,
            over: false,
        }
    }

    fn push(&mut self, m: &Message) {
        if self.over {
            return;
        }
        let b = encode(m);
        if self.body.len() + b.len() + 1 > self.limit {
            self.over = true;
            self.body = Vec::new();
            return;
        }
        if self.body.len() > 1 {
            self.body.push(b',');
        }
        self.body.extend_from_slice(&b);
    }

    fn finish(mut self) -> Option<Bytes> {
        if self.over {
            let msg = format!(
                "Batch response larger than {} bytes: send fewer requests per batch",
                self.limit
            );
            let e = ErrorObject::new(error_code::LIMIT_EXCEEDED, msg);
            return Some(encode(&error_message(None, e)));
        }
        if self.body.len() == 1 {
            return None;
        }
        self.body.push(b']');
        Some(Bytes::from(self.body))
    }
}
