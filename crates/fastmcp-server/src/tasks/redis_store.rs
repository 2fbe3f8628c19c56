//! [`RedisTaskStore`] (feature `redis`): task records in Redis, shared by replicas and kept
//! across restarts. A record is a hash (`r`: the JSON record, `v`: its version, `o`: its
//! owner) that expires with the task's retention (tasks without one: after
//! [`RedisTaskStore::max_retention`]); each owner's tasks are a sorted set by creation
//! time, for listing. `replace` is a compare-and-set in one Lua script, so concurrent
//! updates from several replicas never lose one. A cancellation is published on a channel
//! that every replica follows, so the one running the task stops its handler.

use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};

use super::store::{now_ms, TaskPage, TaskRecord, TaskStore};
use crate::redis_conn::RedisConn;
use crate::redis_hub::Hub;

/// Task records in the Redis at a URL.
///
/// ```
/// use fastmcp_server::{RedisTaskStore, Server};
/// let store = RedisTaskStore::new("redis://127.0.0.1:6379").unwrap().prefix("myapp:tasks:");
/// let server = Server::new("demo", "1.0").task_store(store);
/// # let _ = server;
/// ```
pub struct RedisTaskStore {
    conn: RedisConn,
    /// Where cancellations are heard (one subscription connection, resubscribing).
    hub: std::sync::Arc<Hub>,
    max_retention: Duration,
}

const CREATE: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'v', ARGV[2], 'o', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if ARGV[3] ~= '' then
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[6])
  local ttl = redis.call('PTTL', KEYS[2])
  if ttl < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[2], ARGV[4]) end
end
return 1
"#;

const REPLACE: &str = r#"
local v = redis.call('HGET', KEYS[1], 'v')
if not v or v ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'r', ARGV[1], 'v', ARGV[3])
return 1
"#;

impl RedisTaskStore {
    /// Records in the Redis at `url` (`redis://host:port/db`), under the prefix
    /// `fastmcp:tasks:`. Connects on first use and reconnects after Redis restarts.
    pub fn new(url: &str) -> Result<Self, Error> {
        let conn = RedisConn::new(url, "fastmcp:tasks:")?;
        Ok(Self {
            hub: std::sync::Arc::new(Hub::new(conn.client().clone())),
            conn,
            max_retention: Duration::from_secs(7 * 86400),
        })
    }

    /// The prefix of its keys (several servers share one Redis under different ones).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.conn.prefix = prefix.to_owned();
        self
    }

    /// How long a task without a retention of its own is kept (7 days by default):
    /// nothing stays in Redis for ever.
    pub fn max_retention(mut self, d: Duration) -> Self {
        self.max_retention = d;
        self
    }

    fn record_key(&self, id: &str) -> String {
        self.conn.key(&format!("task:{id}"))
    }

    fn owner_key(&self, owner: &str) -> String {
        self.conn.key(&format!("owner:{owner}"))
    }

    /// Milliseconds the record has left to live.
    fn ttl_ms(&self, r: &TaskRecord) -> u64 {
        let max = self.max_retention.as_millis() as u64;
        match r.ttl_ms {
            Some(ttl) => r
                .created_at_ms
                .saturating_add(ttl)
                .saturating_sub(now_ms())
                .clamp(1, max.max(1)),
            None => max.max(1),
        }
    }

    async fn get_record(&self, id: &str) -> Result<Option<TaskRecord>, Error> {
        let mut cmd = redis::cmd("HGET");
        cmd.arg(self.record_key(id)).arg("r");
        let text: Option<String> = self.conn.run(&cmd).await?;
        let Some(text) = text else { return Ok(None) };
        let r: TaskRecord = serde_json::from_str(&text)
            .map_err(|e| Error::internal(format!("a stored task cannot be read: {e}")))?;
        Ok((!r.is_expired(now_ms())).then_some(r))
    }
}

fn json(r: &TaskRecord) -> Result<String, Error> {
    serde_json::to_string(r).map_err(|e| Error::internal(e.to_string()))
}

impl TaskStore for RedisTaskStore {
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async move {
            let owner = record.owner.clone().unwrap_or_default();
            let keys = [self.record_key(&record.task_id), self.owner_key(&owner)];
            let args = [
                json(&record)?,
                record.version.to_string(),
                owner,
                self.ttl_ms(&record).to_string(),
                record.created_at_ms.to_string(),
                record.task_id.clone(),
            ];
            let created: i64 = self
                .conn
                .script(&redis::Script::new(CREATE), &keys, &args)
                .await?;
            if created == 1 {
                Ok(())
            } else {
                Err(Error::internal(format!(
                    "task {} already exists",
                    record.task_id
                )))
            }
        })
    }

    fn get(&self, task_id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, Error>> {
        let id = task_id.to_owned();
        Box::pin(async move { self.get_record(&id).await })
    }

    fn replace(&self, record: TaskRecord, expected: u64) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(async move {
            let stored = TaskRecord {
                version: expected + 1,
                ..record
            };
            let keys = [self.record_key(&stored.task_id)];
            let args = [
                json(&stored)?,
                expected.to_string(),
                stored.version.to_string(),
            ];
            let ok: i64 = self
                .conn
                .script(&redis::Script::new(REPLACE), &keys, &args)
                .await?;
            Ok(ok == 1)
        })
    }

    fn delete(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        let id = task_id.to_owned();
        Box::pin(async move {
            let mut get = redis::cmd("HGET");
            get.arg(self.record_key(&id)).arg("o");
            let owner: Option<String> = self.conn.run(&get).await?;
            let mut del = redis::cmd("DEL");
            del.arg(self.record_key(&id));
            self.conn.run::<()>(&del).await?;
            if let Some(o) = owner.filter(|o| !o.is_empty()) {
                let mut zrem = redis::cmd("ZREM");
                zrem.arg(self.owner_key(&o)).arg(&id);
                self.conn.run::<()>(&zrem).await?;
            }
            Ok(())
        })
    }

    fn announce_cancel(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        let id = task_id.to_owned();
        Box::pin(async move {
            let mut cmd = redis::cmd("PUBLISH");
            cmd.arg(self.conn.key("cancel")).arg(id);
            self.conn.run::<i64>(&cmd).await.map(|_| ())
        })
    }

    fn cancellations(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        let (tx, rx) = tokio::sync::mpsc::channel(256);
        let (hub, channel) = (self.hub.clone(), self.conn.key("cancel"));
        tokio::spawn(async move {
            let Ok(mut ids) = hub.follow(&channel).await else {
                return;
            };
            loop {
                let id = tokio::select! {
                    _ = tx.closed() => return,
                    id = ids.recv() => id,
                };
                let Some(id) = id else { return };
                if let Ok(id) = String::from_utf8(id.to_vec()) {
                    if tx.send(id).await.is_err() {
                        return;
                    }
                }
            }
        });
        Some(rx)
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, Error>> {
        let (owner, cursor) = (owner.to_owned(), cursor.map(str::to_owned));
        Box::pin(async move {
            let zkey = self.owner_key(&owner);
            let start: i64 = match &cursor {
                None => 0,
                Some(c) => {
                    let mut rank = redis::cmd("ZRANK");
                    rank.arg(&zkey).arg(c);
                    let r: Option<i64> = self.conn.run(&rank).await?;
                    r.ok_or_else(|| Error::invalid_params("Invalid cursor"))? + 1
                }
            };
            let limit = limit.max(1);
            let mut page = Vec::new();
            let mut at = start;
            // Expired records still in the index are skipped (and dropped from it).
            loop {
                let mut range = redis::cmd("ZRANGE");
                range.arg(&zkey).arg(at).arg(at + limit as i64);
                let ids: Vec<String> = self.conn.run(&range).await?;
                if ids.is_empty() {
                    return Ok((page, None));
                }
                for id in &ids {
                    if page.len() == limit {
                        let next = page.last().map(|r: &TaskRecord| r.task_id.clone());
                        return Ok((page, next));
                    }
                    at += 1;
                    match self.get_record(id).await? {
                        Some(r) if r.owner.as_deref() == Some(owner.as_str()) => page.push(r),
                        _ => {
                            let mut zrem = redis::cmd("ZREM");
                            zrem.arg(&zkey).arg(id);
                            self.conn.run::<()>(&zrem).await?;
                            at -= 1;
                        }
                    }
                }
            }
        })
    }
}
