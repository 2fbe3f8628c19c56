//! Two servers side by side: the checks whose status differs, and median latencies.

use std::fmt::Write as _;
use std::time::Instant;

use serde::Serialize;
use serde_json::json;

use crate::checks::{lifecycle, Ctx};
use crate::report::{Report, Status};
use crate::run::run;
use crate::session::{Outcome, Session};
use crate::target::{Era, Options, Target};

/// A check whose status differs between the two servers.
#[derive(Debug, Clone, Serialize)]
pub struct Difference {
    /// The era.
    pub era: Era,
    /// The check id.
    pub id: String,
    /// Its status against A (none: it did not run).
    pub a: Option<Status>,
    /// Its status against B.
    pub b: Option<Status>,
}

/// The median latency of one method against each server.
#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    /// The method (`ping`, `tools/list`).
    pub method: String,
    /// Median over the repetitions, in milliseconds (none: it never succeeded).
    pub a_median_ms: Option<f64>,
    /// The same against B.
    pub b_median_ms: Option<f64>,
}

/// The result of [`compare`].
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The run against A.
    pub a: Report,
    /// The run against B.
    pub b: Report,
    /// Checks whose status differs.
    pub differences: Vec<Difference>,
    /// Per-method median latencies.
    pub latency: Vec<Latency>,
}

/// Methods whose latency is measured.
const TIMED: &[&str] = &["ping", "tools/list"];

/// Run the catalogue against both targets, and time a few requests of each.
pub async fn compare(a: Target, b: Target, opts: &Options) -> Comparison {
    let la = latencies(&a, opts).await;
    let lb = latencies(&b, opts).await;
    let ra = run(a, opts).await;
    let rb = run(b, opts).await;
    let mut differences = Vec::new();
    for era in [Era::Handshake, Era::Stateless] {
        let mut ids: Vec<&str> = Vec::new();
        for r in [&ra, &rb] {
            for e in r.eras.iter().filter(|e| e.era == era) {
                for c in &e.checks {
                    if !ids.contains(&c.id.as_str()) {
                        ids.push(&c.id);
                    }
                }
            }
        }
        for id in ids {
            let sa = ra.check(era, id).map(|c| c.status);
            let sb = rb.check(era, id).map(|c| c.status);
            if sa != sb {
                differences.push(Difference {
                    era,
                    id: id.to_owned(),
                    a: sa,
                    b: sb,
                });
            }
        }
    }
    let latency = TIMED
        .iter()
        .zip(la.into_iter().zip(lb))
        .map(|(m, (x, y))| Latency {
            method: (*m).to_owned(),
            a_median_ms: x,
            b_median_ms: y,
        })
        .collect();
    Comparison {
        a: ra,
        b: rb,
        differences,
        latency,
    }
}

/// The median latency of each [`TIMED`] method over a handshake-era session.
async fn latencies(target: &Target, opts: &Options) -> Vec<Option<f64>> {
    let none = vec![None; TIMED.len()];
    let Ok(s) = Session::open(target, Era::Handshake, opts.timeout).await else {
        return none;
    };
    let mut ctx = Ctx::new(s, opts, target);
    if !lifecycle::initialize(&mut ctx).await.1 {
        ctx.s.close().await;
        return none;
    }
    let mut out = Vec::new();
    for m in TIMED {
        let mut times = Vec::new();
        for _ in 0..opts.latency_reps.max(1) {
            let t = Instant::now();
            let a = ctx.s.request(m, json!({})).await;
            if matches!(a.outcome, Outcome::Ok(_)) {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        out.push(times.get(times.len() / 2).copied());
    }
    ctx.s.close().await;
    out
}

fn cell(s: Option<Status>) -> String {
    s.map(|s| format!("{s:?}").to_uppercase())
        .unwrap_or_else(|| "-".into())
}

fn ms(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2} ms"))
        .unwrap_or_else(|| "-".into())
}

impl Comparison {
    /// Whether any check's status differs.
    pub fn differs(&self) -> bool {
        !self.differences.is_empty()
    }

    /// The differing checks and the latencies, as aligned tables.
    pub fn render_table(&self) -> String {
        let mut out = format!("A: {}\nB: {}\n\n", self.a.target, self.b.target);
        let w = self
            .differences
            .iter()
            .map(|d| d.id.len())
            .max()
            .unwrap_or(5)
            .max(5);
        if self.differences.is_empty() {
            out.push_str("every check has the same status against A and B\n");
        } else {
            let _ = writeln!(out, "{:<10} {:<w$}  {:<5}  {:<5}", "era", "check", "A", "B");
            for d in &self.differences {
                let era = format!("{:?}", d.era).to_lowercase();
                let _ = writeln!(
                    out,
                    "{era:<10} {:<w$}  {:<5}  {:<5}",
                    d.id,
                    cell(d.a),
                    cell(d.b)
                );
            }
        }
        let _ = writeln!(
            out,
            "\n{:<12} {:>12} {:>12}",
            "method", "A median", "B median"
        );
        for l in &self.latency {
            let _ = writeln!(
                out,
                "{:<12} {:>12} {:>12}",
                l.method,
                ms(l.a_median_ms),
                ms(l.b_median_ms)
            );
        }
        out
    }
}
