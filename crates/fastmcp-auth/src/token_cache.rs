//! A bounded cache of verification results, keyed by the SHA-256 of the token (the token
//! itself is never kept).

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::{AuthInfo, VerifyError};

type Answer = Result<AuthInfo, VerifyError>;

/// Results until their expiry, at most `capacity` of them.
pub(crate) struct TokenCache {
    capacity: usize,
    entries: Mutex<HashMap<[u8; 32], (Instant, Answer)>>,
}

/// The cache key of a token.
pub(crate) fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl TokenCache {
    pub(crate) fn new(capacity: usize) -> Self {
        TokenCache {
            capacity,
            entries: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (Instant, Answer)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached answer for the token of `key`, while it has not expired.
    pub(crate) fn get(&self, key: &[u8; 32]) -> Option<Answer> {
        let mut map = self.lock();
        match map.get(key) {
            Some((until, answer)) if Instant::now() < *until => Some(answer.clone()),
            Some(_) => {
                map.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keep `answer` until `until`. When full, expired entries go first, then the one that
    /// expires soonest.
    pub(crate) fn put(&self, key: [u8; 32], until: Instant, answer: Answer) {
        if self.capacity == 0 || until <= Instant::now() {
            return;
        }
        let mut map = self.lock();
        if map.len() >= self.capacity && !map.contains_key(&key) {
            let now = Instant::now();
            map.retain(|_, (t, _)| *t > now);
            if map.len() >= self.capacity {
                if let Some(k) = map.iter().min_by_key(|(_, (t, _))| *t).map(|(k, _)| *k) {
                    map.remove(&k);
                }
            }
        }
        map.insert(key, (until, answer));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn bounded_and_expiring() {
        let cache = TokenCache::new(2);
        let later = |s| Instant::now() + Duration::from_secs(s);
        cache.put(
            digest("a"),
            later(10),
            Ok(AuthInfo::new().with_subject("a")),
        );
        cache.put(digest("b"), later(20), Ok(AuthInfo::new()));
        cache.put(digest("c"), later(30), Ok(AuthInfo::new()));
        assert_eq!(cache.len(), 2);
        // The soonest to expire went.
        assert!(cache.get(&digest("a")).is_none());
        assert!(cache.get(&digest("c")).is_some());
        cache.put(digest("d"), Instant::now(), Ok(AuthInfo::new()));
        assert!(cache.get(&digest("d")).is_none());
        assert_ne!(digest("a"), digest("b"));
    }
}
