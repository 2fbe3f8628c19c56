//! Head-of-line blocking: one `slow` call, then sequential echo calls until it answers.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use serde_json::{json, Value};

use super::stdio_load::finish_stdio;
use crate::cli::Impl;
use crate::jsonrpc::{call_suffix, check_echo, request, response_id, MESSAGE};
use crate::outcome::Cell2;
use crate::scenario::{Counts, Sizes};
use crate::stdio::{Check, StdioConn};

const SLOW_ID: u64 = 999_999;

pub async fn slow_call(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let slow_ms = sizes.slow_ms();
    let res = async {
        conn.initialize().await?;
        let suffix = call_suffix("echo", json!({ "message": MESSAGE }));
        let far = Instant::now() + sizes.limit;
        let expected = Check {
            text: MESSAGE,
            every: false,
        };
        conn.run_calls(1, c.warm.max(1), 1_000_000, &suffix, expected, far)
            .await
            .context("warm-up")?;
        let mut buf = Vec::new();
        request(
            SLOW_ID,
            &call_suffix("slow", json!({ "ms": slow_ms })),
            &mut buf,
        );
        let slow_start = Instant::now();
        conn.send(&buf).await?;
        let give_up = Duration::from_millis(slow_ms) * 10 + sizes.limit;
        fast_calls(&mut conn, &suffix, slow_start, give_up).await
    }
    .await;
    let cell = finish_stdio(conn, res).await;
    if let Cell2::Ok(mut o) = cell {
        // Throughput here is fast calls per second during the slow call.
        o.note = Some(format!("{} fast calls during a {slow_ms} ms call", o.ops));
        return Cell2::Ok(o);
    }
    cell
}

/// Sequential echo calls until the slow call (sent at `slow_start`) answers: their
/// latencies, and how long the slow call took.
async fn fast_calls(
    conn: &mut StdioConn,
    suffix: &[u8],
    slow_start: Instant,
    give_up: Duration,
) -> anyhow::Result<(Vec<u64>, Duration)> {
    let mut buf = Vec::new();
    let mut lat = Vec::new();
    let mut id = 1u64;
    let mut slow_done = None;
    while slow_done.is_none() {
        buf.clear();
        request(id, suffix, &mut buf);
        let t0 = Instant::now();
        conn.send(&buf).await?;
        loop {
            let msg = conn.read_line().await?;
            match response_id(msg)? {
                Some(x) if x == SLOW_ID => {
                    let v: Value = serde_json::from_slice(msg)?;
                    check_echo(&v, fastmcp_bench::SLOW_REPLY)?;
                    slow_done = Some(slow_start.elapsed());
                }
                Some(x) if x == id => {
                    lat.push(t0.elapsed().as_nanos() as u64);
                    break;
                }
                Some(x) => bail!("unexpected response id {x}"),
                None => {}
            }
        }
        id += 1;
        if slow_start.elapsed() > give_up {
            bail!("the slow call did not answer");
        }
    }
    Ok((lat, slow_done.expect("set")))
}
