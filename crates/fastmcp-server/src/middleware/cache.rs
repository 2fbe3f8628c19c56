//! [`ResponseCache`]: results of read-like requests kept for a while, per caller.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::Era;
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::broadcast::{self, error::TryRecvError};
use tokio::time::Instant;

use super::cache_store::{Key, Store};
use super::{CallNext, Middleware};
use crate::changes::ServerEvent;
use crate::service::McpRequest;

type PartitionFn = Arc<dyn Fn(&McpRequest) -> Option<String> + Send + Sync>;

/// The methods whose results are cached (and `tools/call` of the tools opted in).
const READS: [&str; 6] = [
    "tools/list",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
    "resources/read",
    "prompts/get",
];

/// Caches the results of read-like requests: `tools/list`, `resources/list`,
/// `resources/templates/list`, `prompts/list`, `resources/read`, `prompts/get`, and
/// `tools/call` of the tools opted in with [`ResponseCache::cache_tool`] (a tool call is
/// never cached by default: most tools act or change from call to call).
///
/// - **Key**: the caller's partition, the protocol version, the method and its params in
///   a canonical form (object keys sorted, `_meta` left out), so `{"a":1,"b":2}` and
///   `{"b":2,"a":1}` find the same entry.
/// - **Who shares**: by default each session has its own entries (the session's key), so
///   two callers never share one (lists can differ per session, and a read can depend on
///   who asks). A 2026-07-28 request has no lasting session (its `clientInfo` is what the
///   client says, not who it is), so by default its results are not cached at all. Give
///   [`ResponseCache::partition_by`] a function that names the caller (an authenticated
///   principal, a tenant from a header you trust) to cache those too, or to share across
///   sessions where results are the same for everyone.
/// - **Lifetime**: a time to live per entry ([`ResponseCache::ttl`], per method with
///   [`ResponseCache::ttl_for`]); at most [`ResponseCache::max_bytes`] in all (an entry
///   counts its result's JSON and its key), the least recently used evicted first;
///   results over [`ResponseCache::max_entry_bytes`] are not kept.
/// - **Invalidation**: when the server's tools, resources or prompts change (components
///   added or removed at run time, a provider's `list_changed`), the entries of that kind
///   are dropped (lists, and calls, reads or gets of that kind); `resources/updated` drops
///   the reads of that URI.
/// - Errors, results with `isError: true`, `input_required` rounds and task-augmented
///   calls are never cached. Two identical requests that miss at the same time both run.
///
/// The value is a handle: clone it before giving it to the server to read its
/// [`ResponseCache::stats`].
///
/// ```
/// use std::time::Duration;
/// use fastmcp_server::{middleware::ResponseCache, Server};
///
/// let cache = ResponseCache::new()
///     .ttl(Duration::from_secs(30))
///     .ttl_for("resources/read", Duration::from_secs(5))
///     .max_bytes(8 << 20)
///     .cache_tool("lookup_city");
/// let server = Server::new("demo", "1.0").middleware(cache.clone());
/// assert_eq!(cache.stats().hits, 0);
/// # let _ = server;
/// ```
#[derive(Clone)]
pub struct ResponseCache {
    config: Arc<Config>,
    state: Arc<Mutex<State>>,
}

#[derive(Clone)]
struct Config {
    ttl: Duration,
    ttl_by_method: HashMap<String, Duration>,
    max_entry_bytes: usize,
    tools: HashSet<String>,
    partition: PartitionFn,
}

struct State {
    store: Store,
    /// The change announcements of the servers it is attached to.
    changes: Vec<broadcast::Receiver<ServerEvent>>,
    /// How many changes were seen: a result computed across a change is not kept.
    generation: u64,
}

/// What a [`ResponseCache`] has done since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Requests answered from the cache.
    pub hits: u64,
    /// Cacheable requests that were not in the cache (or had expired).
    pub misses: u64,
    /// Entries dropped to make room (least recently used first).
    pub evictions: u64,
    /// Entries found past their time to live.
    pub expirations: u64,
    /// Entries dropped because the server's components changed.
    pub invalidations: u64,
    /// Entries held now.
    pub entries: usize,
    /// Bytes held now (results' JSON and keys).
    pub bytes: usize,
}

impl Default for ResponseCache {
    fn default() -> Self {
        Self::new()
    }
}

impl ResponseCache {
    /// A cache with a 60 s time to live, 16 MiB in all, 1 MiB at most per result,
    /// partitioned by session.
    pub fn new() -> Self {
        ResponseCache {
            config: Arc::new(Config {
                ttl: Duration::from_secs(60),
                ttl_by_method: HashMap::new(),
                max_entry_bytes: 1 << 20,
                tools: HashSet::new(),
                partition: Arc::new(session_partition),
            }),
            state: Arc::new(Mutex::new(State {
                store: Store::new(16 << 20),
                changes: vec![],
                generation: 0,
            })),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// How long an entry lives (every method without its own).
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.config_mut().ttl = ttl;
        self
    }

    /// How long an entry of `method` lives.
    pub fn ttl_for(mut self, method: &str, ttl: Duration) -> Self {
        self.config_mut()
            .ttl_by_method
            .insert(method.to_owned(), ttl);
        self
    }

    /// The bound on the bytes of all entries (results' JSON and keys).
    pub fn max_bytes(self, bytes: usize) -> Self {
        self.lock().store = Store::new(bytes);
        self
    }

    /// Results larger than this are not cached.
    pub fn max_entry_bytes(mut self, bytes: usize) -> Self {
        self.config_mut().max_entry_bytes = bytes;
        self
    }

    /// Cache `tools/call` of the tool `name` (one whose result depends only on its
    /// arguments and the caller, and that changes nothing).
    pub fn cache_tool(mut self, name: &str) -> Self {
        self.config_mut().tools.insert(name.to_owned());
        self
    }

    /// Who shares entries: requests for which `f` gives the same partition share entries;
    /// `None` means "do not cache this request". Replaces the default (the session's key
    /// in the handshake era, no caching for 2026-07-28 requests).
    ///
    /// ```
    /// use fastmcp_server::middleware::ResponseCache;
    /// // One partition per tenant named in the session state set at sign-in.
    /// let cache = ResponseCache::new()
    ///     .partition_by(|req| req.session().get_state::<String>("tenant"));
    /// # let _ = cache;
    /// ```
    pub fn partition_by(
        mut self,
        f: impl Fn(&McpRequest) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.config_mut().partition = Arc::new(f);
        self
    }

    /// What the cache has done so far, and what it holds.
    pub fn stats(&self) -> CacheStats {
        let s = self.lock();
        let c = s.store.counters;
        CacheStats {
            hits: c.hits,
            misses: c.misses,
            evictions: c.evictions,
            expirations: c.expirations,
            invalidations: c.invalidations,
            entries: s.store.len(),
            bytes: s.store.bytes(),
        }
    }

    /// Drop every entry.
    pub fn clear(&self) {
        self.lock().store.invalidate(|_, _| true);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The key of `req`, when it is cacheable.
    fn key(&self, req: &McpRequest) -> Option<(Key, Option<String>)> {
        let method = req.method();
        let cacheable = READS.contains(&method)
            || (method == "tools/call"
                && !self.config.tools.is_empty()
                && req
                    .tool_name()
                    .is_some_and(|n| self.config.tools.contains(&n)));
        if !cacheable {
            return None;
        }
        let partition = (self.config.partition)(req)?;
        let params = match req.params() {
            None => Value::Object(Default::default()),
            Some(p) => serde_json::from_str(p.get()).ok()?,
        };
        let Value::Object(mut params) = params else {
            return None;
        };
        params.remove("_meta");
        if params.contains_key("task") {
            return None;
        }
        let uri = (method == "resources/read")
            .then(|| params.get("uri").and_then(Value::as_str).map(str::to_owned))
            .flatten();
        let mut canonical = String::new();
        write_canonical(&Value::Object(params), &mut canonical);
        if canonical.len() > self.config.max_entry_bytes {
            return None;
        }
        let version = req
            .protocol_version()
            .map(|v| v.as_str().to_owned())
            .unwrap_or_default();
        let key = Key {
            partition,
            version,
            method: method.to_owned(),
            params: canonical,
        };
        Some((key, uri))
    }

    /// Apply the changes announced since the last look.
    fn apply_changes(state: &mut State) {
        let State {
            store,
            changes,
            generation,
        } = state;
        for rx in changes.iter_mut() {
            loop {
                match rx.try_recv() {
                    Ok(event) => {
                        *generation += 1;
                        invalidate(store, &event);
                    }
                    Err(TryRecvError::Lagged(_)) => {
                        *generation += 1;
                        store.invalidate(|_, _| true);
                    }
                    Err(TryRecvError::Empty | TryRecvError::Closed) => break,
                }
            }
        }
    }
}

/// The default partition: the session's key in the handshake era; none (no caching) for
/// 2026-07-28 requests, which have no lasting session.
fn session_partition(req: &McpRequest) -> Option<String> {
    let s = req.session();
    (s.era() == Era::Handshake).then(|| s.key().to_owned())
}

/// Drop what `event` makes stale.
fn invalidate(store: &mut Store, event: &ServerEvent) {
    match event {
        ServerEvent::ToolsChanged => store.invalidate(|m, _| m.starts_with("tools/")),
        ServerEvent::ResourcesChanged => store.invalidate(|m, _| m.starts_with("resources/")),
        ServerEvent::PromptsChanged => store.invalidate(|m, _| m.starts_with("prompts/")),
        ServerEvent::ResourceUpdated(uri) => {
            store.invalidate(|m, u| m == "resources/read" && u == Some(uri.as_str()))
        }
    }
}

/// JSON with object keys sorted, at every depth.
fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Whether a result may be kept: not a tool error, not an unfinished round or a task.
fn keepable(result: &RawValue) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(rename = "isError", default)]
        is_error: Option<bool>,
        #[serde(rename = "resultType", default)]
        result_type: Option<String>,
        #[serde(default)]
        task: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_str::<Probe>(result.get()) {
        Ok(p) => {
            p.is_error != Some(true)
                && p.result_type.as_deref().is_none_or(|t| t == "complete")
                && p.task.is_none()
        }
        Err(_) => false,
    }
}

impl Middleware for ResponseCache {
    fn attach(&self, server: &crate::ServerHandle) {
        self.lock()
            .changes
            .push(server.changes().subscribe_immediate());
    }

    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let Some((key, uri)) = self.key(&req) else {
            return next.run(req);
        };
        let generation = {
            let mut state = self.lock();
            Self::apply_changes(&mut state);
            if let Some(hit) = state.store.get(&key, Instant::now()) {
                return Box::pin(async move { Ok(hit) });
            }
            state.generation
        };
        let ttl = self
            .config
            .ttl_by_method
            .get(&key.method)
            .copied()
            .unwrap_or(self.config.ttl);
        Box::pin(async move {
            let result = next.run(req).await?;
            if result.get().len() <= self.config.max_entry_bytes && keepable(&result) {
                let mut state = self.lock();
                // A change announced while the request ran may have made it stale.
                Self::apply_changes(&mut state);
                if state.generation == generation {
                    let expires = Instant::now() + ttl;
                    state.store.put(key, result.clone(), expires, uri);
                }
            }
            Ok(result)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let a: Value =
            serde_json::from_str(r#"{"b":{"y":1,"x":[{"q":2,"p":1}]},"a":"é"}"#).unwrap();
        let mut out = String::new();
        write_canonical(&a, &mut out);
        assert_eq!(out, r#"{"a":"é","b":{"x":[{"p":1,"q":2}],"y":1}}"#);
    }

    #[test]
    fn tool_errors_rounds_and_tasks_are_not_kept() {
        let raw = |s: &str| {
            serde_json::value::to_raw_value(&serde_json::from_str::<Value>(s).unwrap()).unwrap()
        };
        assert!(keepable(&raw(r#"{"content":[]}"#)));
        assert!(keepable(&raw(r#"{"content":[],"resultType":"complete"}"#)));
        assert!(!keepable(&raw(r#"{"content":[],"isError":true}"#)));
        assert!(!keepable(&raw(r#"{"resultType":"input_required"}"#)));
        assert!(!keepable(&raw(r#"{"task":{"taskId":"t"}}"#)));
    }
}
