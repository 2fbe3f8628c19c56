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
    /// Scenario-specific figure (sessions: KiB per session; cold start: the private RSS
    /// after initialize, KiB).
    pub extra: Option<f64>,
    pub note: Option<String>,
    /// Scale scenarios: the server's VmRSS before the idle sessions were opened (KiB).
    pub rss_base_kib: Option<u64>,
    /// Scale scenarios: its VmRSS with the idle sessions open, before the load (KiB).
    pub rss_idle_kib: Option<u64>,
    /// Scale scenarios: idle sessions open during the load.
    pub idle_sessions: Option<usize>,
    /// Scale scenarios: the server's CPU time per second of wall time while idle with its
    /// sessions (µs/s): what keeping them costs when nothing happens.
    pub idle_cpu_us_per_s: Option<f64>,
    /// With `--rounds`, every round's figures (the fields above are then their medians).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<Outcome>,
}

/// One cell of the table. A run holds a few dozen, so the size of the `Ok` variant does
/// not matter.
#[allow(clippy::large_enum_variant)]
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

/// The median of `v` (the mean of the middle two for an even count).
pub fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// A figure of `o` with its spread: (median, min, max) over the rounds, or the figure
/// three times for a single round.
pub fn spread(o: &Outcome, get: fn(&Outcome) -> Option<f64>) -> Option<(f64, f64, f64)> {
    if o.rounds.is_empty() {
        return get(o).map(|v| (v, v, v));
    }
    let v: Vec<f64> = o.rounds.iter().filter_map(get).collect();
    let lo = v.iter().copied().reduce(f64::min)?;
    let hi = v.iter().copied().reduce(f64::max)?;
    Some((median(v)?, lo, hi))
}

/// The cells of several rounds of one scenario as one: the first failure (or
/// unsupported) if any, else each figure's median, with the rounds kept.
pub fn combine(cells: Vec<Cell2>) -> Cell2 {
    if cells.len() == 1 {
        return cells.into_iter().next().expect("one");
    }
    let mut ok = Vec::with_capacity(cells.len());
    for (k, c) in cells.into_iter().enumerate() {
        match c {
            Cell2::Ok(o) => ok.push(o),
            Cell2::Failed(e) => return Cell2::Failed(format!("round {}: {e}", k + 1)),
            u @ Cell2::Unsupported(_) => return u,
        }
    }
    Cell2::Ok(median_outcome(ok))
}

fn median_outcome(rounds: Vec<Outcome>) -> Outcome {
    let f = |g: fn(&Outcome) -> Option<f64>| median(rounds.iter().filter_map(g).collect());
    let k = |g: fn(&Outcome) -> Option<u64>| {
        median(rounds.iter().filter_map(g).map(|v| v as f64).collect()).map(|v| v.round() as u64)
    };
    Outcome {
        ops: k(|o| Some(o.ops as u64)).unwrap_or(0) as usize,
        throughput: f(|o| o.throughput),
        p50_us: f(|o| o.p50_us),
        p90_us: f(|o| o.p90_us),
        p99_us: f(|o| o.p99_us),
        max_us: f(|o| o.max_us),
        cpu_us_per_op: f(|o| o.cpu_us_per_op),
        hwm_kib: k(|o| o.hwm_kib),
        rss_kib: k(|o| o.rss_kib),
        extra: f(|o| o.extra),
        note: rounds.iter().find_map(|o| o.note.clone()),
        rss_base_kib: k(|o| o.rss_base_kib),
        rss_idle_kib: k(|o| o.rss_idle_kib),
        idle_sessions: k(|o| o.idle_sessions.map(|v| v as u64)).map(|v| v as usize),
        idle_cpu_us_per_s: f(|o| o.idle_cpu_us_per_s),
        rounds,
    }
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

    #[test]
    fn rounds_combine_to_medians() {
        let round = |t: f64| {
            Cell2::Ok(Outcome {
                throughput: Some(t),
                ..Outcome::default()
            })
        };
        let Cell2::Ok(o) = combine(vec![round(3.0), round(1.0), round(10.0)]) else {
            panic!("not ok");
        };
        assert_eq!(o.throughput, Some(3.0));
        assert_eq!(spread(&o, |o| o.throughput), Some((3.0, 1.0, 10.0)));
        assert_eq!(median(vec![1.0, 2.0, 4.0, 8.0]), Some(3.0));
        let failed = combine(vec![round(1.0), Cell2::Failed("x".into())]);
        assert!(matches!(failed, Cell2::Failed(e) if e == "round 2: x"));
    }
}
