//! [`Cached`]: a verifier that remembers the tokens it accepted, so that a client's
//! requests with the same token cost one hash and a map look-up instead of a signature
//! check or an introspection call each.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastmcp_core::{AuthInfo, BoxFuture};
use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::{TokenVerifier, VerifyError};

/// A token's SHA-256.
type Digest32 = [u8; 32];

/// Remembers, for up to `ttl` and never past its `exp`, the identity of each token its
/// inner verifier accepted. Tokens are kept as SHA-256 digests, never in clear; refusals
/// are not remembered (a revoked or expired token is checked again). At most `capacity`
/// tokens are remembered; past it, the expired ones are dropped, then all.
///
/// ```
/// use std::time::Duration;
/// use fastmcp_auth::{AuthInfo, Cached, StaticTokens, TokenVerifier};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let v = Cached::new(StaticTokens::new().token("t", AuthInfo::new().with_subject("a")))
///     .ttl(Duration::from_secs(60))
///     .capacity(10_000);
/// assert_eq!(v.verify("t").await.unwrap().subject.as_deref(), Some("a"));
/// # }
/// ```
pub struct Cached<V> {
    inner: V,
    ttl: Duration,
    capacity: usize,
    seen: Mutex<HashMap<Digest32, (Arc<AuthInfo>, Instant)>>,
}

impl<V> fmt::Debug for Cached<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cached")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<V: TokenVerifier> Cached<V> {
    /// Remember what `inner` accepts: for 5 minutes, at most 10,000 tokens.
    pub fn new(inner: V) -> Self {
        Cached {
            inner,
            ttl: Duration::from_secs(300),
            capacity: 10_000,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// How long an accepted token is remembered at most (default 5 minutes; never past
    /// the token's own expiry). A token revoked at its issuer keeps working here until
    /// then: keep it short where revocation must bite at once.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How many tokens are remembered at most (default 10,000).
    pub fn capacity(mut self, n: usize) -> Self {
        self.capacity = n.max(1);
        self
    }

    fn lookup(&self, key: &[u8; 32]) -> Option<Arc<AuthInfo>> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let (who, until) = seen.get(key)?;
        (Instant::now() < *until).then(|| who.clone())
    }

    fn remember(&self, key: [u8; 32], who: &Arc<AuthInfo>) {
        let now = Instant::now();
        let mut until = now + self.ttl;
        if let Some(exp) = who.expires_at {
            let left = exp.saturating_sub(unix_now());
            until = until.min(now + Duration::from_secs(left));
        }
        if until <= now {
            return;
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= self.capacity {
            seen.retain(|_, (_, u)| *u > now);
            if seen.len() >= self.capacity {
                seen.clear();
            }
        }
        seen.insert(key, (who.clone(), until));
    }
}

impl<V: TokenVerifier> TokenVerifier for Cached<V> {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move { Ok((*self.verify_shared(token).await?).clone()) })
    }

    fn verify_shared<'a>(
        &'a self,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Arc<AuthInfo>, VerifyError>> {
        Box::pin(async move {
            let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
            if let Some(who) = self.lookup(&key) {
                return Ok(who);
            }
            let who = self.inner.verify_shared(token).await?;
            self.remember(key, &who);
            Ok(who)
        })
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::FnVerifier;

    fn counting(calls: Arc<AtomicUsize>) -> impl TokenVerifier {
        FnVerifier::new(move |t: String| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                match t.as_str() {
                    "good" => Ok(AuthInfo::new().with_subject("a")),
                    "short" => Ok(AuthInfo::new().with_expires_at(unix_now() + 1)),
                    "gone" => Ok(AuthInfo::new().with_expires_at(1)),
                    _ => Err(VerifyError::Invalid("no".into())),
                }
            }
        })
    }

    #[tokio::test(start_paused = true)]
    async fn remembers_accepted_tokens_until_the_ttl() {
        let calls = Arc::new(AtomicUsize::new(0));
        let v = Cached::new(counting(calls.clone())).ttl(Duration::from_secs(10));
        for _ in 0..3 {
            assert!(v.verify("good").await.is_ok());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(v.verify("good").await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn refusals_and_expired_tokens_are_not_remembered() {
        let calls = Arc::new(AtomicUsize::new(0));
        let v = Cached::new(counting(calls.clone()));
        assert!(v.verify("bad").await.is_err());
        assert!(v.verify("bad").await.is_err());
        assert!(v.verify("gone").await.is_ok());
        assert!(v.verify("gone").await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        // Remembered, but never past its own expiry.
        assert!(v.verify("short").await.is_ok());
        assert!(v.verify("short").await.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn capacity_bounds_the_memory() {
        let v = Cached::new(FnVerifier::new(|t: String| async move {
            Ok(AuthInfo::new().with_subject(t))
        }))
        .capacity(8);
        for i in 0..100 {
            v.verify(&format!("t{i}")).await.unwrap();
        }
        assert!(v.seen.lock().unwrap().len() <= 8);
    }
}
