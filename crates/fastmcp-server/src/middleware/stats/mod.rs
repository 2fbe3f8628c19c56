//! [`Stats`]: counters and latency histograms per method and per component.

mod histogram;
mod prometheus;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;

use super::{CallNext, Middleware};
use crate::service::McpRequest;
use histogram::Histogram;

/// How many distinct methods and components are tracked; later ones are counted together
/// under the name `(other)` (a client may send any method name or resource URI).
const MAX_METHODS: usize = 128;
const MAX_COMPONENTS: usize = 1024;

/// The name the series past the caps are counted under.
pub const OTHER: &str = "(other)";

/// Request statistics: for every method and every component (tool, prompt, resource), the
/// number of requests, how many failed, and a latency histogram (mean, p50, p90, p99, max).
/// A cheap handle (clones share the numbers): install it with [`crate::Server::stats`],
/// read it with [`Stats::snapshot`], [`Stats::prometheus`] or from
/// [`crate::RunningServer::stats`]; an HTTP server can serve it at `/metrics`
/// ([`crate::HttpOptions::metrics`]).
///
/// A request fails when it is answered with a JSON-RPC error, and a tool call also when
/// its result has `isError: true`. Nested calls of handlers are counted too.
///
/// ```
/// use fastmcp_server::{middleware::Stats, Server};
///
/// let stats = Stats::new();
/// let server = Server::new("demo", "1.0").stats(stats.clone());
/// // later: stats.snapshot().method("tools/call").map(|m| m.count)
/// # let _ = server;
/// assert!(stats.snapshot().methods.is_empty());
/// ```
#[derive(Clone, Default)]
pub struct Stats {
    inner: Arc<Registry>,
}

#[derive(Default)]
struct Registry {
    methods: RwLock<HashMap<String, Arc<Series>>>,
    components: RwLock<HashMap<(ComponentKind, String), Arc<Series>>>,
}

/// The kind of component a series counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentKind {
    /// A tool (`tools/call`).
    Tool,
    /// A prompt (`prompts/get`).
    Prompt,
    /// A resource, by URI (`resources/read`).
    Resource,
}

impl ComponentKind {
    /// `tool`, `prompt` or `resource`.
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Tool => "tool",
            ComponentKind::Prompt => "prompt",
            ComponentKind::Resource => "resource",
        }
    }
}

#[derive(Default)]
struct Series {
    count: AtomicU64,
    errors: AtomicU64,
    latency: Histogram,
}

impl Series {
    fn record(&self, d: Duration, failed: bool) {
        self.count.fetch_add(1, Relaxed);
        if failed {
            self.errors.fetch_add(1, Relaxed);
        }
        self.latency.record(d);
    }
}

/// The series of `key` in `map`, made when missing (under `other` past `max` series).
fn series<K: std::hash::Hash + Eq>(
    map: &RwLock<HashMap<K, Arc<Series>>>,
    key: K,
    max: usize,
    other: impl FnOnce() -> K,
) -> Arc<Series> {
    if let Some(s) = map.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
        return s.clone();
    }
    let mut w = map.write().unwrap_or_else(PoisonError::into_inner);
    let key = if w.len() >= max && !w.contains_key(&key) {
        other()
    } else {
        key
    };
    w.entry(key).or_default().clone()
}

impl Stats {
    /// Empty statistics.
    pub fn new() -> Self {
        Stats::default()
    }

    fn method_series(&self, method: &str) -> Arc<Series> {
        if let Some(s) = self
            .inner
            .methods
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(method)
        {
            return s.clone();
        }
        series(&self.inner.methods, method.to_owned(), MAX_METHODS, || {
            OTHER.to_owned()
        })
    }

    fn component_series(&self, kind: ComponentKind, name: String) -> Arc<Series> {
        series(&self.inner.components, (kind, name), MAX_COMPONENTS, || {
            (kind, OTHER.to_owned())
        })
    }

    /// The numbers now, sorted by method and by component.
    pub fn snapshot(&self) -> StatsSnapshot {
        let mut methods: Vec<SeriesSnapshot> = self
            .inner
            .methods
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(m, s)| SeriesSnapshot::of(None, m.clone(), s))
            .collect();
        methods.sort_by(|a, b| a.name.cmp(&b.name));
        let mut components: Vec<SeriesSnapshot> = self
            .inner
            .components
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|((k, n), s)| SeriesSnapshot::of(Some(*k), n.clone(), s))
            .collect();
        components.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        StatsSnapshot {
            methods,
            components,
        }
    }

    /// The numbers in the Prometheus text format (version 0.0.4): the counters
    /// `fastmcp_requests_total` and `fastmcp_request_errors_total` and the histogram
    /// `fastmcp_request_duration_seconds`, labelled by `method`; and
    /// `fastmcp_component_calls_total`, `fastmcp_component_errors_total` and
    /// `fastmcp_component_duration_seconds`, labelled by `kind` and `name`.
    pub fn prometheus(&self) -> String {
        prometheus::render(&self.inner)
    }
}

/// The component a request is for.
fn component(req: &McpRequest) -> Option<(ComponentKind, String)> {
    let kind = match req.method() {
        "tools/call" => ComponentKind::Tool,
        "prompts/get" => ComponentKind::Prompt,
        "resources/read" => {
            return req.resource_uri().map(|u| (ComponentKind::Resource, u));
        }
        _ => return None,
    };
    req.tool_name().map(|n| (kind, n))
}

impl Middleware for Stats {
    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let method = self.method_series(req.method());
        let component = component(&req).map(|(k, n)| self.component_series(k, n));
        let tool_call = req.method() == "tools/call";
        Box::pin(async move {
            let start = Instant::now();
            let answer = next.run(req).await;
            let took = start.elapsed();
            let failed = match &answer {
                Err(_) => true,
                Ok(r) => tool_call && fastmcp_core::is_tool_error(r),
            };
            method.record(took, failed);
            if let Some(c) = component {
                c.record(took, failed);
            }
            answer
        })
    }
}

/// Every series at one moment ([`Stats::snapshot`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StatsSnapshot {
    /// One per method, by name.
    pub methods: Vec<SeriesSnapshot>,
    /// One per component, by kind and name.
    pub components: Vec<SeriesSnapshot>,
}

impl StatsSnapshot {
    /// The series of `method`.
    pub fn method(&self, method: &str) -> Option<&SeriesSnapshot> {
        self.methods.iter().find(|s| s.name == method)
    }

    /// The series of a component.
    pub fn component(&self, kind: ComponentKind, name: &str) -> Option<&SeriesSnapshot> {
        self.components
            .iter()
            .find(|s| s.kind == Some(kind) && s.name == name)
    }
}

/// The numbers of one method or component.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct SeriesSnapshot {
    /// The component's kind (`None` for a method).
    pub kind: Option<ComponentKind>,
    /// The method, or the component's name (a resource's URI).
    pub name: String,
    /// Requests answered.
    pub count: u64,
    /// Of them, failed.
    pub errors: u64,
    /// Mean latency.
    pub mean: Duration,
    /// Median latency (the upper bound of its histogram bucket).
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// The slowest.
    pub max: Duration,
}

impl SeriesSnapshot {
    fn of(kind: Option<ComponentKind>, name: String, s: &Series) -> Self {
        let h = s.latency.snapshot();
        SeriesSnapshot {
            kind,
            name,
            count: s.count.load(Relaxed),
            errors: s.errors.load(Relaxed),
            mean: h.mean(),
            p50: h.quantile(0.5),
            p90: h.quantile(0.9),
            p99: h.quantile(0.99),
            max: Duration::from_micros(h.max_us),
        }
    }
}
