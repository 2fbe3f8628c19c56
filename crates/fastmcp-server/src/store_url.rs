//! Stores chosen by URL, so that deployment configuration picks them:
//! `memory://` (this process; `?max_records=N` for tasks) or, with the `redis` feature,
//! `redis://host:port/db?prefix=myapp:` (the prefix keeps several servers apart in one
//! Redis).

use std::sync::Arc;

use fastmcp_core::Error;

use crate::tasks::{MemoryTaskStore, TaskStore};

/// The URL without its `prefix` query parameter, and that parameter.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
fn split_prefix(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut prefix = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("prefix=") {
            Some(p) => {
                prefix = Some(p.to_owned());
                false
            }
            None => !kv.is_empty(),
        })
        .collect();
    let base = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (base, prefix)
}

/// A Redis store made by `new` from `url` without its `prefix` parameter, then given the
/// prefix (if the URL named one) by `prefix`.
#[cfg(feature = "redis")]
fn with_prefix<S>(
    url: &str,
    new: impl FnOnce(&str) -> Result<S, Error>,
    prefix: impl FnOnce(S, &str) -> S,
) -> Result<S, Error> {
    let (base, p) = split_prefix(url);
    let store = new(&base)?;
    Ok(match p {
        Some(p) => prefix(store, &p),
        None => store,
    })
}

fn unknown(url: &str) -> Error {
    let redis = if cfg!(feature = "redis") {
        " or redis://"
    } else {
        " (redis:// needs the `redis` feature)"
    };
    Error::invalid_params(format!("unknown store URL {url:?}: use memory://{redis}"))
}

/// A task store by URL: `memory://[?max_records=N]` or `redis://…[?prefix=…]`.
///
/// ```
/// let store = fastmcp_server::task_store_from_url("memory://?max_records=500").unwrap();
/// let server = fastmcp_server::Server::new("demo", "1.0").task_store(store);
/// # let _ = server;
/// assert!(fastmcp_server::task_store_from_url("postgres://x").is_err());
/// ```
pub fn task_store_from_url(url: &str) -> Result<Arc<dyn TaskStore>, Error> {
    if let Some(rest) = url.strip_prefix("memory://") {
        let mut store = MemoryTaskStore::new();
        for kv in rest
            .trim_start_matches('?')
            .split('&')
            .filter(|s| !s.is_empty())
        {
            match kv.split_once('=') {
                Some(("max_records", n)) => {
                    let n = n.parse().map_err(|_| {
                        Error::invalid_params(format!("max_records={n}: not a number"))
                    })?;
                    store = store.max_records(n);
                }
                _ => {
                    return Err(Error::invalid_params(format!(
                        "unknown memory:// option {kv:?}"
                    )))
                }
            }
        }
        return Ok(Arc::new(store));
    }
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        return Ok(Arc::new(with_prefix(
            url,
            crate::tasks::RedisTaskStore::new,
            crate::tasks::RedisTaskStore::prefix,
        )?));
    }
    Err(unknown(url))
}

/// An event store (resumable SSE streams) by URL: `memory://` or `redis://…[?prefix=…]`.
///
/// ```
/// let events = fastmcp_server::event_store_from_url("memory://").unwrap();
/// let opts = fastmcp_server::HttpOptions::default().event_store(Some(events));
/// # let _ = opts;
/// ```
#[cfg(feature = "http")]
pub fn event_store_from_url(url: &str) -> Result<Arc<dyn crate::http::EventStore>, Error> {
    if url == "memory://" {
        return Ok(Arc::new(crate::http::MemoryEventStore::default()));
    }
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        return Ok(Arc::new(with_prefix(
            url,
            crate::http::RedisEventStore::new,
            crate::http::RedisEventStore::prefix,
        )?));
    }
    Err(unknown(url))
}

/// A task queue for worker processes by URL: `redis://…[?prefix=…]` (with the `redis`
/// feature; a queue only makes sense shared).
///
/// ```
/// assert!(fastmcp_server::task_queue_from_url("memory://").is_err());
/// ```
pub fn task_queue_from_url(url: &str) -> Result<Arc<dyn crate::TaskQueue>, Error> {
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        return Ok(Arc::new(with_prefix(
            url,
            crate::tasks::RedisTaskQueue::new,
            crate::tasks::RedisTaskQueue::prefix,
        )?));
    }
    Err(shared_only(url))
}

/// A session store shared by replicas, by URL: `redis://…[?prefix=…]` (with the `redis`
/// feature; without a store, sessions stay in each process's memory).
///
/// ```
/// assert!(fastmcp_server::session_store_from_url("memory://").is_err());
/// ```
#[cfg(feature = "http")]
pub fn session_store_from_url(url: &str) -> Result<Arc<dyn crate::http::SessionStore>, Error> {
    #[cfg(feature = "redis")]
    if url.starts_with("redis://") {
        return Ok(Arc::new(with_prefix(
            url,
            crate::http::RedisSessionStore::new,
            crate::http::RedisSessionStore::prefix,
        )?));
    }
    Err(shared_only(url))
}

fn shared_only(url: &str) -> Error {
    let redis = if cfg!(feature = "redis") {
        "redis://"
    } else {
        "redis:// (with the `redis` feature)"
    };
    Error::invalid_params(format!(
        "unknown URL {url:?}: only a shared store makes sense here: use {redis}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_comes_off_the_url() {
        assert_eq!(
            split_prefix("redis://h:1/0"),
            ("redis://h:1/0".into(), None)
        );
        assert_eq!(
            split_prefix("redis://h:1/0?prefix=app:"),
            ("redis://h:1/0".into(), Some("app:".into()))
        );
        assert_eq!(
            split_prefix("redis://h/0?protocol=resp3&prefix=a&x=1"),
            ("redis://h/0?protocol=resp3&x=1".into(), Some("a".into()))
        );
    }

    #[test]
    fn bad_urls_say_what_to_use() {
        assert!(task_store_from_url("memory://?max_records=x").is_err());
        assert!(task_store_from_url("memory://?nope=1").is_err());
        let e = task_store_from_url("sqlite://x").err().unwrap();
        assert!(e.message().contains("memory://"), "{e:?}");
    }
}
