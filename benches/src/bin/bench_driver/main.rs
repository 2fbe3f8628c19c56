//! The load driver of the benchmark: runs every scenario against every implementation and
//! prints one table (see benches/README.md).
//!
//! ```text
//! bench-driver [--quick] --impl NAME=COMMAND... [--path NAME=/p] [--skipped NAME=why]
//!              [--only SCENARIO,...] [--json FILE] [--log-dir DIR] [--driver-threads N]
//!              [--rounds R] [--idle-sessions N,...] [--vs NAME] [--context TEXT]
//! ```
//!
//! `COMMAND` is split on whitespace; the driver appends the server arguments
//! (`stdio [--tools N]` or `http --port N [--stateful]`, see `fastmcp_bench`). The first
//! `--impl` is the reference ("ours"): every other figure is also shown as a ratio to it.
//!
//! The driver speaks raw JSON-RPC: requests are serialized once per scenario (a fixed
//! suffix after the id), responses are parsed only far enough to find their id, except the
//! first of each connection, which is checked in full (the echo text must come back), and
//! every answer of `work`.

mod call;
mod cli;
mod http;
mod jsonrpc;
mod outcome;
mod process;
mod report;
mod rows;
mod run;
mod scenario;
mod sse;
mod stdio;
mod table;

use std::time::Instant;

use anyhow::bail;

use crate::cli::{Impl, Opts};
use crate::outcome::{combine, Cell2};
use crate::scenario::{Kind, Scenario, Sizes, OPT_IN, SCENARIOS};
use crate::table::Results;

/// Run scenario `s` against `imp`; a run cut short by its time limit gets a note.
async fn run_cell(opts: &Opts, sizes: &Sizes, s: &Scenario, imp: &Impl) -> Cell2 {
    let log = opts.log_dir.join(format!("{}-{}.log", imp.name, s.id));
    let c = sizes.counts(s.id);
    let cell = match s.kind {
        Kind::StdioCalls { window, call } => {
            run::stdio_calls(imp, &log, sizes, c, window, call).await
        }
        Kind::Http {
            conns,
            stateful,
            call,
        } => run::http_load(imp, &log, sizes, c, conns, stateful, call).await,
        Kind::ToolsList => run::tools_list(imp, &log, sizes, c).await,
        Kind::ColdStart => run::cold_start(imp, &log, c).await,
        Kind::Sessions => run::sessions(imp, &log, sizes, c).await,
        Kind::Slow => run::slow_call(imp, &log, sizes, c).await,
        Kind::ScaleSessions { idle } => run::scale_sessions(imp, &log, sizes, c, idle).await,
    };
    match (cell, sizes.planned(s)) {
        (Cell2::Ok(mut o), Some(p)) if o.ops < p => {
            let cut = format!("time limit: {} of {p} requests measured", o.ops);
            o.note = Some(match o.note.take() {
                Some(n) => format!("{n}; {cut}"),
                None => cut,
            });
            Cell2::Ok(o)
        }
        (cell, _) => cell,
    }
}

/// The progress line of one cell, for stderr.
fn summary(cell: &Cell2) -> String {
    match cell {
        Cell2::Ok(o) => format!(
            "ok: {} ops{}{}",
            o.ops,
            o.throughput
                .map(|t| format!(", {t:.0}/s"))
                .unwrap_or_default(),
            o.p50_us
                .map(|p| format!(", p50 {p:.0} µs"))
                .unwrap_or_default()
        ),
        Cell2::Unsupported(_) => "n/a (unsupported)".into(),
        Cell2::Failed(e) => format!("FAILED: {}", e.chars().take(200).collect::<String>()),
    }
}

/// The scenarios to run: those `--only` names, or every one but the opt-in ones.
fn selected(opts: &Opts) -> Vec<&'static Scenario> {
    SCENARIOS
        .iter()
        .filter(|s| match &opts.only {
            Some(o) => o.iter().any(|x| x == s.id),
            None => !OPT_IN.contains(&s.id),
        })
        .flat_map(|s| scenario::expand(s, &opts.idle_sessions))
        .collect()
}

async fn run(opts: Opts) -> anyhow::Result<()> {
    let sizes = Sizes::new(opts.quick);
    std::fs::create_dir_all(&opts.log_dir)?;
    let scenarios = selected(&opts);
    if scenarios.is_empty() {
        bail!("no scenario selected");
    }
    let mut results = Results::new();
    let t_all = Instant::now();
    for s in &scenarios {
        // Rounds alternate the implementations, so that a drift of the machine falls on all.
        let mut cells: Vec<Vec<Cell2>> = opts.impls.iter().map(|_| vec![]).collect();
        for round in 1..=opts.rounds {
            for (imp, cells) in opts.impls.iter().zip(&mut cells) {
                let t0 = Instant::now();
                let cell = run_cell(&opts, &sizes, s, imp).await;
                let took = t0.elapsed().as_secs_f64();
                let r = if opts.rounds > 1 {
                    format!(" {round}/{}", opts.rounds)
                } else {
                    String::new()
                };
                eprintln!(
                    "  {:<20} {:<8}{r} {took:>6.1}s  {}",
                    s.id,
                    imp.name,
                    summary(&cell)
                );
                cells.push(cell);
            }
        }
        for (imp, cells) in opts.impls.iter().zip(cells) {
            results.insert((s.id.to_owned(), imp.name.clone()), combine(cells));
        }
    }
    eprintln!("all scenarios: {:.1}s", t_all.elapsed().as_secs_f64());
    let table = table::render(&opts, &sizes, &scenarios, &results);
    println!("{table}");
    if let Some(path) = &opts.json {
        report::write_json(path, &opts, &results, &table)?;
    }
    // A peer's failure is a finding shown in the table; our own is a bug.
    let ours_failed: Vec<&str> = results
        .iter()
        .filter(|((_, i), cell)| i == "ours" && matches!(cell, Cell2::Failed(_)))
        .map(|((s, _), _)| s.as_str())
        .collect();
    if !ours_failed.is_empty() {
        bail!("ours failed in: {}", ours_failed.join(", "));
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let opts = cli::parse_opts()?;
    let rt = if opts.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(run(opts))
}
