//! [`RedisStore`] (feature `redis`): the authorization server's state in Redis, shared by
//! its replicas: a sign-in started on one finishes on another, a token issued by one is
//! accepted by another, a restart loses nothing. Every key has its time to live (`SET ..
//! EX`); a swap is one atomic `SET .. XX GET`. Keys carry a prefix so that several servers
//! share one Redis.

use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};
use redis::aio::ConnectionManager;
use redis::Client;
use tokio::sync::Mutex;

use crate::store::AuthStore;

/// State in the Redis at a URL (`redis://host:port/db`, `redis://user:password@host`).
///
/// ```
/// use fastmcp_auth_server::RedisStore;
/// let store = RedisStore::new("redis://127.0.0.1:6379")
///     .unwrap()
///     .prefix("myapp:auth:");
/// # let _ = store;
/// ```
pub struct RedisStore {
    client: Client,
    conn: Mutex<Option<ConnectionManager>>,
    prefix: String,
    timeout: Duration,
}

impl RedisStore {
    /// A store in the Redis at `url`; connects on first use (Redis need not be up yet) and
    /// reconnects after Redis restarts.
    pub fn new(url: &str) -> Result<Self, Error> {
        let client = Client::open(url)
            .map_err(|e| Error::invalid_params(format!("Invalid Redis URL: {e}")))?;
        Ok(Self {
            client,
            conn: Mutex::new(None),
            prefix: "fastmcp:auth:".into(),
            timeout: Duration::from_secs(2),
        })
    }

    /// The prefix of its keys (default `fastmcp:auth:`).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one command may take, connecting included (2 seconds by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
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

    async fn run<T: redis::FromRedisValue>(&self, cmd: redis::Cmd) -> Result<T, Error> {
        let mut c = self.connection().await?;
        cmd.query_async(&mut c).await.map_err(unavailable)
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

fn unavailable(e: redis::RedisError) -> Error {
    Error::internal(format!(
        "the authorization server's Redis is unavailable: {e}"
    ))
}

fn set(key: String, value: String, ttl: Duration) -> redis::Cmd {
    let mut c = redis::cmd("SET");
    c.arg(key)
        .arg(value)
        .arg("PX")
        .arg(ttl.as_millis().max(1) as u64);
    c
}

impl AuthStore for RedisStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move { self.run::<()>(set(self.key(key), value, ttl)).await })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let mut c = redis::cmd("GET");
            c.arg(self.key(key));
            self.run(c).await
        })
    }

    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        Box::pin(async move {
            let mut c = set(self.key(key), value, ttl);
            c.arg("XX").arg("GET");
            self.run(c).await
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let mut c = redis::cmd("DEL");
            c.arg(self.key(key));
            self.run::<()>(c).await
        })
    }
}
