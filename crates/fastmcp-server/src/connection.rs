//! A message-stream connection (stdio, in-memory): reads frames, runs requests
//! concurrently, writes responses as they finish.

use std::sync::Arc;

use bytes::Bytes;
use fastmcp_core::{CancelReason, Session};
use fastmcp_protocol::{error_code, ErrorObject, Message};
use fastmcp_transport::{Channel, FrameError};
use serde_json::value::RawValue;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::task::TaskTracker;

use crate::endpoint::{encode, error_message, Endpoint, Sink};
use crate::server::Shared;

pub(crate) async fn serve(shared: Arc<Shared>, ch: Channel) {
    serve_session(shared, ch, Session::handshake(None)).await
}

/// Serve one session over a message channel until the channel's inbound side ends (EOF,
/// socket closed, SSE stream gone) or the server shuts down; then its requests are
/// cancelled (after the shutdown grace at shutdown) and awaited. Every message-stream
/// transport (stdio, in-memory, WebSocket, legacy HTTP+SSE) runs through here.
pub(crate) async fn serve_session(shared: Arc<Shared>, mut ch: Channel, session: Arc<Session>) {
    let ep = Endpoint::new(shared.router.clone(), session);
    let sink: Arc<dyn Sink> = Arc::new(ch.outbound.clone());
    let mut events = shared.registry.events.subscribe();
    let requests = TaskTracker::new();
    loop {
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => break,
            frame = ch.inbound.recv() => match frame {
                None => break,
                Some(f) => on_frame(&ep, &sink, f, &requests).await,
            },
            ev = events.recv() => match ev {
                Ok(ev) => {
                    if let Some(m) = ep.event_message(&ev) {
                        let _ = sink.send(encode(&m)).await;
                    }
                }
                Err(RecvError::Lagged(_) | RecvError::Closed) => {}
            },
        }
    }
    requests.close();
    // Server shutdown, or the end of input with the output still open (a client that
    // closed stdin and waits for answers): requests in flight get the shutdown grace to
    // finish. When nobody can read the answers any more they are cancelled at once.
    let shutdown = shared.shutdown.is_cancelled();
    if shutdown || !ch.outbound.is_closed() {
        let grace = ep.router.config.shutdown_grace;
        let _ = tokio::time::timeout(grace, requests.wait()).await;
    }
    let reason = if shutdown {
        CancelReason::Shutdown
    } else {
        CancelReason::SessionClosed
    };
    ep.cancel_all(reason);
    requests.wait().await;
    ep.close();
}

async fn on_frame(
    ep: &Arc<Endpoint>,
    sink: &Arc<dyn Sink>,
    frame: Result<Bytes, FrameError>,
    requests: &TaskTracker,
) {
    let bytes = match frame {
        Ok(b) => b,
        Err(FrameError::TooLarge { limit }) => {
            let e = ErrorObject::new(
                error_code::INVALID_REQUEST,
                format!("Message too large: the limit is {limit} bytes"),
            );
            let _ = sink.send(encode(&error_message(None, e))).await;
            return;
        }
        Err(FrameError::InvalidUtf8) => {
            let e = ErrorObject::new(error_code::PARSE_ERROR, "Parse error: invalid UTF-8");
            let _ = sink.send(encode(&error_message(None, e))).await;
            return;
        }
    };
    if Message::is_batch(&bytes) {
        let (ep, sink) = (ep.clone(), sink.clone());
        requests.spawn(async move {
            if let Some(reply) = batch(&ep, &sink, &bytes).await {
                let _ = sink.send(reply).await;
            }
        });
        return;
    }
    match Message::parse(&bytes) {
        Err(f) => {
            if f.reply {
                let _ = sink.send(encode(&error_message(f.id, f.error))).await;
            }
        }
        Ok(Message::Request(r)) => match ep.admit(&r) {
            Err(m) => {
                let _ = sink.send(encode(&m)).await;
            }
            Ok(scope) => {
                let (ep, sink) = (ep.clone(), sink.clone());
                requests.spawn(async move {
                    if let Some(m) = ep.run(r, scope, sink.clone()).await {
                        let _ = sink.send(encode(&m)).await;
                    }
                });
            }
        },
        Ok(other) => ep.on_other(other),
    }
}

/// A JSON-RPC batch: answered as one array where the negotiated version allows it
/// (2025-03-26), refused otherwise. Returns the reply to send, if any.
pub(crate) async fn batch(ep: &Arc<Endpoint>, sink: &Arc<dyn Sink>, bytes: &[u8]) -> Option<Bytes> {
    let allowed = ep
        .session
        .protocol_version()
        .is_some_and(|v| v.allows_batches());
    let items: Vec<Box<RawValue>> = match serde_json::from_slice(bytes) {
        Ok(items) => items,
        Err(e) => {
            let e = ErrorObject::new(error_code::PARSE_ERROR, format!("Parse error: {e}"));
            return Some(encode(&error_message(None, e)));
        }
    };
    if !allowed || items.is_empty() {
        let msg = if allowed {
            "Empty batch"
        } else {
            "Batch requests are not supported"
        };
        let e = ErrorObject::new(error_code::INVALID_REQUEST, msg);
        return Some(encode(&error_message(None, e)));
    }
    let mut futs = vec![];
    let mut replies = vec![];
    for item in items {
        match Message::parse(item.get().as_bytes()) {
            Err(f) if f.reply => replies.push(error_message(f.id, f.error)),
            Err(_) => {}
            Ok(Message::Request(r)) => match ep.admit(&r) {
                Ok(scope) => futs.push(ep.run(r, scope, sink.clone())),
                Err(m) => replies.push(m),
            },
            Ok(other) => ep.on_other(other),
        }
    }
    replies.extend(futures::future::join_all(futs).await.into_iter().flatten());
    if replies.is_empty() {
        return None;
    }
    Some(Bytes::from(
        serde_json::to_string(&replies).expect("messages serialize"),
    ))
}
