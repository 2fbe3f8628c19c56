//! [`RedisSessionStore`] (feature `redis`): handshake-era sessions shared by replicas through
//! Redis. A record is a JSON string that expires after the session's idle timeout (each load
//! starts it again, `GETEX … PX`); messages between replicas go through pub/sub, one channel
//! per replica and one for all, over one subscription connection per process. Every command
//! here may run twice, so each is sent once more when Redis restarted under it.

use std::time::Duration;

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::session_store::{SessionRecord, SessionStore};
use crate::redis_conn::RedisConn;
use crate::redis_hub::Hub;

/// Sessions in the Redis at a URL.
///
/// ```
/// use fastmcp_server::{HttpOptions, RedisEventStore, RedisSessionStore};
/// use std::sync::Arc;
/// let url = "redis://127.0.0.1:6379";
/// let opts = HttpOptions::default()
///     .session_store(RedisSessionStore::new(url).unwrap().prefix("myapp:sessions:"))
///     .event_store(Some(Arc::new(RedisEventStore::new(url).unwrap().prefix("myapp:events:"))));
/// # let _ = opts;
/// ```
pub struct RedisSessionStore {
    conn: RedisConn,
    hub: Hub,
}

impl RedisSessionStore {
    /// Sessions in the Redis at `url`, under the prefix `fastmcp:sessions:`. Connects on
    /// first use and reconnects after Redis restarts.
    pub fn new(url: &str) -> Result<Self, Error> {
        let conn = RedisConn::new(url, "fastmcp:sessions:")?;
        let hub = Hub::new(conn.client().clone());
        Ok(Self { conn, hub })
    }

    /// The prefix of its keys and channels (several servers share one Redis under
    /// different ones).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.conn.prefix = prefix.to_owned();
        self
    }

    fn key(&self, id: &str) -> String {
        self.conn.key(&format!("session:{id}"))
    }

    fn channel(&self, to: Option<&str>) -> String {
        match to {
            Some(replica) => self.conn.key(&format!("replica:{replica}")),
            None => self.conn.key("replicas"),
        }
    }
}

fn millis(d: Duration) -> u64 {
    d.as_millis().clamp(1, u64::MAX as u128) as u64
}

impl SessionStore for RedisSessionStore {
    fn save(&self, record: &SessionRecord, idle: Duration) -> BoxFuture<'_, Result<(), Error>> {
        let key = self.key(&record.id);
        let json = serde_json::to_string(record);
        Box::pin(async move {
            let json = json.map_err(|e| Error::internal(e.to_string()))?;
            let mut cmd = redis::cmd("SET");
            cmd.arg(key).arg(json).arg("PX").arg(millis(idle));
            self.conn.run_idempotent::<()>(&cmd).await
        })
    }

    fn load(
        &self,
        id: &str,
        idle: Duration,
    ) -> BoxFuture<'_, Result<Option<SessionRecord>, Error>> {
        let key = self.key(id);
        Box::pin(async move {
            let mut cmd = redis::cmd("GETEX");
            cmd.arg(key).arg("PX").arg(millis(idle));
            let text: Option<String> = self.conn.run_idempotent(&cmd).await?;
            match text {
                None => Ok(None),
                Some(t) => serde_json::from_str(&t)
                    .map(Some)
                    .map_err(|e| Error::internal(format!("a stored session cannot be read: {e}"))),
            }
        })
    }

    fn remove(&self, id: &str) -> BoxFuture<'_, Result<(), Error>> {
        let key = self.key(id);
        Box::pin(async move {
            let mut cmd = redis::cmd("DEL");
            cmd.arg(key);
            self.conn.run_idempotent::<()>(&cmd).await
        })
    }

    fn send(&self, to: Option<&str>, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let channel = self.channel(to);
        Box::pin(async move {
            let mut cmd = redis::cmd("PUBLISH");
            cmd.arg(channel).arg(message.get());
            self.conn.run_idempotent::<i64>(&cmd).await.map(|_| ())
        })
    }

    fn beat(&self, me: &str, ttl: Duration) -> BoxFuture<'_, Result<(), Error>> {
        let key = self.conn.key(&format!("alive:{me}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(key).arg(1).arg("PX").arg(millis(ttl));
            self.conn.run_idempotent::<()>(&cmd).await
        })
    }

    fn alive(&self, replica: &str) -> BoxFuture<'_, Result<bool, Error>> {
        let key = self.conn.key(&format!("alive:{replica}"));
        Box::pin(async move {
            let mut cmd = redis::cmd("EXISTS");
            cmd.arg(key);
            Ok(self.conn.run_idempotent::<i64>(&cmd).await? == 1)
        })
    }

    fn inbox(&self, me: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>> {
        let (mine, all) = (self.channel(Some(me)), self.channel(None));
        Box::pin(async move {
            let mut direct = self.hub.follow(&mine).await?;
            let mut broadcast = self.hub.follow(&all).await?;
            let (tx, rx) = mpsc::channel(1024);
            tokio::spawn(async move {
                loop {
                    let m = tokio::select! {
                        m = direct.recv() => m,
                        m = broadcast.recv() => m,
                        _ = tx.closed() => return,
                    };
                    let Some(m) = m else { return };
                    if tx.send(m).await.is_err() {
                        return;
                    }
                }
            });
            Ok(rx)
        })
    }
}
