//! Idle HTTP sessions: open many (initialize + initialized, nothing else) over a few
//! connections and measure the server's memory once they are idle.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::anyhow;

use super::http_server::start_http;
use crate::cli::Impl;
use crate::http::{HttpConn, Target};
use crate::outcome::{Cell2, Outcome};
use crate::process::Server;
use crate::scenario::{Counts, Sizes};

/// What the scenario saw: sessions made, RSS after the first, then VmHWM and VmRSS (KiB).
struct Seen {
    made: usize,
    base: u64,
    hwm: u64,
    rss: u64,
}

pub async fn sessions(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let (server, addr) = match start_http(imp, true, &[], log).await {
        Ok(x) => x,
        Err(cell) => return cell,
    };
    match open_sessions(&server, addr, &imp.target(), sizes, c).await {
        Ok(s) => {
            server.stop().await;
            let per = (s.rss as f64 - s.base as f64) / (s.made.saturating_sub(1).max(1)) as f64;
            Cell2::Ok(Outcome {
                ops: s.made,
                hwm_kib: Some(s.hwm),
                rss_kib: Some(s.rss),
                extra: Some(per),
                note: (s.made < c.n)
                    .then(|| format!("only {} sessions within the time limit", s.made)),
                ..Outcome::default()
            })
        }
        Err(e) => server.fail(e).await,
    }
}

async fn open_sessions(
    server: &Server,
    addr: SocketAddr,
    path: &Target,
    sizes: &Sizes,
    c: Counts,
) -> anyhow::Result<Seen> {
    // One session first: the baseline includes whatever a first session loads.
    let mut first = HttpConn::connect(addr, path).await?;
    first.initialize().await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, base) = server.memory().ok_or_else(|| anyhow!("no /proc status"))?;
    let deadline = Instant::now() + sizes.limit * 4;
    let made = 1 + open_idle(addr, path, c.n.saturating_sub(1), deadline).await?;
    tokio::time::sleep(Duration::from_millis(if sizes.quick { 300 } else { 2_000 })).await;
    let (hwm, rss) = server.memory().ok_or_else(|| anyhow!("no /proc status"))?;
    Ok(Seen {
        made,
        base,
        hwm,
        rss,
    })
}

/// Open `n` sessions (initialize + initialized, nothing else) over at most 16 connections,
/// closed afterwards, stopping at `deadline`: how many were opened.
pub async fn open_idle(
    addr: SocketAddr,
    path: &Target,
    n: usize,
    deadline: Instant,
) -> anyhow::Result<usize> {
    let conns = 16usize.min(n);
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..conns {
        let path = path.clone();
        let share = n / conns + usize::from(k < n % conns);
        tasks.spawn(async move {
            let mut conn = HttpConn::connect(addr, &path).await?;
            let mut made = 0usize;
            for _ in 0..share {
                conn.initialize().await?;
                made += 1;
                if Instant::now() > deadline {
                    break;
                }
            }
            anyhow::Ok(made)
        });
    }
    let mut made = 0usize;
    while let Some(r) = tasks.join_next().await {
        made += r??;
    }
    Ok(made)
}
