//! What one scenario against one implementation measured, and the latency percentiles.

#[derive(Default, Clone, serde::Serialize)]
pub struct Outcome {
    /// Completed measured operations.
    pub ops: usize,
    /// Operations per second over the measured phase.
    pub throughput: Option<f64>,
    pub p50_us: Option<f64>,
    pub p90_us: Option<f64>,
    pub p99_us: Option<f64>,
    pub max_us: Option<f64>,
    /// Server CPU time (user + system) per measured operation, µs.
    pub cpu_us_per_op: Option<f64>,
    /// Server VmHWM at the end (KiB).
    pub hwm_kib: Option<u64>,
    /// Server VmRSS at the end (KiB).
    pub rss_kib: Option<u64>,
    /// Scenario-specific figure (sessions: KiB per session; cold start: RSS after init).
    pub extra: Option<f64>,
    pub note: Option<String>,
}

/// One cell of the table.
#[derive(Clone, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "lowercase")]
pub enum Cell2 {
    Ok(Outcome),
    Unsupported(String),
    Failed(String),
}

/// Fill the percentiles of `out` from latencies in nanoseconds (nearest rank).
pub fn percentiles(mut lat_ns: Vec<u64>, out: &mut Outcome) {
    if lat_ns.is_empty() {
        return;
    }
    lat_ns.sort_unstable();
    let at = |q: f64| {
        let i = ((lat_ns.len() as f64 * q).ceil() as usize).clamp(1, lat_ns.len()) - 1;
        lat_ns[i] as f64 / 1_000.0
    };
    out.p50_us = Some(at(0.50));
    out.p90_us = Some(at(0.90));
    out.p99_us = Some(at(0.99));
    out.max_us = Some(*lat_ns.last().expect("not empty") as f64 / 1_000.0);
}

/// Throughput and latencies of a load phase (`lat`: each measured operation's latency in
/// ns; `took`: the phase's wall time) with the server's CPU per operation.
pub fn load_outcome(
    lat: Vec<u64>,
    took: std::time::Duration,
    cpu_us_per_op: Option<f64>,
) -> Outcome {
    let mut o = Outcome {
        ops: lat.len(),
        throughput: Some(lat.len() as f64 / took.as_secs_f64()),
        cpu_us_per_op,
        ..Outcome::default()
    };
    percentiles(lat, &mut o);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_ranks() {
        let mut o = Outcome::default();
        percentiles((1..=100).map(|x| x * 1000).collect(), &mut o);
        assert_eq!(o.p50_us, Some(50.0));
        assert_eq!(o.p99_us, Some(99.0));
        assert_eq!(o.max_us, Some(100.0));
    }
}
