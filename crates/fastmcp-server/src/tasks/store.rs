//! Where tasks are kept: the [`TaskStore`] trait and its in-memory implementation.
//!
//! A store holds [`TaskRecord`]s: what a task is (status, timestamps, retention, result or
//! error, pending input requests) and what is needed to run it again after input arrives
//! (the original request and the answers so far). Records are plain serde values so that
//! a shared store (Redis, a database) can keep them as JSON; changes go through
//! [`TaskStore::replace`], a compare-and-set on [`TaskRecord::version`], so that replicas
//! and concurrent requests never lose an update.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::lock::lock;
use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::{
    ClientCapabilities, ErrorObject, Implementation, JsonObject, ProgressToken, TaskStatus,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The request a task runs: enough to run its handler again (after input arrives, or on
/// another replica).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRequest {
    /// The method (`tools/call`).
    pub method: String,
    /// The component the request names (the tool's name).
    pub name: String,
    /// The arguments, as the client sent them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Value>,
    /// The protocol version of the request.
    pub protocol_version: String,
    /// The client that created the task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_info: Option<Implementation>,
    /// The client's capabilities on the creating request.
    #[serde(default)]
    pub client_capabilities: ClientCapabilities,
    /// The progress token of the creating request (2025-11-25 tasks report progress
    /// with it for as long as they run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_token: Option<ProgressToken>,
}

/// What a store keeps of one task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskRecord {
    /// The task id (unguessable: it is the only handle on the task).
    pub task_id: String,
    /// The current status.
    pub status: TaskStatus,
    /// A human-readable message about the current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// Creation time, in milliseconds since the Unix epoch.
    pub created_at_ms: u64,
    /// Time of the last change, in milliseconds since the Unix epoch.
    pub last_updated_at_ms: u64,
    /// Retention from creation in milliseconds (`None`: unlimited).
    #[serde(default)]
    pub ttl_ms: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
    /// The result of a `completed` task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<JsonObject>,
    /// The JSON-RPC error of a `failed` task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    /// The input requests still unanswered (`input_required`), by key.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub input_requests: Map<String, Value>,
    /// Every input answer so far (synchronous rounds before the task, then `tasks/update`),
    /// by key: what a replay of the handler is given.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub answers: Map<String, Value>,
    /// The request the task runs.
    pub request: TaskRequest,
    /// Who may see the task when tasks are listed (a session id), if anyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Bumped by every change (compare-and-set, see [`TaskStore::replace`]).
    #[serde(default)]
    pub version: u64,
}

impl TaskRecord {
    /// Whether the retention has passed at `now_ms`.
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.ttl_ms
            .is_some_and(|ttl| now_ms >= self.created_at_ms.saturating_add(ttl))
    }
}

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// One page of [`TaskStore::list`]: the records, and the cursor of the next page.
pub type TaskPage = (Vec<TaskRecord>, Option<String>);

/// Keeps task records. Implementations must be safe to share between requests (and, for
/// a shared backend, between server replicas). A record whose retention has passed may
/// be dropped at any time and must not be returned.
pub trait TaskStore: Send + Sync + 'static {
    /// Store a new record. When this returns, [`TaskStore::get`] finds it (from any
    /// replica): the server answers `CreateTaskResult` only after it.
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), Error>>;

    /// The record of a task, if it exists and has not expired.
    fn get(&self, task_id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, Error>>;

    /// Replace a record if the stored one still has version `expected`; `record.version`
    /// is then `expected + 1`. `Ok(false)` when it changed meanwhile (or is gone).
    fn replace(&self, record: TaskRecord, expected: u64) -> BoxFuture<'_, Result<bool, Error>>;

    /// Remove a record.
    fn delete(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>>;

    /// The tasks of `owner`, oldest first, at most `limit` from after `cursor` (a task
    /// id returned as the previous page's cursor); with the next page's cursor.
    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, Error>>;

    /// Tell every replica sharing this store that `task_id` was cancelled, so that the
    /// one running it stops its handler. The default tells no one: one process, which
    /// cancels its own runs.
    fn announce_cancel(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        let _ = task_id;
        Box::pin(async { Ok(()) })
    }

    /// The ids of tasks cancelled on any replica, as they are announced; `None` (the
    /// default) when the store is not shared. Called once, when the server starts.
    fn cancellations(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        None
    }
}

/// The default [`TaskStore`]: records in this process's memory; expired ones are swept
/// as new tasks are created.
///
/// It keeps at most 10,000 records ([`MemoryTaskStore::max_records`]): when full, a new
/// task makes room by dropping the finished task updated longest ago (before its
/// retention ends); when every record is of a task still running, the new one is refused
/// (-32029).
#[derive(Debug)]
pub struct MemoryTaskStore {
    records: Mutex<HashMap<String, TaskRecord>>,
    max: usize,
}

impl Default for MemoryTaskStore {
    fn default() -> Self {
        MemoryTaskStore {
            records: Mutex::default(),
            max: 10_000,
        }
    }
}

impl MemoryTaskStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep at most `n` records.
    ///
    /// ```
    /// let store = fastmcp_server::MemoryTaskStore::new().max_records(1_000);
    /// # let _ = store;
    /// ```
    pub fn max_records(mut self, n: usize) -> Self {
        self.max = n.max(1);
        self
    }

    /// How many records it holds (expired ones not yet swept included).
    pub fn len(&self) -> usize {
        lock(&self.records).len()
    }

    /// Whether it holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Drop the finished task updated longest ago; whether there was one.
fn drop_oldest_finished(records: &mut HashMap<String, TaskRecord>) -> bool {
    let oldest = records
        .values()
        .filter(|r| r.status.is_terminal())
        .min_by_key(|r| r.last_updated_at_ms)
        .map(|r| r.task_id.clone());
    oldest.is_some_and(|id| records.remove(&id).is_some())
}

impl TaskStore for MemoryTaskStore {
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), Error>> {
        let now = now_ms();
        let mut records = lock(&self.records);
        records.retain(|_, r| !r.is_expired(now));
        let r = if records.contains_key(&record.task_id) {
            Err(Error::internal(format!(
                "task {} already exists",
                record.task_id
            )))
        } else if records.len() >= self.max && !drop_oldest_finished(&mut records) {
            Err(Error::limit_exceeded(format!(
                "Too many tasks: the server keeps {} and all of them are running",
                self.max
            )))
        } else {
            records.insert(record.task_id.clone(), record);
            Ok(())
        };
        Box::pin(async move { r })
    }

    fn get(&self, task_id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, Error>> {
        let now = now_ms();
        let r = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(task_id)
            .filter(|r| !r.is_expired(now))
            .cloned();
        Box::pin(async move { Ok(r) })
    }

    fn replace(&self, record: TaskRecord, expected: u64) -> BoxFuture<'_, Result<bool, Error>> {
        let mut records = lock(&self.records);
        let ok = match records.get_mut(&record.task_id) {
            Some(stored) if stored.version == expected => {
                *stored = TaskRecord {
                    version: expected + 1,
                    ..record
                };
                true
            }
            _ => false,
        };
        Box::pin(async move { Ok(ok) })
    }

    fn delete(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        lock(&self.records).remove(task_id);
        Box::pin(async { Ok(()) })
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, Error>> {
        let now = now_ms();
        let mut mine: Vec<TaskRecord> = self
            .records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .values()
            .filter(|r| r.owner.as_deref() == Some(owner) && !r.is_expired(now))
            .cloned()
            .collect();
        mine.sort_by(|a, b| (a.created_at_ms, &a.task_id).cmp(&(b.created_at_ms, &b.task_id)));
        let start = match cursor {
            None => Ok(0),
            Some(c) => mine
                .iter()
                .position(|r| r.task_id == c)
                .map(|i| i + 1)
                .ok_or_else(|| Error::invalid_params("Invalid cursor")),
        };
        let r = start.map(|start| {
            let page: Vec<TaskRecord> = mine
                .iter()
                .skip(start)
                .take(limit.max(1))
                .cloned()
                .collect();
            let next = (start + page.len() < mine.len())
                .then(|| page.last().map(|r| r.task_id.clone()))
                .flatten();
            (page, next)
        });
        Box::pin(async move { r })
    }
}

/// A shared store is a store (keep an `Arc` to look at the records yourself; an
/// `Arc<dyn TaskStore>` from [`crate::task_store_from_url`] too).
impl<T: TaskStore + ?Sized> TaskStore for std::sync::Arc<T> {
    fn create(&self, record: TaskRecord) -> BoxFuture<'_, Result<(), Error>> {
        (**self).create(record)
    }

    fn get(&self, task_id: &str) -> BoxFuture<'_, Result<Option<TaskRecord>, Error>> {
        (**self).get(task_id)
    }

    fn replace(&self, record: TaskRecord, expected: u64) -> BoxFuture<'_, Result<bool, Error>> {
        (**self).replace(record, expected)
    }

    fn delete(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        (**self).delete(task_id)
    }

    fn list(
        &self,
        owner: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> BoxFuture<'_, Result<TaskPage, Error>> {
        (**self).list(owner, cursor, limit)
    }

    fn announce_cancel(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        (**self).announce_cancel(task_id)
    }

    fn cancellations(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        (**self).cancellations()
    }
}

/// Apply `change` to a task's record until it sticks (compare-and-set on the version).
/// `change` returns whether it changed anything; it may run more than once. Returns the
/// record as stored afterwards (`None`: no such task).
pub(crate) async fn modify(
    store: &dyn TaskStore,
    task_id: &str,
    mut change: impl FnMut(&mut TaskRecord) -> bool,
) -> Result<Option<TaskRecord>, Error> {
    loop {
        let Some(mut r) = store.get(task_id).await? else {
            return Ok(None);
        };
        let expected = r.version;
        if !change(&mut r) {
            return Ok(Some(r));
        }
        r.last_updated_at_ms = now_ms().max(r.last_updated_at_ms);
        if store.replace(r.clone(), expected).await? {
            r.version = expected + 1;
            return Ok(Some(r));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, owner: Option<&str>, created: u64) -> TaskRecord {
        TaskRecord {
            task_id: id.into(),
            status: TaskStatus::Working,
            status_message: None,
            created_at_ms: created,
            last_updated_at_ms: created,
            ttl_ms: None,
            poll_interval_ms: None,
            result: None,
            error: None,
            input_requests: Map::new(),
            answers: Map::new(),
            request: TaskRequest {
                method: "tools/call".into(),
                name: "t".into(),
                arguments: None,
                protocol_version: "2026-07-28".into(),
                client_info: None,
                client_capabilities: ClientCapabilities::default(),
                progress_token: None,
            },
            owner: owner.map(str::to_owned),
            version: 0,
        }
    }

    #[tokio::test]
    async fn replace_is_compare_and_set() {
        let s = MemoryTaskStore::new();
        s.create(record("a", None, now_ms())).await.unwrap();
        assert!(s.create(record("a", None, now_ms())).await.is_err());
        let mut r = s.get("a").await.unwrap().unwrap();
        r.status = TaskStatus::Completed;
        assert!(s.replace(r.clone(), 0).await.unwrap());
        assert!(!s.replace(r, 0).await.unwrap());
        let stored = s.get("a").await.unwrap().unwrap();
        assert_eq!((stored.status, stored.version), (TaskStatus::Completed, 1));
        let after = modify(&s, "a", |r| {
            r.status_message = Some("done".into());
            true
        })
        .await
        .unwrap()
        .unwrap();
        assert_eq!(after.version, 2);
        assert!(modify(&s, "nope", |_| true).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_full_store_drops_the_oldest_finished_task_or_refuses() {
        let s = MemoryTaskStore::new().max_records(3);
        let now = now_ms();
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            let mut r = record(id, None, now + i as u64);
            r.status = TaskStatus::Completed;
            s.create(r).await.unwrap();
        }
        s.create(record("d", None, now + 10)).await.unwrap();
        assert_eq!(s.len(), 3);
        assert!(
            s.get("a").await.unwrap().is_none(),
            "the oldest finished one went"
        );
        s.create(record("e", None, now + 11)).await.unwrap();
        s.create(record("f", None, now + 12)).await.unwrap();
        assert!(s.get("b").await.unwrap().is_none() && s.get("c").await.unwrap().is_none());
        // d, e, f are all running: nothing may be dropped.
        let e = s.create(record("g", None, now + 13)).await.unwrap_err();
        assert_eq!(e.code(), -32029, "{e}");
        assert_eq!(s.len(), 3);
    }

    #[tokio::test]
    async fn expired_records_are_gone() {
        let s = MemoryTaskStore::new();
        let mut r = record("old", None, 1_000);
        r.ttl_ms = Some(10);
        s.create(r).await.unwrap();
        assert!(s.get("old").await.unwrap().is_none());
        s.create(record("new", None, now_ms())).await.unwrap();
        assert_eq!(s.len(), 1);
    }

    #[tokio::test]
    async fn list_pages_through_one_owner() {
        let s = MemoryTaskStore::new();
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            s.create(record(id, Some("me"), now_ms() + i as u64))
                .await
                .unwrap();
        }
        s.create(record("x", Some("other"), now_ms()))
            .await
            .unwrap();
        let (p1, next) = s.list("me", None, 2).await.unwrap();
        assert_eq!(
            p1.iter().map(|r| r.task_id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        let (p2, next2) = s.list("me", next.as_deref(), 2).await.unwrap();
        assert_eq!(p2.len(), 1);
        assert_eq!(p2[0].task_id, "c");
        assert!(next2.is_none());
        assert!(s.list("me", Some("zzz"), 2).await.is_err());
    }
}
