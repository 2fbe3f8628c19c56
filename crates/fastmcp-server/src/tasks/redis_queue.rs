//! [`RedisTaskQueue`] (feature `redis`): a [`TaskQueue`] on a Redis stream with a consumer
//! group. A pushed task is a stream entry; a worker reads it with `XREADGROUP` (it is then
//! pending for that worker); a heartbeat (`XCLAIM … JUSTID` by the owner only) keeps it
//! there; entries idle longer than the visibility timeout are claimed by another worker
//! (`XAUTOCLAIM`, which counts the delivery); a finished task's entry is acknowledged and
//! deleted. With Redis's append-only file on, a Redis restart loses no entry and no
//! pending delivery.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Error};
use redis::Value;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::queue::{Delivery, TaskQueue};
use crate::redis_conn::RedisConn;
use crate::redis_hub::Hub;

const GROUP: &str = "workers";

/// The longest a `take` waits for a new task in one read.
const MAX_BLOCK: Duration = Duration::from_secs(5);

/// Claim one entry idle for longer than the visibility timeout, walking the whole
/// pending list; returns `{entry id, task id, deliveries}` or nil.
const RECLAIM: &str = r#"
local cursor = '0-0'
repeat
  local r = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], cursor, 'COUNT', 1)
  cursor = r[1]
  for _, e in ipairs(r[2]) do
    if type(e) == 'table' and type(e[2]) == 'table' then
      local p = redis.call('XPENDING', KEYS[1], ARGV[1], e[1], e[1], 1)
      if p[1] then return {e[1], e[2][2], p[1][4]} end
    end
  end
until cursor == '0-0'
return false
"#;

/// Reset the idle time of an entry still pending for this worker.
const KEEP: &str = r#"
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if not p[1] or p[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
"#;

/// Queue a task unless the stream holds `ARGV[2]` entries already.
const PUSH: &str = r#"
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[2]) then return false end
return redis.call('XADD', KEYS[1], '*', 't', ARGV[1])
"#;

const DONE: &str = r#"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
"#;

const RELEASE: &str = r#"
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
redis.call('XADD', KEYS[1], '*', 't', ARGV[3])
return 1
"#;

/// A task queue in the Redis at a URL, shared by the server replicas that push and the
/// worker processes that take.
///
/// ```
/// use fastmcp_server::{RedisTaskQueue, RedisTaskStore, Server};
/// let url = "redis://127.0.0.1:6379";
/// let server = Server::new("demo", "1.0")
///     .task_store(RedisTaskStore::new(url).unwrap().prefix("myapp:tasks:"))
///     .task_queue(RedisTaskQueue::new(url).unwrap().prefix("myapp:queue:"));
/// # let _ = server;
/// ```
pub struct RedisTaskQueue {
    conn: RedisConn,
    /// A connection of its own for the blocking reads.
    blocking: tokio::sync::Mutex<RedisConn>,
    hub: Hub,
    visibility: Duration,
    max_attempts: u32,
    max_entries: u64,
    group_ready: std::sync::atomic::AtomicBool,
    last_reclaim: Mutex<Option<Instant>>,
    /// When Redis last failed this process (see `reclaim_due`).
    trouble: Mutex<Option<Instant>>,
}

impl RedisTaskQueue {
    /// A queue in the Redis at `url`, under the prefix `fastmcp:queue:`, with a visibility
    /// timeout of 30 s, 3 attempts and at most 100,000 tasks waiting or running. Connects on first use and reconnects after Redis
    /// restarts.
    pub fn new(url: &str) -> Result<Self, Error> {
        let conn = RedisConn::new(url, "fastmcp:queue:")?;
        let hub = Hub::new(conn.client().clone());
        let mut blocking = RedisConn::new(url, "")?;
        // Longer than the longest block (`MAX_BLOCK`).
        blocking.timeout = MAX_BLOCK + Duration::from_secs(5);
        Ok(Self {
            blocking: tokio::sync::Mutex::new(blocking),
            conn,
            hub,
            visibility: Duration::from_secs(30),
            max_attempts: 3,
            max_entries: 100_000,
            group_ready: false.into(),
            last_reclaim: Mutex::new(None),
            trouble: Mutex::new(None),
        })
    }

    /// The prefix of its keys (several servers share one Redis under different ones).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.conn.prefix = prefix.to_owned();
        self
    }

    /// How long a taken task stays with a worker that stopped sending heartbeats (30 s
    /// by default; workers send one every third of it).
    pub fn visibility_timeout(mut self, d: Duration) -> Self {
        self.visibility = d.max(Duration::from_millis(100));
        self
    }

    /// How many deliveries a task gets before it is failed (3 by default, at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// How many tasks may wait or run at once (100,000 by default): past it, a new task
    /// is refused (-32029) and the client may try again later. What hostile or runaway
    /// clients can make Redis hold stays bounded.
    pub fn max_entries(mut self, n: u64) -> Self {
        self.max_entries = n.max(1);
        self
    }

    /// How many tasks wait or run (entries of the stream).
    pub async fn entries(&self) -> Result<u64, Error> {
        let mut cmd = redis::cmd("XLEN");
        cmd.arg(self.stream());
        self.conn.run(&cmd).await
    }

    fn stream(&self) -> String {
        self.conn.key("stream")
    }

    async fn ensure_group(&self) -> Result<(), Error> {
        use std::sync::atomic::Ordering;
        if self.group_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut cmd = redis::cmd("XGROUP");
        cmd.arg("CREATE")
            .arg(self.stream())
            .arg(GROUP)
            .arg("0")
            .arg("MKSTREAM");
        match self.conn.run::<()>(&cmd).await {
            Ok(()) => {}
            Err(e) if e.message().contains("BUSYGROUP") => {}
            Err(e) => return Err(e),
        }
        self.group_ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether it is time to look for deliveries whose worker stopped.
    ///
    /// Not within a visibility timeout of a Redis failure: after Redis was away (a restart
    /// from its append-only file), every delivery looks idle for as long as it was away;
    /// their workers, alive, need time to send a heartbeat again before anyone takes
    /// their tasks.
    fn reclaim_due(&self) -> bool {
        let troubled =
            crate::lock::lock(&self.trouble).is_some_and(|t| t.elapsed() < self.visibility);
        if troubled {
            return false;
        }
        let mut last = crate::lock::lock(&self.last_reclaim);
        let due = last.is_none_or(|t| t.elapsed() >= self.visibility / 4);
        if due {
            *last = Some(Instant::now());
        }
        due
    }

    async fn reclaim(&self, worker: &str) -> Result<Option<Delivery>, Error> {
        let keys = [self.stream()];
        let args = [
            GROUP.to_owned(),
            worker.to_owned(),
            self.visibility.as_millis().to_string(),
        ];
        let v: Value = self
            .conn
            .script(&redis::Script::new(RECLAIM), &keys, &args)
            .await?;
        let Value::Array(items) = v else {
            return Ok(None);
        };
        let (Some(entry), Some(task), Some(n)) = (
            items.first().and_then(text),
            items.get(1).and_then(text),
            items.get(2).and_then(int),
        ) else {
            return Ok(None);
        };
        // More may be waiting: look again on the next take.
        *crate::lock::lock(&self.last_reclaim) = None;
        Ok(Some(Delivery {
            task_id: task,
            entry,
            attempt: n.clamp(1, u32::MAX as i64) as u32,
        }))
    }

    async fn read_new(&self, worker: &str, wait: Duration) -> Result<Option<Delivery>, Error> {
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP").arg(GROUP).arg(worker).arg("COUNT").arg(1);
        if !wait.is_zero() {
            cmd.arg("BLOCK")
                .arg(wait.min(MAX_BLOCK).as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS").arg(self.stream()).arg(">");
        let conn = self.blocking.lock().await;
        let v: Value = match conn.run(&cmd).await {
            Err(e) if e.message().contains("NOGROUP") => {
                self.group_ready
                    .store(false, std::sync::atomic::Ordering::Release);
                return Ok(None);
            }
            other => other?,
        };
        Ok(first_entry(&v).map(|(entry, task_id)| Delivery {
            task_id,
            entry,
            attempt: 1,
        }))
    }

    /// `r`, remembering when it was a failure.
    fn noted<T>(&self, r: Result<T, Error>) -> Result<T, Error> {
        if r.is_err() {
            *crate::lock::lock(&self.trouble) = Some(Instant::now());
        }
        r
    }

    async fn entry_script(&self, script: &str, args: &[String]) -> Result<i64, Error> {
        let keys = [self.stream()];
        self.conn
            .script(&redis::Script::new(script), &keys, args)
            .await
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => String::from_utf8(b.clone()).ok(),
        Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

fn int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(n) => Some(*n),
        other => text(other).and_then(|s| s.parse().ok()),
    }
}

/// The first entry of an `XREADGROUP` answer: its id and the task id in its `t` field.
fn first_entry(v: &Value) -> Option<(String, String)> {
    let streams = match v {
        Value::Array(s) => s,
        Value::Map(m) => return m.first().and_then(|(_, e)| entry_of(e)),
        _ => return None,
    };
    let stream = match streams.first()? {
        Value::Array(s) => s,
        _ => return None,
    };
    entry_of(stream.get(1)?)
}

fn entry_of(entries: &Value) -> Option<(String, String)> {
    let Value::Array(entries) = entries else {
        return None;
    };
    let Value::Array(e) = entries.first()? else {
        return None;
    };
    let id = text(e.first()?)?;
    let Value::Array(fields) = e.get(1)? else {
        return None;
    };
    let task = fields
        .chunks(2)
        .find(|kv| kv.first().and_then(text).as_deref() == Some("t"))
        .and_then(|kv| kv.get(1).and_then(text))?;
    Some((id, task))
}

impl TaskQueue for RedisTaskQueue {
    fn push(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        let id = task_id.to_owned();
        Box::pin(async move {
            self.ensure_group().await?;
            let keys = [self.stream()];
            let args = [id, self.max_entries.to_string()];
            let added: Option<String> = self
                .conn
                .script(&redis::Script::new(PUSH), &keys, &args)
                .await?;
            match added {
                Some(_) => Ok(()),
                None => Err(Error::limit_exceeded(format!(
                    "Too many tasks: the queue holds {} waiting or running; retry later",
                    self.max_entries
                ))),
            }
        })
    }

    fn take(&self, worker: &str, wait: Duration) -> BoxFuture<'_, Result<Option<Delivery>, Error>> {
        let worker = worker.to_owned();
        Box::pin(async move {
            let taken = async {
                self.ensure_group().await?;
                if self.reclaim_due() {
                    if let Some(d) = self.reclaim(&worker).await? {
                        return Ok(Some(d));
                    }
                }
                self.read_new(&worker, wait).await
            };
            self.noted(taken.await)
        })
    }

    fn keep(&self, worker: &str, delivery: &Delivery) -> BoxFuture<'_, Result<bool, Error>> {
        let args = [GROUP.to_owned(), worker.to_owned(), delivery.entry.clone()];
        Box::pin(async move { Ok(self.noted(self.entry_script(KEEP, &args).await)? == 1) })
    }

    fn done(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>> {
        let args = [GROUP.to_owned(), delivery.entry.clone()];
        Box::pin(async move { self.entry_script(DONE, &args).await.map(|_| ()) })
    }

    fn release(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>> {
        let args = [
            GROUP.to_owned(),
            delivery.entry.clone(),
            delivery.task_id.clone(),
        ];
        Box::pin(async move { self.entry_script(RELEASE, &args).await.map(|_| ()) })
    }

    fn visibility_timeout(&self) -> Duration {
        self.visibility
    }

    fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    fn publish(&self, task_id: &str, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let channel = self.conn.key(&format!("events:{task_id}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("PUBLISH");
            cmd.arg(channel).arg(message.get());
            self.conn.run::<i64>(&cmd).await.map(|_| ())
        })
    }

    fn follow(&self, task_id: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>> {
        let channel = self.conn.key(&format!("events:{task_id}"));
        Box::pin(async move { self.hub.follow(&channel).await })
    }
}
