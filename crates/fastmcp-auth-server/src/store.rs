//! Where the authorization server keeps its state: one small key-value trait, so that the
//! same records (clients, codes, refresh tokens, pending sign-ins, consents, revoked
//! families) live in memory ([`MemoryStore`]) or in Redis (`RedisStore`, feature `redis`)
//! and several replicas can serve one login.
//!
//! Every value has a time to live: nothing outlives its grant. [`AuthStore::swap`] is the
//! one atomic step the rules need (a code or refresh token is used once: the first use
//! reads it and leaves a tombstone, in one step).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use fastmcp_core::{BoxFuture, Error};

/// The authorization server's storage: strings under keys, each with a time to live.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_auth_server::{AuthStore, MemoryStore};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let s = MemoryStore::new();
/// s.put("code:1", "grant".into(), Duration::from_secs(60)).await.unwrap();
/// let first = s.swap("code:1", "spent".into(), Duration::from_secs(60)).await.unwrap();
/// assert_eq!(first.as_deref(), Some("grant"));
/// assert_eq!(s.get("code:1").await.unwrap().as_deref(), Some("spent"));
/// # }
/// ```
pub trait AuthStore: Send + Sync + 'static {
    /// Keep `value` under `key` for `ttl`, replacing what was there.
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// The value under `key`, if it is there and alive.
    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>>;

    /// If a live value is under `key`, replace it with `value` for `ttl` and return it, in
    /// one atomic step; else change nothing and return `None` (so that an unknown key can
    /// never be made to look used).
    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<String>, Error>>;

    /// Remove `key`.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>>;
}

/// The state of one process, in memory: lost on restart, not shared by replicas (use the
/// Redis store for those). Bounded: at most `max_entries` live values (100,000 by
/// default); a put past that fails, so a flood of registrations or abandoned sign-ins
/// cannot grow it without limit. Expired values are swept as new ones arrive.
pub struct MemoryStore {
    map: Mutex<HashMap<String, (String, Instant)>>,
    max_entries: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::with_capacity(100_000)
    }
}

impl MemoryStore {
    /// An empty store of up to 100,000 values.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store of up to `max_entries` values.
    pub fn with_capacity(max_entries: usize) -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            max_entries,
        }
    }

    fn insert(&self, key: &str, value: String, ttl: Duration) -> Result<(), Error> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        if map.len() >= self.max_entries && !map.contains_key(key) {
            map.retain(|_, (_, until)| *until > now);
            if map.len() >= self.max_entries {
                return Err(Error::limit_exceeded(
                    "the authorization server's store is full: try again later",
                ));
            }
        }
        map.insert(key.to_owned(), (value, now + ttl));
        Ok(())
    }
}

impl AuthStore for MemoryStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<(), Error>> {
        let r = self.insert(key, value, ttl);
        Box::pin(async move { r })
    }

    fn get<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<String>, Error>> {
        let map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let v = map
            .get(key)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(v, _)| v.clone());
        Box::pin(async move { Ok(v) })
    }

    fn swap<'a>(
        &'a self,
        key: &'a str,
        value: String,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<String>, Error>> {
        let mut map = self.map.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let r = match map.get_mut(key) {
            Some(slot) if slot.1 > now => {
                let old = std::mem::replace(slot, (value, now + ttl));
                Some(old.0)
            }
            _ => None,
        };
        Box::pin(async move { Ok(r) })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), Error>> {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn values_expire_and_the_store_is_bounded() {
        let s = MemoryStore::with_capacity(2);
        let ttl = Duration::from_secs(10);
        s.put("a", "1".into(), ttl).await.unwrap();
        s.put("b", "2".into(), Duration::from_millis(5))
            .await
            .unwrap();
        assert!(s.put("c", "3".into(), ttl).await.is_err(), "full");
        s.put("a", "1b".into(), ttl).await.unwrap();
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(s.get("b").await.unwrap(), None, "expired");
        s.put("c", "3".into(), ttl).await.unwrap();
        assert_eq!(
            s.swap("c", "x".into(), ttl).await.unwrap().as_deref(),
            Some("3")
        );
        s.delete("c").await.unwrap();
        assert_eq!(s.get("c").await.unwrap(), None);
        assert_eq!(s.swap("c", "y".into(), ttl).await.unwrap(), None);
        assert_eq!(
            s.get("c").await.unwrap(),
            None,
            "an absent key stays absent"
        );
    }
}
