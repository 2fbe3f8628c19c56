//! Streams of shared sessions resumed on another replica than the one that writes them
//! (a `GET` with `Last-Event-ID` sent by a round-robin load balancer anywhere): the events
//! after the client's last one are replayed from the shared event store, then followed
//! live until the stream is complete. When the writing replica has stopped (it no longer
//! says it is alive), the client gets what was written, then a JSON-RPC error for its
//! request: it will never be answered otherwise.

use std::sync::Arc;
use std::time::Duration;

use axum::response::Response;
use bytes::Bytes;
use fastmcp_protocol::{error_code, ErrorObject, RequestId};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::events::{EventStore, LiveEvent, SseItem, SseReceiver, QUEUE};
use super::reply::{sse_events, sse_response};
use super::session_store::SessionStore;
use super::HttpState;
use crate::session::{encode, error_message};

/// How often replicas say they are alive, and how long that holds.
pub(crate) const BEAT: Duration = Duration::from_secs(1);
pub(crate) const BEAT_TTL: Duration = Duration::from_secs(3);

/// What the event store keeps about a request's stream.
#[derive(Serialize, Deserialize)]
struct About {
    replica: String,
    request: RequestId,
}

/// Note which replica writes `stream`, for request `id` (shared sessions only).
pub(crate) fn describe(st: &HttpState, stream: &str, id: &RequestId) {
    let (Some(_), Some(events)) = (&st.opts.session_store, st.opts.event_store.clone()) else {
        return;
    };
    let about = About {
        replica: st.replica.to_string(),
        request: id.clone(),
    };
    let Ok(note) = serde_json::to_vec(&about) else {
        return;
    };
    let stream = stream.to_owned();
    st.shared.connections.spawn(async move {
        events.describe(&stream, Bytes::from(note)).await;
    });
}

/// The response to a `GET` resuming `stream` after event `after`, when another replica
/// writes that stream; `None` when it is not known to be one.
pub(crate) async fn resume_elsewhere(st: &HttpState, stream: &str, after: u64) -> Option<Response> {
    let sessions = st.opts.session_store.clone()?;
    let events = st.opts.event_store.clone()?;
    let about: About = serde_json::from_slice(&events.description(stream).await?).ok()?;
    if about.replica == *st.replica {
        return None;
    }
    let live = events.follow(stream).await?;
    let (tx, rx) = mpsc::channel(QUEUE);
    let relay = Relay {
        events,
        sessions,
        stream: stream.to_owned(),
        last: after,
        tx,
    };
    let shutdown = st.shared.shutdown.clone();
    st.shared
        .connections
        .spawn(relay.run(about, live, shutdown));
    let body = sse_events(
        SseReceiver::from_channel(rx),
        st.shared.shutdown.clone(),
        None,
        st.opts.retry,
    );
    Some(sse_response(body, &st.opts))
}

struct Relay {
    events: Arc<dyn EventStore>,
    sessions: Arc<dyn SessionStore>,
    stream: String,
    last: u64,
    tx: mpsc::Sender<SseItem>,
}

impl Relay {
    async fn run(
        mut self,
        about: About,
        mut live: mpsc::Receiver<LiveEvent>,
        shutdown: tokio_util::sync::CancellationToken,
    ) {
        if !self.catch_up().await {
            return;
        }
        if self.events.finished(&self.stream).await {
            // It may have finished after the first look: what came since, then the end.
            self.catch_up().await;
            return self.end().await;
        }
        let mut check = tokio::time::interval(BEAT);
        let mut silent = 0;
        loop {
            tokio::select! {
                _ = self.tx.closed() => return,
                // The client resumes again, elsewhere.
                _ = shutdown.cancelled() => return,
                ev = live.recv() => match ev {
                    Some(LiveEvent::Event(seq, data)) if seq == self.last + 1 => {
                        if !self.send(seq, data).await {
                            return;
                        }
                    }
                    // A gap (events written before the subscription took): from the store.
                    Some(LiveEvent::Event(seq, _)) if seq > self.last => {
                        if !self.catch_up().await {
                            return;
                        }
                    }
                    Some(LiveEvent::Event(..)) => {}
                    Some(LiveEvent::Finished) | None => {
                        self.catch_up().await;
                        return self.end().await;
                    }
                },
                _ = check.tick() => {
                    let alive = self.sessions.alive(&about.replica).await.unwrap_or(true);
                    silent = if alive { 0 } else { silent + 1 };
                    if silent >= 2 {
                        return self.writer_stopped(about.request).await;
                    }
                }
            }
        }
    }

    /// Send the stored events after the last one sent; whether the client still reads.
    async fn catch_up(&mut self) -> bool {
        for (seq, data) in self.events.after(&self.stream, self.last).await {
            if seq > self.last && !self.send(seq, data).await {
                return false;
            }
        }
        true
    }

    async fn send(&mut self, seq: u64, data: Bytes) -> bool {
        self.last = seq;
        let id = format!("{}_{seq}", self.stream);
        self.tx.send(SseItem::Event(Some(id), data)).await.is_ok()
    }

    async fn end(&self) {
        let _ = self.tx.send(SseItem::End).await;
    }

    /// The replica writing the stream stopped: what it wrote, then an error for the
    /// request (unless it was answered just before).
    async fn writer_stopped(mut self, request: RequestId) {
        if !self.catch_up().await {
            return;
        }
        if !self.events.finished(&self.stream).await {
            let error = ErrorObject::new(
                error_code::INTERNAL_ERROR,
                "The server replica that ran this request stopped before it answered; \
                 send the request again",
            );
            let m = encode(&error_message(Some(request), error));
            let _ = self.tx.send(SseItem::Event(None, m)).await;
        }
        self.end().await;
    }
}
