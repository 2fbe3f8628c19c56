//! Tool calls over Streamable HTTP: each connection its own client (initialize once), all
//! connections sequential and started together.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context as _};
use bytes::Bytes;
use tokio::sync::Barrier;

use super::http_server::start_http;
use crate::call::Call;
use crate::cli::Impl;
use crate::http::{HttpConn, Target};
use crate::outcome::{load_outcome, Cell2, Outcome};
use crate::process::{cpu_per_op, Server};
use crate::scenario::{Counts, Sizes};

pub async fn http_load(
    imp: &Impl,
    log: &Path,
    sizes: &Sizes,
    c: Counts,
    conns: usize,
    stateful: bool,
    call: Call,
) -> Cell2 {
    let (server, addr) = match start_http(imp, stateful, &[], log).await {
        Ok(x) => x,
        Err(cell) => return cell,
    };
    match load_phase(&server, addr, &imp.target(), sizes, (c, conns), call).await {
        Ok(o) => {
            server.stop().await;
            Cell2::Ok(o)
        }
        Err(e) => server.fail(e).await,
    }
}

/// `conns` connections started together against the server at `addr`, each initializing
/// its own client and making `c.warm` then `c.n` sequential calls: throughput, latencies,
/// the server's CPU per call and its memory at the end.
pub async fn load_phase(
    server: &Server,
    addr: SocketAddr,
    target: &Target,
    sizes: &Sizes,
    (c, conns): (Counts, usize),
    call: Call,
) -> anyhow::Result<Outcome> {
    let suffix = Bytes::from(call.suffix());
    let expected: Arc<str> = call.expected().into();
    let barrier = Arc::new(Barrier::new(conns + 1));
    let limit = sizes.limit + sizes.limit;
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..conns {
        let (barrier, suffix) = (barrier.clone(), suffix.clone());
        let client = Client {
            addr,
            path: target.clone(),
            c,
            expected: expected.clone(),
            check_every: call.check_every(),
        };
        tasks.spawn(async move { client.run(k, &suffix, &barrier, limit).await });
    }
    barrier.wait().await;
    let start = Instant::now();
    let cpu0 = server.cpu();
    let mut all = Vec::with_capacity(conns * c.n);
    let mut failure = None;
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(lat)) => all.extend(lat),
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(e) => {
                failure.get_or_insert(anyhow!("task: {e}"));
            }
        }
    }
    let took = start.elapsed();
    let cpu1 = server.cpu();
    if let Some(e) = failure {
        return Err(e);
    }
    let cpu = cpu_per_op(cpu0, cpu1, all.len());
    let mut o = load_outcome(all, took, cpu);
    if let Some((hwm, rss)) = server.memory() {
        o.hwm_kib = Some(hwm);
        o.rss_kib = Some(rss);
    }
    Ok(o)
}

/// One connection of the load.
struct Client {
    addr: SocketAddr,
    path: Target,
    c: Counts,
    /// The text every answer must hold; checked in the first, or every one if `check_every`.
    expected: Arc<str>,
    check_every: bool,
}

impl Client {
    /// The text to check an answer against, if this one is checked.
    fn check(&self, first: bool) -> Option<&str> {
        (first || self.check_every).then_some(&*self.expected)
    }

    /// Connect, initialize and warm up; meet the others at `barrier`; then the measured
    /// calls (stopping after `limit`): their latencies.
    async fn run(
        self,
        k: usize,
        suffix: &[u8],
        barrier: &Barrier,
        limit: Duration,
    ) -> anyhow::Result<Vec<u64>> {
        let c = self.c;
        let prepared = async {
            let mut conn = HttpConn::connect(self.addr, &self.path).await?;
            conn.initialize().await?;
            for i in 0..c.warm {
                let check = self.check(i == 0);
                conn.call(1_000_000 + i as u64, suffix, check).await?;
            }
            anyhow::Ok(conn)
        }
        .await;
        // Everyone meets at the barrier, even after a failure, so nobody waits forever.
        barrier.wait().await;
        let mut conn = prepared.with_context(|| format!("connection {k}"))?;
        let deadline = Instant::now() + limit;
        let mut lat = Vec::with_capacity(c.n);
        for i in 0..c.n {
            let t0 = Instant::now();
            let check = self.check(c.warm == 0 && i == 0);
            conn.call(i as u64 + 1, suffix, check).await?;
            lat.push(t0.elapsed().as_nanos() as u64);
            if Instant::now() > deadline {
                break;
            }
        }
        Ok(lat)
    }
}
