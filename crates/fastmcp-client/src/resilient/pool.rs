//! A pool of connections to one server: requests are spread over its members in turn,
//! skipping those whose last health check failed; a background task pings every member
//! and drops the connection of one that does not answer, so it reconnects.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::Error;

use super::{Resilient, ResilientOptions};
use crate::client::Client;

/// How a [`Pool`] is made and checked.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// How many connections (4).
    pub size: usize,
    /// How often each member is pinged, and how long a ping may take (5 s).
    pub health_interval: Duration,
    /// How each member reconnects and retries.
    pub resilient: ResilientOptions,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            size: 4,
            health_interval: Duration::from_secs(5),
            resilient: ResilientOptions::default(),
        }
    }
}

struct Member {
    client: Resilient,
    healthy: AtomicBool,
}

/// Several [`Resilient`] connections to one server, health-checked. Dropping the pool
/// stops its health checks.
pub struct Pool {
    members: Arc<Vec<Member>>,
    next: AtomicUsize,
    checker: tokio::task::JoinHandle<()>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.checker.abort();
    }
}

impl Pool {
    /// A pool whose members connect with `connect` (lazily, on first use or first health
    /// check). Call inside a tokio runtime.
    pub fn new<F, Fut>(connect: F, opts: PoolOptions) -> Pool
    where
        F: Fn() -> Fut + Clone + Send + Sync + 'static,
        Fut: std::future::Future<Output = Result<Client, Error>> + Send + 'static,
    {
        let members: Arc<Vec<Member>> = Arc::new(
            (0..opts.size.max(1))
                .map(|_| Member {
                    client: Resilient::with_options(connect.clone(), opts.resilient.clone()),
                    healthy: AtomicBool::new(true),
                })
                .collect(),
        );
        let checker = tokio::spawn(check(members.clone(), opts.health_interval));
        Pool {
            members,
            next: AtomicUsize::new(0),
            checker,
        }
    }

    /// The next member in turn that passed its last health check (any member, when none
    /// did). A clone: use it for one request or many.
    pub fn get(&self) -> Resilient {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.members[(start + i) % n])
            .find(|m| m.healthy.load(Ordering::Relaxed))
            .unwrap_or(&self.members[start % n])
            .client
            .clone()
    }

    /// How many members passed their last health check.
    pub fn healthy(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.healthy.load(Ordering::Relaxed))
            .count()
    }

    /// How many members there are.
    pub fn size(&self) -> usize {
        self.members.len()
    }
}

/// Ping every member each `interval`; one that fails is marked unhealthy and its
/// connection dropped (the next use or check reconnects).
async fn check(members: Arc<Vec<Member>>, interval: Duration) {
    loop {
        tokio::time::sleep(interval).await;
        for m in members.iter() {
            let ok = matches!(
                tokio::time::timeout(interval, m.client.ping_once()).await,
                Ok(Ok(()))
            );
            if !ok {
                m.client.disconnect().await;
            }
            m.healthy.store(ok, Ordering::Relaxed);
        }
    }
}
