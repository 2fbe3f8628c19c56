//! Resumable SSE streams: every event gets an id `<stream>_<seq>`, is kept in an
//! [`EventStore`], and a client that reconnects with `Last-Event-ID` gets exactly the
//! events it missed on that stream, then the live ones.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::lock::lock;
use bytes::Bytes;
use fastmcp_core::BoxFuture;
use indexmap::IndexMap;
use tokio::sync::mpsc;

/// Keeps the events of SSE streams for replay.
pub trait EventStore: Send + Sync + 'static {
    /// Keep event `seq` of `stream`.
    fn append(&self, stream: &str, seq: u64, data: Bytes) -> BoxFuture<'_, ()>;
    /// The events of `stream` after `seq`, in order.
    fn after(&self, stream: &str, seq: u64) -> BoxFuture<'_, Vec<(u64, Bytes)>>;
    /// Forget a stream.
    fn remove(&self, stream: &str) -> BoxFuture<'_, ()>;
}

type Events = VecDeque<(u64, Bytes)>;

/// An in-memory [`EventStore`] that keeps the last `per_stream` events of at most
/// `streams` streams (the oldest streams are forgotten first).
#[derive(Debug)]
pub struct MemoryEventStore {
    per_stream: usize,
    streams: usize,
    inner: Mutex<IndexMap<String, Events>>,
}

impl Default for MemoryEventStore {
    fn default() -> Self {
        Self::new(1024, 10_000)
    }
}

impl MemoryEventStore {
    /// A store with limits.
    pub fn new(per_stream: usize, streams: usize) -> Self {
        MemoryEventStore {
            per_stream,
            streams,
            inner: Mutex::new(IndexMap::new()),
        }
    }
}

impl EventStore for MemoryEventStore {
    fn append(&self, stream: &str, seq: u64, data: Bytes) -> BoxFuture<'_, ()> {
        let mut map = lock(&self.inner);
        if !map.contains_key(stream) && map.len() >= self.streams {
            map.shift_remove_index(0);
        }
        let q = map.entry(stream.to_owned()).or_default();
        q.push_back((seq, data));
        while q.len() > self.per_stream {
            q.pop_front();
        }
        Box::pin(async {})
    }

    fn after(&self, stream: &str, seq: u64) -> BoxFuture<'_, Vec<(u64, Bytes)>> {
        let map = lock(&self.inner);
        let v = map
            .get(stream)
            .map(|q| q.iter().filter(|(s, _)| *s > seq).cloned().collect())
            .unwrap_or_default();
        Box::pin(async move { v })
    }

    fn remove(&self, stream: &str) -> BoxFuture<'_, ()> {
        lock(&self.inner).shift_remove(stream);
        Box::pin(async {})
    }
}

/// What an attached SSE response receives.
#[derive(Debug, Clone)]
pub(crate) enum SseItem {
    /// An event with its id (when the stream is resumable).
    Event(Option<String>, Bytes),
    /// The stream is complete.
    End,
}

/// One SSE stream of a session: written by a request (or the session's GET stream), read by
/// whichever HTTP response is attached to it now.
pub(crate) struct SseStream {
    pub(crate) id: String,
    seq: AtomicU64,
    store: Option<Arc<dyn EventStore>>,
    live: tokio::sync::Mutex<Option<mpsc::Sender<SseItem>>>,
    done: AtomicBool,
}

impl SseStream {
    pub(crate) fn new(id: String, store: Option<Arc<dyn EventStore>>) -> Arc<SseStream> {
        Arc::new(SseStream {
            id,
            seq: AtomicU64::new(0),
            store,
            live: tokio::sync::Mutex::new(None),
            done: AtomicBool::new(false),
        })
    }

    pub(crate) fn resumable(&self) -> bool {
        self.store.is_some()
    }

    /// The id of event `seq`.
    pub(crate) fn event_id(&self, seq: u64) -> String {
        format!("{}_{seq}", self.id)
    }

    /// Write an event: kept for replay, and sent to the attached response if any.
    pub(crate) async fn emit(&self, data: Bytes) {
        let mut live = self.live.lock().await;
        let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let id = match &self.store {
            Some(store) => {
                store.append(&self.id, seq, data.clone()).await;
                Some(self.event_id(seq))
            }
            None => None,
        };
        if let Some(tx) = live.as_ref() {
            if tx.send(SseItem::Event(id, data)).await.is_err() {
                *live = None;
            }
        }
    }

    /// Whether a response is attached and reading.
    pub(crate) fn is_attached(&self) -> bool {
        self.live
            .try_lock()
            .map_or(true, |g| g.as_ref().is_some_and(|tx| !tx.is_closed()))
    }

    /// Mark the stream complete.
    pub(crate) async fn finish(&self) {
        let mut live = self.live.lock().await;
        self.done.store(true, Ordering::SeqCst);
        if let Some(tx) = live.take() {
            let _ = tx.send(SseItem::End).await;
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// Attach a new response: first the stored events after `after` (on reconnect), then
    /// the live ones. A previously attached response is detached.
    pub(crate) async fn attach(&self, after: Option<u64>) -> mpsc::Receiver<SseItem> {
        let (tx, rx) = mpsc::channel(256);
        let mut live = self.live.lock().await;
        if let (Some(after), Some(store)) = (after, &self.store) {
            for (seq, data) in store.after(&self.id, after).await {
                let _ = tx
                    .send(SseItem::Event(Some(self.event_id(seq)), data))
                    .await;
            }
        }
        if self.is_done() {
            let _ = tx.send(SseItem::End).await;
        } else {
            *live = Some(tx);
        }
        rx
    }

    /// Forget the stored events.
    pub(crate) async fn forget(&self) {
        if let Some(s) = &self.store {
            s.remove(&self.id).await;
        }
    }
}

/// Split a `Last-Event-ID` into stream id and sequence number.
pub(crate) fn parse_event_id(id: &str) -> Option<(&str, u64)> {
    let (stream, seq) = id.rsplit_once('_')?;
    Some((stream, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reconnect_replays_exactly_what_was_missed() {
        let s = SseStream::new("s1".into(), Some(Arc::new(MemoryEventStore::default())));
        let mut first = s.attach(None).await;
        s.emit(Bytes::from_static(b"a")).await;
        s.emit(Bytes::from_static(b"b")).await;
        let got = first.recv().await.unwrap();
        let SseItem::Event(Some(id), _) = got else {
            panic!()
        };
        drop(first); // the client disconnects after reading "a"
        s.emit(Bytes::from_static(b"c")).await;
        let (_, seq) = parse_event_id(&id).unwrap();
        let mut second = s.attach(Some(seq)).await;
        s.emit(Bytes::from_static(b"d")).await;
        s.finish().await;
        let mut datas = vec![];
        while let Some(SseItem::Event(_, d)) = second.recv().await {
            datas.push(d);
        }
        assert_eq!(datas, ["b", "c", "d"]);
    }

    #[tokio::test]
    async fn store_limits() {
        let m = MemoryEventStore::new(2, 1);
        for i in 0..5 {
            m.append("x", i, Bytes::new()).await;
        }
        assert_eq!(m.after("x", 0).await.len(), 2);
        m.append("y", 1, Bytes::new()).await;
        assert!(m.after("x", 0).await.is_empty(), "oldest stream evicted");
    }
}
