//! Cold start: from spawning the stdio server to its `initialize` reply, and its RSS then
//! (all of it, and its private part).

use std::path::Path;
use std::time::Instant;

use crate::cli::Impl;
use crate::outcome::{percentiles, Cell2, Outcome};
use crate::scenario::Counts;
use crate::stdio::StdioConn;

pub async fn cold_start(imp: &Impl, log: &Path, c: Counts) -> Cell2 {
    let mut lat = Vec::new();
    let mut rss = Vec::new();
    let mut private = Vec::new();
    for round in 0..c.warm + c.n {
        let t0 = Instant::now();
        let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
            Ok(c) => c,
            Err(e) => return Cell2::Failed(format!("{e:#}")),
        };
        let res = conn.initialize_request().await;
        let took = t0.elapsed();
        if let Err(e) = res {
            return conn.server.fail(e).await;
        }
        if round >= c.warm {
            lat.push(took.as_nanos() as u64);
            if let Some((_, r)) = conn.server.memory() {
                rss.push(r);
            }
            if let Some(p) = conn.server.private_memory() {
                private.push(p);
            }
        }
        conn.server.stop().await;
    }
    let mut o = Outcome {
        ops: lat.len(),
        ..Outcome::default()
    };
    percentiles(lat, &mut o);
    rss.sort_unstable();
    if let Some(r) = rss.get(rss.len() / 2) {
        o.rss_kib = Some(*r);
    }
    private.sort_unstable();
    o.extra = private.get(private.len() / 2).map(|&p| p as f64);
    Cell2::Ok(o)
}
