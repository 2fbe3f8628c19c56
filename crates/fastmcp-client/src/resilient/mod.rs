//! A client that outlives its connections: [`Resilient`] reconnects with backoff and jitter
//! when the connection dies (a stdio server is started again, an HTTP server is reached
//! again), retries what is safe to retry, restores the session's log level and resource
//! subscriptions on the new connection, and stops trying a server that keeps failing
//! (a circuit breaker).
//!
//! What is retried after a lost connection: lists, reads, prompts, completions, ping, and
//! a tool call only when the tool's annotations say it is idempotent
//! (`idempotentHint: true`). A server's error answer is never retried, and neither is a
//! timeout (the server may still be working).
//!
//! ```no_run
//! # async fn f() -> Result<(), fastmcp_core::Error> {
//! use fastmcp_client::resilient::Resilient;
//! use fastmcp_client::Client;
//! use fastmcp_transport::ChildTransport;
//! // Each connection starts the server again.
//! let client = Resilient::new(|| Client::connect(ChildTransport::new("my-server")));
//! let tools = client.list_tools().await?; // reconnects if the server died
//! # Ok(()) }
//! ```

mod backoff;
mod breaker;
mod calls;
mod pool;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp_core::{BoxFuture, Error, ErrorKind};
use fastmcp_protocol::LoggingLevel;

use crate::client::Client;
use crate::settings::Settings;

pub use backoff::Backoff;
pub use breaker::{BreakerOptions, BreakerState};
pub use pool::{Pool, PoolOptions};

use breaker::Breaker;

type Connect = Arc<dyn Fn() -> BoxFuture<'static, Result<Client, Error>> + Send + Sync>;

/// How a [`Resilient`] client reconnects and retries.
#[derive(Debug, Clone, Default)]
pub struct ResilientOptions {
    /// The waits between attempts, and how many attempts one operation makes.
    pub backoff: Backoff,
    /// The circuit breaker (`None`: never stop trying).
    pub breaker: Option<BreakerOptions>,
}

struct Inner {
    connect: Connect,
    opts: ResilientOptions,
    breaker: Option<Breaker>,
    current: tokio::sync::Mutex<Option<Client>>,
    /// What the session had set, made again on each new connection.
    restore: Mutex<Settings>,
    connections: AtomicU64,
}

/// A client that reconnects: see the module docs. Clones share the connection.
#[derive(Clone)]
pub struct Resilient {
    inner: Arc<Inner>,
}

impl Resilient {
    /// A client whose every connection is made by `connect` (with the default options:
    /// 5 attempts from 100 ms to 10 s apart, no breaker). Nothing connects until the
    /// first use.
    pub fn new<F, Fut>(connect: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Client, Error>> + Send + 'static,
    {
        Self::with_options(connect, ResilientOptions::default())
    }

    /// [`Resilient::new`] with options.
    pub fn with_options<F, Fut>(connect: F, opts: ResilientOptions) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Client, Error>> + Send + 'static,
    {
        let connect: Connect = Arc::new(move || Box::pin(connect()));
        Resilient {
            inner: Arc::new(Inner {
                connect,
                breaker: opts.breaker.map(Breaker::new),
                opts,
                current: tokio::sync::Mutex::new(None),
                restore: Mutex::new(Settings::default()),
                connections: AtomicU64::new(0),
            }),
        }
    }

    /// How many connections were made so far (the first one included).
    pub fn connections(&self) -> u64 {
        self.inner.connections.load(Ordering::Relaxed)
    }

    /// The breaker's state (`Closed` when there is no breaker).
    pub fn breaker_state(&self) -> BreakerState {
        self.inner
            .breaker
            .as_ref()
            .map_or(BreakerState::Closed, Breaker::state)
    }

    /// The connection, made now if there is none or it closed: up to
    /// [`Backoff::attempts`] tries with backoff, each let through by the breaker.
    pub async fn client(&self) -> Result<Client, Error> {
        let mut slot = self.inner.current.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let backoff = self.inner.opts.backoff;
        let mut last = Error::transport("no connection attempt was made");
        for n in 0..backoff.attempts.max(1) {
            if let Some(b) = &self.inner.breaker {
                if !b.allow() {
                    return Err(Error::transport(
                        "circuit open: the server failed too often; it is tried again later",
                    ));
                }
            }
            tokio::time::sleep(backoff.delay(n)).await;
            match (self.inner.connect)().await {
                Ok(c) => {
                    let settings = self.lock_restore().clone();
                    c.adopt_settings(settings).await;
                    self.succeeded();
                    self.inner.connections.fetch_add(1, Ordering::Relaxed);
                    *slot = Some(c.clone());
                    return Ok(c);
                }
                Err(e) => {
                    tracing::debug!("reconnecting: attempt {} failed: {}", n + 1, e.message());
                    self.failed();
                    last = e;
                }
            }
        }
        Err(last)
    }

    /// Set the log level, now and on every later connection.
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.lock_restore().log_level = Some(level);
        self.run(true, move |c| {
            Box::pin(async move { c.set_log_level(level).await })
        })
        .await
    }

    /// Subscribe to a resource, now and on every later connection.
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.lock_restore().subscriptions.insert(uri.to_owned());
        let uri = uri.to_owned();
        self.run(true, move |c| {
            let uri = uri.clone();
            Box::pin(async move { c.subscribe(&uri).await })
        })
        .await
    }

    /// Unsubscribe, now and on later connections.
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.lock_restore().subscriptions.remove(uri);
        let uri = uri.to_owned();
        self.run(true, move |c| {
            let uri = uri.clone();
            Box::pin(async move { c.unsubscribe(&uri).await })
        })
        .await
    }

    fn lock_restore(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.inner
            .restore
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn succeeded(&self) {
        if let Some(b) = &self.inner.breaker {
            b.success();
        }
    }

    fn failed(&self) {
        if let Some(b) = &self.inner.breaker {
            b.failure();
        }
    }

    /// Run `op` on the connection; when the connection is lost, reconnect and, if
    /// `retry`, run it again (within the backoff's attempts).
    pub(crate) async fn run<T, F>(&self, retry: bool, op: F) -> Result<T, Error>
    where
        F: Fn(Client) -> BoxFuture<'static, Result<T, Error>>,
    {
        let backoff = self.inner.opts.backoff;
        let mut attempt = 0;
        loop {
            let c = self.client().await?;
            match op(c.clone()).await {
                Ok(v) => {
                    self.succeeded();
                    return Ok(v);
                }
                Err(e) if lost(&e, &c) => {
                    self.failed();
                    self.forget(&c).await;
                    attempt += 1;
                    if !retry || attempt >= backoff.attempts.max(1) {
                        return Err(e);
                    }
                    tokio::time::sleep(backoff.delay(attempt)).await;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One ping on the connection (made if needed), not retried: a health check.
    pub async fn ping_once(&self) -> Result<(), Error> {
        self.run(false, |c| Box::pin(async move { c.ping().await }))
            .await
    }

    /// Close the current connection, if any: the next use makes a new one.
    pub async fn disconnect(&self) {
        if let Some(old) = self.inner.current.lock().await.take() {
            let _ = old.close().await;
        }
    }

    /// Drop `c` as the current connection (if it still is).
    async fn forget(&self, c: &Client) {
        let mut slot = self.inner.current.lock().await;
        if slot
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(&s.inner, &c.inner))
        {
            if let Some(old) = slot.take() {
                let _ = old.close().await;
            }
        }
    }
}

/// Whether `e` means the connection is gone or the server unreachable (not an answer of
/// the server's): a transport error, or an HTTP transport's failure to reach it (marked
/// `"transport": true` in the error's data).
fn lost(e: &Error, c: &Client) -> bool {
    let http_failure = e
        .data()
        .and_then(|d| d.get("transport"))
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    e.kind() == ErrorKind::Transport || http_failure || c.is_closed()
}
