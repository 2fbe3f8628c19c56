//! Scale: echo calls over 32 connections of a stateful server that already holds N idle
//! sessions. Run at several N, it shows how the CPU per call, the latency and the memory
//! grow with the sessions a server keeps.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::anyhow;

use super::http_load::load_phase;
use super::http_server::start_http;
use super::sessions::open_idle;
use crate::call::Call;
use crate::cli::Impl;
use crate::http::Target;
use crate::outcome::{Cell2, Outcome};
use crate::process::Server;
use crate::scenario::{Counts, Sizes, SCALE_CONNS};

/// Start the server stateful with room for `idle` sessions and the load's, open the idle
/// ones, then run the load over them.
pub async fn scale_sessions(
    imp: &Impl,
    log: &Path,
    sizes: &Sizes,
    c: Counts,
    idle: usize,
) -> Cell2 {
    // Room for the idle sessions, the load's, and a margin.
    let room = idle + SCALE_CONNS + 64;
    let extra = vec!["--max-sessions".to_owned(), room.to_string()];
    let (server, addr) = match start_http(imp, true, &extra, log).await {
        Ok(x) => x,
        Err(cell) => return cell,
    };
    match measure(&server, addr, &imp.target(), sizes, c, idle).await {
        Ok(o) => {
            server.stop().await;
            Cell2::Ok(o)
        }
        Err(e) => server.fail(e).await,
    }
}

fn rss(server: &Server) -> anyhow::Result<u64> {
    let (_, rss) = server.memory().ok_or_else(|| anyhow!("no /proc status"))?;
    Ok(rss)
}

async fn measure(
    server: &Server,
    addr: SocketAddr,
    target: &Target,
    sizes: &Sizes,
    c: Counts,
    idle: usize,
) -> anyhow::Result<Outcome> {
    tokio::time::sleep(Duration::from_millis(200)).await;
    let base = rss(server)?;
    // Opening 100,000 sessions takes tens of seconds on a small machine.
    let open_limit = if sizes.quick {
        sizes.limit * 4
    } else {
        Duration::from_secs(300)
    };
    let made = open_idle(addr, target, idle, Instant::now() + open_limit).await?;
    // Let the connections that opened them close, then watch the server idle.
    let settle = Duration::from_millis(if sizes.quick { 300 } else { 2_000 });
    tokio::time::sleep(settle / 4).await;
    let (t0, cpu0) = (Instant::now(), server.cpu());
    tokio::time::sleep(settle).await;
    let idle_cpu = match (cpu0, server.cpu()) {
        (Some(a), Some(b)) => {
            Some(b.saturating_sub(a) as f64 / 1_000.0 / t0.elapsed().as_secs_f64())
        }
        _ => None,
    };
    let rss_idle = rss(server)?;
    let mut o = load_phase(server, addr, target, sizes, (c, SCALE_CONNS), Call::Echo).await?;
    o.rss_base_kib = Some(base);
    o.rss_idle_kib = Some(rss_idle);
    o.idle_sessions = Some(made);
    // Below 1,000 sessions the growth is mostly the first session's one-time cost.
    o.extra = (made >= 1_000).then(|| (rss_idle as f64 - base as f64) / made as f64);
    o.idle_cpu_us_per_s = idle_cpu;
    if made < idle {
        o.note = Some(format!(
            "only {made} of {idle} idle sessions opened within the time limit"
        ));
    }
    Ok(o)
}
