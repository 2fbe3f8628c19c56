//! Whole `tools/list` walks (following `nextCursor`) of a server with 1,000 extra tools.

use std::path::Path;
use std::time::Instant;

use anyhow::{anyhow, bail};
use serde_json::json;

use super::stdio_load::finish_stdio;
use crate::cli::Impl;
use crate::jsonrpc::short;
use crate::outcome::Cell2;
use crate::scenario::{Counts, Sizes};
use crate::stdio::StdioConn;

pub async fn tools_list(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let tools = sizes.extra_tools();
    let args = vec!["stdio".into(), "--tools".into(), tools.to_string()];
    let mut conn = match StdioConn::start(imp, &args, log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let res = async {
        conn.initialize().await?;
        let mut id = 1u64;
        let mut lat = Vec::with_capacity(c.n);
        let deadline = Instant::now() + sizes.limit + sizes.limit;
        let mut measured_start = Instant::now();
        for round in 0..c.warm + c.n {
            if round == c.warm {
                measured_start = Instant::now();
                conn.cpu0 = conn.server.cpu();
            }
            let t0 = Instant::now();
            let count = walk(&mut conn, &mut id).await?;
            let expected = tools + fastmcp_bench::BUILTIN_TOOLS;
            if round == 0 && count != expected {
                bail!("tools/list returned {count} tools, expected {expected}");
            }
            if round >= c.warm {
                lat.push(t0.elapsed().as_nanos() as u64);
                if Instant::now() > deadline {
                    break;
                }
            }
        }
        Ok((lat, measured_start.elapsed()))
    }
    .await;
    finish_stdio(conn, res).await
}

/// One walk through every page of `tools/list`, with request ids from `id` on; the number of
/// tools listed.
async fn walk(conn: &mut StdioConn, id: &mut u64) -> anyhow::Result<usize> {
    let mut cursor: Option<String> = None;
    let mut count = 0usize;
    let mut pages = 0;
    loop {
        let params = match &cursor {
            Some(cur) => json!({ "cursor": cur }),
            None => json!({}),
        };
        let req = json!({"jsonrpc":"2.0","id":*id,"method":"tools/list","params":params});
        conn.send(&serde_json::to_vec(&req)?).await?;
        let v = conn.wait_for(*id).await?;
        *id += 1;
        pages += 1;
        count += v["result"]["tools"]
            .as_array()
            .ok_or_else(|| anyhow!("bad tools/list response: {}", short(&v)))?
            .len();
        cursor = v["result"]["nextCursor"].as_str().map(str::to_owned);
        if cursor.is_none() || pages > 10_000 {
            return Ok(count);
        }
    }
}
