//! The rows of the table: which metrics each kind of scenario shows, and how.

use crate::outcome::Outcome;
use crate::scenario::{Kind, Scenario};

/// One row of the table: a scenario's metric.
pub struct Row {
    pub metric: &'static str,
    pub higher_is_better: bool,
    pub get: fn(&Outcome) -> Option<f64>,
    pub fmt: fn(f64) -> String,
}

/// Three significant figures or so: `123`, `12.3`, `1.23`.
fn int(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|k| k as f64 / 1024.0)
}

/// A lower-is-better row shown with `int`.
fn lower(metric: &'static str, get: fn(&Outcome) -> Option<f64>) -> Row {
    Row {
        metric,
        higher_is_better: false,
        get,
        fmt: int,
    }
}

fn load_rows() -> Vec<Row> {
    vec![
        Row {
            metric: "req/s",
            higher_is_better: true,
            get: |o| o.throughput,
            fmt: int,
        },
        lower("p50 µs", |o| o.p50_us),
        lower("p90 µs", |o| o.p90_us),
        lower("p99 µs", |o| o.p99_us),
        lower("server CPU µs/req", |o| o.cpu_us_per_op),
        lower("server peak RSS MiB", |o| mib(o.hwm_kib)),
    ]
}

/// The load over idle sessions: the load's figures, then what the sessions cost.
fn scale_rows() -> Vec<Row> {
    let mut rows: Vec<Row> = load_rows()
        .into_iter()
        .filter(|r| r.metric != "p90 µs" && r.metric != "server peak RSS MiB")
        .collect();
    rows.extend([
        lower("RSS before the sessions MiB", |o| mib(o.rss_base_kib)),
        lower("RSS with idle sessions MiB", |o| mib(o.rss_idle_kib)),
        lower("RSS after the load MiB", |o| mib(o.rss_kib)),
        lower("KiB per idle session", |o| o.extra),
        lower("idle server CPU µs/s", |o| o.idle_cpu_us_per_s),
    ]);
    rows
}

pub fn rows_for(s: &Scenario) -> Vec<Row> {
    match s.kind {
        Kind::StdioCalls { .. } | Kind::Http { .. } | Kind::ToolsList => load_rows(),
        Kind::ColdStart => vec![
            lower("median ms", |o| o.p50_us.map(|v| v / 1000.0)),
            lower("RSS after initialize MiB", |o| mib(o.rss_kib)),
            lower("private RSS after initialize MiB", |o| {
                o.extra.map(|kib| kib / 1024.0)
            }),
        ],
        Kind::Sessions => vec![
            lower("server RSS MiB", |o| mib(o.rss_kib)),
            lower("KiB per session", |o| o.extra),
        ],
        Kind::ScaleSessions { .. } => scale_rows(),
        Kind::Slow => vec![
            lower("fast-call p99 µs", |o| o.p99_us),
            Row {
                metric: "fast calls answered",
                higher_is_better: true,
                get: |o| Some(o.ops as f64),
                fmt: |v| format!("{v:.0}"),
            },
        ],
    }
}
