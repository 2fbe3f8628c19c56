//! Tool calls over stdio, one at a time or with a window in flight.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::call::Call;
use crate::cli::Impl;
use crate::outcome::{load_outcome, Cell2};
use crate::process::cpu_per_op;
use crate::scenario::{Counts, Sizes};
use crate::stdio::{Check, StdioConn};

pub async fn stdio_calls(
    imp: &Impl,
    log: &Path,
    sizes: &Sizes,
    c: Counts,
    window: usize,
    call: Call,
) -> Cell2 {
    let suffix = call.suffix();
    let expected = Check {
        text: &call.expected(),
        every: call.check_every(),
    };
    let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let res = async {
        conn.initialize().await?;
        let far = Instant::now() + sizes.limit;
        if c.warm > 0 {
            conn.run_calls(window, c.warm, 1_000_000, &suffix, expected, far)
                .await
                .context("warm-up")?;
        }
        let deadline = Instant::now() + sizes.limit;
        conn.cpu0 = conn.server.cpu();
        conn.run_calls(window, c.n, 1, &suffix, expected, deadline)
            .await
    }
    .await;
    finish_stdio(conn, res).await
}

/// The cell of a stdio run: its figures with the server's CPU and memory, or its failure.
pub async fn finish_stdio(conn: StdioConn, res: anyhow::Result<(Vec<u64>, Duration)>) -> Cell2 {
    match res {
        Ok((lat, took)) => {
            let cpu = cpu_per_op(conn.cpu0, conn.server.cpu(), lat.len());
            let mut o = load_outcome(lat, took, cpu);
            if let Some((hwm, rss)) = conn.server.memory() {
                o.hwm_kib = Some(hwm);
                o.rss_kib = Some(rss);
            }
            conn.server.stop().await;
            Cell2::Ok(o)
        }
        Err(e) => conn.server.fail(e).await,
    }
}
