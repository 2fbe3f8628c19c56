//! [`RedisEventStore`] (feature `redis`): the events of resumable SSE streams in Redis, so
//! that they outlive the process that sent them. Each stream is a sorted set scored by the
//! event's sequence number (the member is the number, big-endian, then the bytes); it keeps
//! the last [`RedisEventStore::per_stream`] events and expires
//! [`RedisEventStore::retention`] after its last event. Redis errors are logged and
//! answered as "nothing kept": a stream then resumes with the live events only.
//!
//! Replicas share streams: every event is also published on the stream's channel (a
//! replica that resumes a stream another one writes follows it live), a complete stream
//! is marked (and announced), and a note says who writes a stream for which request.
//! Every command here may run twice (an event is added by its number; a repeated
//! announcement is dropped by its number too), so each is sent once more when Redis
//! restarted under it.

use std::time::Duration;

use bytes::Bytes;
use fastmcp_core::BoxFuture;

use super::events::{EventStore, LiveEvent};
use crate::redis_conn::RedisConn;
use crate::redis_hub::Hub;
use tokio::sync::mpsc;

/// Events of SSE streams in the Redis at a URL.
///
/// ```
/// use std::sync::Arc;
/// use fastmcp_server::{HttpOptions, RedisEventStore};
/// let events = RedisEventStore::new("redis://127.0.0.1:6379").unwrap().prefix("myapp:events:");
/// let opts = HttpOptions::default().event_store(Some(Arc::new(events)));
/// # let _ = opts;
/// ```
pub struct RedisEventStore {
    conn: RedisConn,
    hub: Hub,
    per_stream: usize,
    retention: Duration,
    max_event: usize,
}

const APPEND: &str = r#"
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -1 - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
"#;

const FINISH: &str = r#"
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('PUBLISH', KEYS[2], 'end')
return 1
"#;

impl RedisEventStore {
    /// Events in the Redis at `url`, under the prefix `fastmcp:events:`: the last 1,000 of
    /// each stream, for an hour after its last event; events over 1 MiB are not kept.
    pub fn new(url: &str) -> Result<Self, fastmcp_core::Error> {
        let conn = RedisConn::new(url, "fastmcp:events:")?;
        Ok(Self {
            hub: Hub::new(conn.client().clone()),
            conn,
            per_stream: 1000,
            retention: Duration::from_secs(3600),
            max_event: 1 << 20,
        })
    }

    /// The prefix of its keys.
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.conn.prefix = prefix.to_owned();
        self
    }

    /// Keep the last `n` events of each stream.
    pub fn per_stream(mut self, n: usize) -> Self {
        self.per_stream = n.max(1);
        self
    }

    /// Keep a stream this long after its last event.
    pub fn retention(mut self, d: Duration) -> Self {
        self.retention = d;
        self
    }

    /// Do not keep events larger than `bytes`.
    pub fn max_event_bytes(mut self, bytes: usize) -> Self {
        self.max_event = bytes;
        self
    }

    fn key(&self, stream: &str) -> String {
        self.conn.key(&format!("stream:{stream}"))
    }

    fn live(&self, stream: &str) -> String {
        self.conn.key(&format!("live:{stream}"))
    }

    fn retention_ms(&self) -> u64 {
        self.retention.as_millis().max(1) as u64
    }
}

/// An event as published: its sequence number (8 bytes, big-endian), then its bytes;
/// anything shorter marks the end.
fn live_event(m: &[u8]) -> LiveEvent {
    match m.split_first_chunk::<8>() {
        Some((seq, data)) => {
            LiveEvent::Event(u64::from_be_bytes(*seq), Bytes::copy_from_slice(data))
        }
        None => LiveEvent::Finished,
    }
}

impl EventStore for RedisEventStore {
    fn append(&self, stream: &str, seq: u64, data: Bytes) -> BoxFuture<'_, ()> {
        let key = self.key(stream);
        let live = self.live(stream);
        Box::pin(async move {
            if data.len() > self.max_event {
                tracing::warn!(size = data.len(), "an SSE event too large to keep in Redis");
                return;
            }
            let mut member = seq.to_be_bytes().to_vec();
            member.extend_from_slice(&data);
            let script = redis::Script::new(APPEND);
            let mut inv = script.prepare_invoke();
            inv.key(&key)
                .key(&live)
                .arg(seq)
                .arg(member)
                .arg(self.per_stream)
                .arg(self.retention_ms());
            if let Err(e) = self.conn.invoke_idempotent::<i64>(inv).await {
                tracing::warn!("cannot keep an SSE event in Redis: {e}");
            }
        })
    }

    fn after(&self, stream: &str, seq: u64) -> BoxFuture<'_, Vec<(u64, Bytes)>> {
        let key = self.key(stream);
        Box::pin(async move {
            let mut cmd = redis::cmd("ZRANGEBYSCORE");
            cmd.arg(&key).arg(format!("({seq}")).arg("+inf");
            match self.conn.run_idempotent::<Vec<Vec<u8>>>(&cmd).await {
                Ok(members) => members
                    .into_iter()
                    .filter(|m| m.len() >= 8)
                    .map(|m| {
                        let n = u64::from_be_bytes(m[..8].try_into().unwrap_or_default());
                        (n, Bytes::copy_from_slice(&m[8..]))
                    })
                    .collect(),
                Err(e) => {
                    tracing::warn!("cannot read SSE events from Redis: {e}");
                    vec![]
                }
            }
        })
    }

    fn follow(&self, stream: &str) -> BoxFuture<'_, Option<mpsc::Receiver<LiveEvent>>> {
        let channel = self.live(stream);
        Box::pin(async move {
            let mut raw = self.hub.follow(&channel).await.ok()?;
            let (tx, rx) = mpsc::channel(super::events::QUEUE);
            tokio::spawn(async move {
                loop {
                    let m = tokio::select! {
                        m = raw.recv() => m,
                        _ = tx.closed() => return,
                    };
                    let Some(m) = m else { return };
                    let ev = live_event(&m);
                    let end = ev == LiveEvent::Finished;
                    if tx.send(ev).await.is_err() || end {
                        return;
                    }
                }
            });
            Some(rx)
        })
    }

    fn finish(&self, stream: &str) -> BoxFuture<'_, ()> {
        let keys = [self.conn.key(&format!("end:{stream}")), self.live(stream)];
        Box::pin(async move {
            let args = [self.retention_ms().to_string()];
            let r = self
                .conn
                .script::<i64>(&redis::Script::new(FINISH), &keys, &args)
                .await;
            if let Err(e) = r {
                tracing::warn!("cannot mark an SSE stream complete in Redis: {e}");
            }
        })
    }

    fn finished(&self, stream: &str) -> BoxFuture<'_, bool> {
        let key = self.conn.key(&format!("end:{stream}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("EXISTS");
            cmd.arg(key);
            self.conn
                .run_idempotent::<i64>(&cmd)
                .await
                .is_ok_and(|n| n == 1)
        })
    }

    fn describe(&self, stream: &str, note: Bytes) -> BoxFuture<'_, ()> {
        let key = self.conn.key(&format!("about:{stream}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(key)
                .arg(&note[..])
                .arg("PX")
                .arg(self.retention_ms());
            if let Err(e) = self.conn.run_idempotent::<()>(&cmd).await {
                tracing::warn!("cannot describe an SSE stream in Redis: {e}");
            }
        })
    }

    fn description(&self, stream: &str) -> BoxFuture<'_, Option<Bytes>> {
        let key = self.conn.key(&format!("about:{stream}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("GET");
            cmd.arg(key);
            let v: Option<Vec<u8>> = self.conn.run_idempotent(&cmd).await.ok()?;
            v.map(Bytes::from)
        })
    }

    fn remove(&self, stream: &str) -> BoxFuture<'_, ()> {
        let key = self.key(stream);
        Box::pin(async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(&key);
            if let Err(e) = self.conn.run_idempotent::<()>(&cmd).await {
                tracing::warn!("cannot forget an SSE stream in Redis: {e}");
            }
        })
    }
}
