//! The end of a run: the table of outcomes and what must hold for it to pass.

use std::time::Duration;

use super::procs::mib;
use super::run::Options;
use super::tally::{Counts, Tally};

/// What a run ended with.
pub struct Ending<'a> {
    pub opts: &'a Options,
    pub tally: &'a Tally,
    /// The server's RSS (KiB) at each sample.
    pub samples: Vec<(Duration, u64)>,
    /// The server's live tasks at rest before the clients came, and after they left.
    pub baseline: u64,
    pub end_tasks: u64,
    /// The server's open descriptors at rest before and after.
    pub base_fds: usize,
    pub end_fds: usize,
    /// Connections the clients made in all.
    pub connections: u64,
    pub restarts: u64,
    pub cuts: u64,
    /// `slow` calls started, cancelled and finished (by the server now running).
    pub slow: [u64; 3],
    pub running_tasks: u64,
}

/// Print the outcomes and the checks; whether every check passed.
pub fn judge(e: &Ending<'_>) -> anyhow::Result<bool> {
    let mut checks: Vec<(bool, String)> = Vec::new();
    let mut check = |ok: bool, what: String| checks.push((ok, what));
    let mut wrong = 0;
    let mut hung = 0;
    for phase in ["workload", "recovery"] {
        let counts = e.tally.phase(phase);
        if counts.is_empty() {
            continue;
        }
        println!("\n{phase}:");
        println!(
            "  {:<10} {:>8} {:>7} {:>5} {:>4}",
            "operation", "ok", "failed", "wrong", "hung"
        );
        let mut all = Counts::default();
        for (kind, c) in &counts {
            println!(
                "  {kind:<10} {:>8} {:>7} {:>5} {:>4}",
                c.ok, c.failed, c.wrong, c.hung
            );
            for s in &c.samples {
                println!("      e.g. {}", s.chars().take(160).collect::<String>());
            }
            all.ok += c.ok;
            all.failed += c.failed;
            wrong += c.wrong;
            hung += c.hung;
        }
        let calm = phase == "recovery" || !e.opts.chaos;
        if calm {
            check(
                all.failed == 0 && all.ok > 0,
                format!(
                    "{phase}: {} operations succeeded, {} failed",
                    all.ok, all.failed
                ),
            );
        } else {
            println!("  (failures are expected while connections and the server are killed)");
        }
    }
    println!();
    check(wrong == 0, format!("no wrong answer ({wrong})"));
    check(hung == 0, format!("no operation hung ({hung})"));
    if !e.opts.chaos {
        memory(e, &mut check);
    }
    check(
        e.end_tasks <= e.baseline,
        format!(
            "the server's live tasks (connections, sessions, requests, task runs) back to rest: {} after, {} before",
            e.end_tasks, e.baseline
        ),
    );
    check(
        e.end_fds <= e.base_fds + 2,
        format!(
            "its descriptors back to rest: {} after, {} before",
            e.end_fds, e.base_fds
        ),
    );
    let [started, cancelled, done] = e.slow;
    check(
        started == cancelled + done && e.running_tasks == 0,
        format!("every cancelled call ended on the server: {started} started, {cancelled} cancelled, {done} finished"),
    );
    println!(
        "clients made {} connections; the server was restarted {} times; the relay cut {} connections",
        e.connections, e.restarts, e.cuts
    );
    let passed = checks.iter().all(|(ok, _)| *ok);
    for (ok, what) in &checks {
        println!("{} {what}", if *ok { "PASS" } else { "FAIL" });
    }
    Ok(passed)
}

/// The server's memory at the end within 10% of what it held after warm-up (the sample
/// nearest 5 minutes in, or a third of the run if that is shorter).
fn memory(e: &Ending<'_>, check: &mut impl FnMut(bool, String)) {
    let warm = Duration::from_secs(300).min(e.opts.duration / 3);
    let reference = e
        .samples
        .iter()
        .min_by_key(|(at, _)| at.abs_diff(warm))
        .copied();
    let (Some((at, reference)), Some(&(end_at, end))) = (reference, e.samples.last()) else {
        check(false, "no memory samples".into());
        return;
    };
    let growth = end as f64 / reference.max(1) as f64 - 1.0;
    check(
        growth <= 0.10,
        format!(
            "server memory: {} at {} s, {} at {} s ({:+.1}%, at most +10%)",
            mib(reference),
            at.as_secs(),
            mib(end),
            end_at.as_secs(),
            growth * 100.0
        ),
    );
}
