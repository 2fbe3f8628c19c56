//! One lazily made, self-reconnecting Redis connection (a `ConnectionManager`: multiplexed,
//! so one is a pool for async use) with a key prefix, shared by the Redis stores (tasks,
//! events). Redis need not be up when a store is made; after Redis restarts, the next
//! command reconnects. That command fails (it found the old connection dropped) unless it
//! may run twice and is sent with [`RedisConn::run_idempotent`] or
//! [`RedisConn::invoke_idempotent`]: then it is sent once more on the new connection, so a
//! restart costs no session or event write.

use std::time::Duration;

use fastmcp_core::Error;
use redis::aio::ConnectionManager;
use redis::Client;
use tokio::sync::Mutex;

/// A connection to the Redis at a URL, and the prefix of every key.
pub(crate) struct RedisConn {
    client: Client,
    conn: Mutex<Option<ConnectionManager>>,
    pub prefix: String,
    pub timeout: Duration,
}

impl RedisConn {
    pub fn new(url: &str, prefix: &str) -> Result<Self, Error> {
        let client = Client::open(url)
            .map_err(|e| Error::invalid_params(format!("Invalid Redis URL: {e}")))?;
        Ok(Self {
            client,
            conn: Mutex::new(None),
            prefix: prefix.to_owned(),
            timeout: Duration::from_secs(2),
        })
    }

    /// The client (for a pub/sub connection of one's own).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// `prefix` + `key`.
    pub fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn connection(&self) -> Result<ConnectionManager, Error> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(2);
        let c = self
            .client
            .get_connection_manager_with_config(config)
            .await
            .map_err(unavailable)?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Run one command (or a pipeline's query) on the connection.
    pub async fn run<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, Error> {
        let mut c = self.connection().await?;
        cmd.query_async(&mut c).await.map_err(unavailable)
    }

    /// Like [`RedisConn::run`], sent once more when the connection turns out dropped. Only
    /// for commands that may run twice (the old Redis may have run it just before it died):
    /// `SET` of a whole value, `GETEX`, `DEL`.
    pub async fn run_idempotent<T: redis::FromRedisValue>(
        &self,
        cmd: &redis::Cmd,
    ) -> Result<T, Error> {
        self.twice_if_dropped(|mut c| async move { cmd.query_async(&mut c).await })
            .await
    }

    /// Like [`RedisConn::invoke`], sent once more when the connection turns out dropped:
    /// only for scripts that may run twice.
    pub async fn invoke_idempotent<T: redis::FromRedisValue>(
        &self,
        inv: redis::ScriptInvocation<'_>,
    ) -> Result<T, Error> {
        let inv = &inv;
        self.twice_if_dropped(|mut c| async move { inv.invoke_async(&mut c).await })
            .await
    }

    /// `attempt` on the connection, and once more if it found the connection dropped (the
    /// connection manager has reconnected by then).
    async fn twice_if_dropped<T, F, Fut>(&self, attempt: F) -> Result<T, Error>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let c = self.connection().await?;
        match attempt(c.clone()).await {
            Err(e) if e.is_connection_dropped() => attempt(c).await,
            r => r,
        }
        .map_err(unavailable)
    }

    /// Run a Lua script with string keys and arguments.
    pub async fn script<T: redis::FromRedisValue>(
        &self,
        script: &redis::Script,
        keys: &[String],
        args: &[String],
    ) -> Result<T, Error> {
        let mut inv = script.prepare_invoke();
        for k in keys {
            inv.key(k);
        }
        for a in args {
            inv.arg(a);
        }
        self.invoke(inv).await
    }

    /// Run a prepared script invocation (`EVALSHA`, then `EVAL` when Redis lost it).
    pub async fn invoke<T: redis::FromRedisValue>(
        &self,
        inv: redis::ScriptInvocation<'_>,
    ) -> Result<T, Error> {
        let mut c = self.connection().await?;
        inv.invoke_async(&mut c).await.map_err(unavailable)
    }
}

fn unavailable(e: redis::RedisError) -> Error {
    Error::internal(format!("Redis is unavailable: {e}"))
}
