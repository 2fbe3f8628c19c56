//! [`Stats`](super::Stats) in the Prometheus text format.

use std::fmt::Write;
use std::sync::PoisonError;

use super::histogram::BOUNDS_US;
use super::{Registry, Series};

/// A label value with `\`, `"` and line feeds escaped (names come from clients).
fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// One family of metrics: `{total}`, `{prefix}_errors_total` and
/// `{prefix}_duration_seconds`.
fn family(out: &mut String, total: &str, prefix: &str, what: &str, series: &[(String, &Series)]) {
    let _ = writeln!(out, "# HELP {total} {what} answered.");
    let _ = writeln!(out, "# TYPE {total} counter");
    for (labels, s) in series {
        let n = s.count.load(std::sync::atomic::Ordering::Relaxed);
        let _ = writeln!(out, "{total}{{{labels}}} {n}");
    }
    let _ = writeln!(out, "# HELP {prefix}_errors_total {what} that failed.");
    let _ = writeln!(out, "# TYPE {prefix}_errors_total counter");
    for (labels, s) in series {
        let n = s.errors.load(std::sync::atomic::Ordering::Relaxed);
        let _ = writeln!(out, "{prefix}_errors_total{{{labels}}} {n}");
    }
    let name = format!("{prefix}_duration_seconds");
    let _ = writeln!(out, "# HELP {name} How long {what} took.");
    let _ = writeln!(out, "# TYPE {name} histogram");
    for (labels, s) in series {
        let h = s.latency.snapshot();
        let mut cumulative = 0;
        for (i, n) in h.buckets.iter().enumerate() {
            cumulative += n;
            let le = match BOUNDS_US.get(i) {
                Some(us) => format!("{}", *us as f64 / 1e6),
                None => "+Inf".to_owned(),
            };
            let _ = writeln!(out, "{name}_bucket{{{labels},le=\"{le}\"}} {cumulative}");
        }
        let sum = h.sum_us as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
    }
}

pub(super) fn render(r: &Registry) -> String {
    let mut out = String::new();
    let methods = r.methods.read().unwrap_or_else(PoisonError::into_inner);
    let mut series: Vec<(String, &Series)> = methods
        .iter()
        .map(|(m, s)| (format!("method=\"{}\"", escape(m)), &**s))
        .collect();
    series.sort_by(|a, b| a.0.cmp(&b.0));
    family(
        &mut out,
        "fastmcp_requests_total",
        "fastmcp_request",
        "Requests",
        &series,
    );
    let components = r.components.read().unwrap_or_else(PoisonError::into_inner);
    let mut series: Vec<(String, &Series)> = components
        .iter()
        .map(|((k, n), s)| {
            let labels = format!("kind=\"{}\",name=\"{}\"", k.as_str(), escape(n));
            (labels, &**s)
        })
        .collect();
    series.sort_by(|a, b| a.0.cmp(&b.0));
    family(
        &mut out,
        "fastmcp_component_calls_total",
        "fastmcp_component",
        "Component calls",
        &series,
    );
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_values_are_escaped() {
        assert_eq!(super::escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
