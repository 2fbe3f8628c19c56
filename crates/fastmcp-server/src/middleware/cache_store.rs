//! The store of [`super::ResponseCache`]: entries with a time to live, least recently used
//! evicted first once the entries' bytes pass a bound.

use std::collections::{BTreeMap, HashMap};

use serde_json::value::RawValue;
use tokio::time::Instant;

/// What an entry is found by: who asked (partition), in which protocol version, which
/// method with which params (canonical JSON, `_meta` left out).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub(super) partition: String,
    pub(super) version: String,
    pub(super) method: String,
    pub(super) params: String,
}

impl Key {
    /// The bytes an entry of this key holds besides its result.
    fn size(&self) -> usize {
        self.partition.len() + self.version.len() + self.method.len() + self.params.len()
    }
}

struct Entry {
    value: Box<RawValue>,
    expires: Instant,
    /// When it was last used (a counter): its place in the LRU order.
    tick: u64,
    /// The `uri` of a `resources/read` (what `resources/updated` drops).
    uri: Option<String>,
    size: usize,
}

/// Counters of a store.
#[derive(Default, Clone, Copy)]
pub(super) struct Counters {
    pub(super) hits: u64,
    pub(super) misses: u64,
    pub(super) evictions: u64,
    pub(super) expirations: u64,
    pub(super) invalidations: u64,
}

/// Entries by key, and keys by last use.
pub(super) struct Store {
    entries: HashMap<Key, Entry>,
    order: BTreeMap<u64, Key>,
    next_tick: u64,
    bytes: usize,
    max_bytes: usize,
    pub(super) counters: Counters,
}

impl Store {
    pub(super) fn new(max_bytes: usize) -> Store {
        Store {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            next_tick: 0,
            bytes: 0,
            max_bytes,
            counters: Counters::default(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    fn tick(&mut self) -> u64 {
        self.next_tick += 1;
        self.next_tick
    }

    /// The value of `key` if it is there and alive (a hit), counting a hit or a miss.
    pub(super) fn get(&mut self, key: &Key, now: Instant) -> Option<Box<RawValue>> {
        let expired = match self.entries.get(key) {
            None => {
                self.counters.misses += 1;
                return None;
            }
            Some(e) => e.expires <= now,
        };
        if expired {
            self.remove(key);
            self.counters.expirations += 1;
            self.counters.misses += 1;
            return None;
        }
        let tick = self.tick();
        let e = self.entries.get_mut(key)?;
        self.order.remove(&e.tick);
        e.tick = tick;
        self.order.insert(tick, key.clone());
        self.counters.hits += 1;
        Some(e.value.clone())
    }

    /// Keep `value` under `key` until `expires`, evicting the least recently used entries
    /// until the bytes fit. The caller checked it is not larger than the bound.
    pub(super) fn put(
        &mut self,
        key: Key,
        value: Box<RawValue>,
        expires: Instant,
        uri: Option<String>,
    ) {
        let size = value.get().len() + key.size();
        if size > self.max_bytes {
            return;
        }
        self.remove(&key);
        while self.bytes + size > self.max_bytes {
            let Some((_, oldest)) = self.order.pop_first() else {
                break;
            };
            if let Some(e) = self.entries.remove(&oldest) {
                self.bytes -= e.size;
                self.counters.evictions += 1;
            }
        }
        let tick = self.tick();
        self.order.insert(tick, key.clone());
        self.bytes += size;
        let entry = Entry {
            value,
            expires,
            tick,
            uri,
            size,
        };
        self.entries.insert(key, entry);
    }

    fn remove(&mut self, key: &Key) -> bool {
        match self.entries.remove(key) {
            Some(e) => {
                self.order.remove(&e.tick);
                self.bytes -= e.size;
                true
            }
            None => false,
        }
    }

    /// Drop the entries `drop` picks (by method and `uri`), counted as invalidations.
    pub(super) fn invalidate(&mut self, drop: impl Fn(&str, Option<&str>) -> bool) {
        let doomed: Vec<Key> = self
            .entries
            .iter()
            .filter(|(k, e)| drop(&k.method, e.uri.as_deref()))
            .map(|(k, _)| k.clone())
            .collect();
        for k in doomed {
            if self.remove(&k) {
                self.counters.invalidations += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn key(p: &str) -> Key {
        Key {
            partition: "s".into(),
            version: "v".into(),
            method: "m".into(),
            params: p.into(),
        }
    }

    fn value(n: usize) -> Box<RawValue> {
        serde_json::value::to_raw_value(&"x".repeat(n)).unwrap()
    }

    #[test]
    fn least_recently_used_goes_first_and_bytes_stay_bounded() {
        let later = Instant::now() + Duration::from_secs(60);
        // Each entry: 102 bytes of value + 5 of key.
        let mut s = Store::new(330);
        s.put(key("a"), value(100), later, None);
        s.put(key("b"), value(100), later, None);
        s.put(key("c"), value(100), later, None);
        assert!(
            s.get(&key("a"), Instant::now()).is_some(),
            "a is used again"
        );
        s.put(key("d"), value(100), later, None);
        assert!(s.bytes() <= 330);
        assert!(s.get(&key("b"), Instant::now()).is_none(), "b was oldest");
        assert!(s.get(&key("a"), Instant::now()).is_some());
        assert_eq!(s.counters.evictions, 1);
        assert_eq!(s.len(), 3);
    }

    #[test]
    fn expired_entries_are_misses_and_leave() {
        let now = Instant::now();
        let mut s = Store::new(1000);
        s.put(key("a"), value(1), now + Duration::from_millis(5), None);
        assert!(s.get(&key("a"), now).is_some());
        assert!(s.get(&key("a"), now + Duration::from_millis(5)).is_none());
        assert_eq!((s.len(), s.bytes()), (0, 0));
        assert_eq!(s.counters.expirations, 1);
    }
}
