//! Resumable SSE streams: every event gets an id `<stream>_<seq>`, is kept in an
//! [`EventStore`], and a client that reconnects with `Last-Event-ID` gets exactly the
//! events it missed on that stream, then the live ones.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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

    /// The events of `stream` as they are appended from now on, by any process sharing
    /// this store, then [`LiveEvent::Finished`]. `None` (the default): the store is not
    /// shared, and a stream is only followed in the process that writes it.
    fn follow(&self, stream: &str) -> BoxFuture<'_, Option<mpsc::Receiver<LiveEvent>>> {
        let _ = stream;
        Box::pin(async { None })
    }

    /// `stream` is complete (its request was answered): followers stop.
    fn finish(&self, stream: &str) -> BoxFuture<'_, ()> {
        let _ = stream;
        Box::pin(async {})
    }

    /// Whether `stream` is complete (see [`EventStore::finish`]; `false` by default).
    fn finished(&self, stream: &str) -> BoxFuture<'_, bool> {
        let _ = stream;
        Box::pin(async { false })
    }

    /// Keep a note about `stream` (who writes it, for which request), for the processes
    /// sharing this store; the default keeps nothing.
    fn describe(&self, stream: &str, note: Bytes) -> BoxFuture<'_, ()> {
        let _ = (stream, note);
        Box::pin(async {})
    }

    /// The note kept about `stream`, if any.
    fn description(&self, stream: &str) -> BoxFuture<'_, Option<Bytes>> {
        let _ = stream;
        Box::pin(async { None })
    }
}

/// What a follower of a shared stream receives ([`EventStore::follow`]).
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    /// Event `seq` of the stream.
    Event(u64, Bytes),
    /// The stream is complete.
    Finished,
}

/// The kept events of one stream, with their size in bytes.
#[derive(Debug, Default)]
struct Events {
    q: VecDeque<(u64, Bytes)>,
    bytes: usize,
}

impl Events {
    fn pop_front(&mut self) -> usize {
        let n = self.q.pop_front().map_or(0, |(_, d)| d.len());
        self.bytes -= n;
        n
    }
}

/// An in-memory [`EventStore`] bounded by count and by bytes: it keeps the last
/// `per_stream` events of at most `streams` streams (the oldest streams are forgotten
/// first), at most [`MemoryEventStore::max_bytes_per_stream`] bytes of one stream and
/// [`MemoryEventStore::max_bytes`] bytes in all (the oldest events go first). A client that
/// resumes after its events were dropped gets the ones still kept.
#[derive(Debug)]
pub struct MemoryEventStore {
    per_stream: usize,
    streams: usize,
    stream_bytes: usize,
    total_bytes: usize,
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    streams: IndexMap<String, Events>,
    bytes: usize,
}

impl Default for MemoryEventStore {
    /// 1,024 events and 1 MiB a stream, 10,000 streams, 64 MiB in all.
    fn default() -> Self {
        Self::new(1024, 10_000)
    }
}

impl MemoryEventStore {
    /// A store with limits on counts (and the default byte limits: 1 MiB a stream, 64 MiB
    /// in all).
    pub fn new(per_stream: usize, streams: usize) -> Self {
        MemoryEventStore {
            per_stream,
            streams,
            stream_bytes: 1 << 20,
            total_bytes: 64 << 20,
            inner: Mutex::new(Kept::default()),
        }
    }

    /// Keep at most `n` bytes of events of one stream.
    ///
    /// ```
    /// use fastmcp_server::MemoryEventStore;
    /// let store = MemoryEventStore::new(1024, 10_000)
    ///     .max_bytes_per_stream(256 << 10)
    ///     .max_bytes(16 << 20);
    /// # let _ = store;
    /// ```
    pub fn max_bytes_per_stream(mut self, n: usize) -> Self {
        self.stream_bytes = n;
        self
    }

    /// Keep at most `n` bytes of events in all.
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.total_bytes = n;
        self
    }

    /// How many bytes of events it keeps now.
    pub fn bytes(&self) -> usize {
        lock(&self.inner).bytes
    }
}

impl Kept {
    /// Drop the oldest events (of the oldest streams) until `bytes` fit under `max`.
    fn shrink_to(&mut self, max: usize) {
        while self.bytes > max {
            let Some((_, first)) = self.streams.first_mut() else {
                return;
            };
            if first.q.is_empty() {
                self.streams.shift_remove_index(0);
                continue;
            }
            self.bytes -= first.pop_front();
        }
    }

    fn remove(&mut self, stream: &str) {
        if let Some(e) = self.streams.shift_remove(stream) {
            self.bytes -= e.bytes;
        }
    }
}

impl EventStore for MemoryEventStore {
    fn append(&self, stream: &str, seq: u64, data: Bytes) -> BoxFuture<'_, ()> {
        let mut kept = lock(&self.inner);
        if !kept.streams.contains_key(stream) && kept.streams.len() >= self.streams {
            if let Some(oldest) = kept.streams.first().map(|(k, _)| k.clone()) {
                kept.remove(&oldest);
            }
        }
        let n = data.len();
        let q = kept.streams.entry(stream.to_owned()).or_default();
        q.q.push_back((seq, data));
        q.bytes += n;
        let mut dropped = 0;
        while q.q.len() > self.per_stream || (q.bytes > self.stream_bytes && q.q.len() > 1) {
            dropped += q.pop_front();
        }
        kept.bytes = kept.bytes + n - dropped;
        kept.shrink_to(self.total_bytes);
        Box::pin(async {})
    }

    fn after(&self, stream: &str, seq: u64) -> BoxFuture<'_, Vec<(u64, Bytes)>> {
        let kept = lock(&self.inner);
        let v = kept
            .streams
            .get(stream)
            .map(|e| e.q.iter().filter(|(s, _)| *s > seq).cloned().collect())
            .unwrap_or_default();
        Box::pin(async move { v })
    }

    fn remove(&self, stream: &str) -> BoxFuture<'_, ()> {
        lock(&self.inner).remove(stream);
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

/// How many events may wait for an attached response to take them.
pub(crate) const QUEUE: usize = 256;

/// The response attached to a stream now: where events go, and how many bytes of them
/// wait to be taken.
struct Live {
    tx: mpsc::Sender<SseItem>,
    queued: Arc<AtomicUsize>,
}

/// The receiving end of an attached response: the stored events it missed, then the live
/// ones.
pub(crate) struct SseReceiver {
    replay: VecDeque<SseItem>,
    rx: mpsc::Receiver<SseItem>,
    queued: Arc<AtomicUsize>,
}

impl SseReceiver {
    /// A receiver fed by `rx` alone (a stream followed from another process).
    pub(crate) fn from_channel(rx: mpsc::Receiver<SseItem>) -> SseReceiver {
        SseReceiver {
            replay: VecDeque::new(),
            rx,
            queued: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The next event; `None` once the stream is detached from this response.
    pub(crate) async fn recv(&mut self) -> Option<SseItem> {
        if let Some(item) = self.replay.pop_front() {
            return Some(item);
        }
        let item = self.rx.recv().await?;
        if let SseItem::Event(_, data) = &item {
            self.queued.fetch_sub(data.len(), Ordering::Relaxed);
        }
        Some(item)
    }
}

/// One SSE stream of a session: written by a request (or the session's GET stream), read by
/// whichever HTTP response is attached to it now.
///
/// A request's own stream holds its writer back while the reader is slow (back-pressure
/// on that request alone). A stream with a byte budget (the session's GET stream, written
/// by the server for every session) never waits on its reader: once more than the budget
/// (or [`QUEUE`] events) waits, the response is detached and ends after what it has; the
/// client resumes with `Last-Event-ID`.
pub(crate) struct SseStream {
    pub(crate) id: String,
    seq: AtomicU64,
    store: Option<Arc<dyn EventStore>>,
    budget: Option<usize>,
    live: tokio::sync::Mutex<Option<Live>>,
    done: AtomicBool,
}

impl SseStream {
    pub(crate) fn new(
        id: String,
        store: Option<Arc<dyn EventStore>>,
        budget: Option<usize>,
    ) -> Arc<SseStream> {
        Arc::new(SseStream {
            id,
            seq: AtomicU64::new(0),
            store,
            budget,
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
        let Some(l) = live.as_ref() else { return };
        let n = data.len();
        let item = SseItem::Event(id, data);
        let before = l.queued.fetch_add(n, Ordering::Relaxed);
        let sent = match self.budget {
            None => l.tx.send(item).await.is_ok(),
            Some(budget) => before + n <= budget && l.tx.try_send(item).is_ok(),
        };
        if !sent {
            l.queued.fetch_sub(n, Ordering::Relaxed);
            if self.budget.is_some() && !l.tx.is_closed() {
                tracing::debug!(
                    "SSE stream {} detached: its reader is {before} bytes behind",
                    self.id
                );
            }
            *live = None;
        }
    }

    /// Whether a response is attached and reading.
    pub(crate) fn is_attached(&self) -> bool {
        self.live
            .try_lock()
            .map_or(true, |g| g.as_ref().is_some_and(|l| !l.tx.is_closed()))
    }

    /// Mark the stream complete. Never waits on the reader: when its queue is full the
    /// response ends after what it has.
    pub(crate) async fn finish(&self) {
        let mut live = self.live.lock().await;
        if self.done.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Some(l) = live.take() {
            let _ = l.tx.try_send(SseItem::End);
        }
        if let Some(store) = &self.store {
            store.finish(&self.id).await;
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::SeqCst)
    }

    /// Attach a new response: first the stored events after `after` (on reconnect), then
    /// the live ones. A previously attached response is detached.
    pub(crate) async fn attach(&self, after: Option<u64>) -> SseReceiver {
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut live = self.live.lock().await;
        let mut replay = VecDeque::new();
        if let (Some(after), Some(store)) = (after, &self.store) {
            for (seq, data) in store.after(&self.id, after).await {
                replay.push_back(SseItem::Event(Some(self.event_id(seq)), data));
            }
        }
        let queued = Arc::new(AtomicUsize::new(0));
        if self.is_done() {
            replay.push_back(SseItem::End);
        } else {
            let queued = queued.clone();
            *live = Some(Live { tx, queued });
        }
        SseReceiver { replay, rx, queued }
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
        let s = SseStream::new(
            "s1".into(),
            Some(Arc::new(MemoryEventStore::default())),
            None,
        );
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

    #[tokio::test]
    async fn store_bytes_are_bounded() {
        let m = MemoryEventStore::new(1000, 100)
            .max_bytes_per_stream(1000)
            .max_bytes(2500);
        for i in 0..20 {
            m.append("a", i, Bytes::from(vec![b'x'; 100])).await;
        }
        assert_eq!(m.bytes(), 1000, "one stream keeps its last 1,000 bytes");
        assert_eq!(m.after("a", 0).await.first().map(|e| e.0), Some(10));
        for s in ["b", "c"] {
            for i in 0..10 {
                m.append(s, i, Bytes::from(vec![b'x'; 100])).await;
            }
        }
        assert!(m.bytes() <= 2500, "{} bytes kept", m.bytes());
        assert!(
            m.after("a", 0).await.len() < 10,
            "the oldest stream gave way"
        );
        assert_eq!(m.after("c", 0).await.len(), 9);
        m.remove("c").await;
        m.remove("b").await;
        m.remove("a").await;
        assert_eq!(m.bytes(), 0);
    }

    #[tokio::test]
    async fn a_stalled_reader_is_detached_not_waited_for() {
        let store = Arc::new(MemoryEventStore::default());
        let s = SseStream::new("g".into(), Some(store), Some(1000));
        let mut stalled = s.attach(None).await;
        for i in 0..100u8 {
            // Never waits, however far behind the reader is.
            tokio::time::timeout(
                std::time::Duration::from_millis(100),
                s.emit(Bytes::from(vec![i; 100])),
            )
            .await
            .expect("emit waited on a stalled reader");
        }
        assert!(!s.is_attached(), "the stalled response was detached");
        let mut got = 0;
        let mut last = String::new();
        while let Some(SseItem::Event(Some(id), _)) = stalled.recv().await {
            got += 1;
            last = id;
        }
        assert_eq!(
            got, 10,
            "what fitted in the budget is delivered, then the end"
        );
        // The client resumes from its last event and gets everything after it.
        let (_, seq) = parse_event_id(&last).unwrap();
        let mut resumed = s.attach(Some(seq)).await;
        s.finish().await;
        let mut rest = 0;
        while let Some(SseItem::Event(..)) = resumed.recv().await {
            rest += 1;
        }
        assert_eq!(rest, 90);
    }
}
