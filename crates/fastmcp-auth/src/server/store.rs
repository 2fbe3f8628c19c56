//! What the authorization server keeps: registered clients, authorization codes, refresh
//! tokens and revoked grant families, behind one trait ([`GrantStore`]) so that several
//! replicas can share them (an in-memory store here; a Redis one to come).
//!
//! Codes and refresh tokens are kept under the SHA-256 of their value, never in clear.
//! Both are single use, atomically: taking a code or rotating a refresh token leaves a
//! tombstone (until the grant would have expired) so that a second use is recognized as a
//! replay, which revokes the whole family of tokens the grant started (RFC 9700 §4.5,
//! §4.14).

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use fastmcp_core::{BoxFuture, Error};
use sha2::{Digest, Sha256};

/// Seconds since the epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The digest a code or token is kept under (hex SHA-256).
pub fn digest(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// A registered client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredClient {
    /// Its identifier.
    pub client_id: String,
    /// The digest of its secret (confidential clients); `None`: a public client.
    pub secret_digest: Option<String>,
    /// Its redirect URIs (checked with [`super::redirect::check_registered`]).
    pub redirect_uris: Vec<String>,
    /// The scopes it may ask for (empty: any the server offers).
    pub scopes: Vec<String>,
    /// A name to show on the consent page.
    pub name: Option<String>,
}

/// What an authorization code grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request (the token request must repeat it).
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub challenge: String,
    /// The resource the grant is bound to (RFC 8707).
    pub resource: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The user.
    pub subject: String,
    /// When the code expires (seconds since the epoch).
    pub expires_at: u64,
    /// The family of every token this grant leads to.
    pub family: String,
}

/// What a refresh token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub subject: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The resource the grant is bound to.
    pub resource: Option<String>,
    /// When it expires (seconds since the epoch).
    pub expires_at: u64,
    /// Its family (shared by every rotation of one grant).
    pub family: String,
}

/// What a single use found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Used<G> {
    /// The first use: the grant.
    First(G),
    /// A second use: the family to revoke.
    Replayed {
        /// The family of the replayed grant.
        family: String,
    },
    /// Nothing under that value (or expired).
    Unknown,
}

/// Where the authorization server keeps its state.
pub trait GrantStore: Send + Sync + 'static {
    /// Register (or replace) a client.
    fn put_client(&self, client: RegisteredClient) -> BoxFuture<'_, Result<(), Error>>;
    /// The client `client_id`.
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<RegisteredClient>, Error>>;
    /// Keep a code (under its digest) until it expires.
    fn put_code(&self, digest: String, grant: CodeGrant) -> BoxFuture<'_, Result<(), Error>>;
    /// Use a code, once.
    fn take_code<'a>(&'a self, digest: &'a str) -> BoxFuture<'a, Result<Used<CodeGrant>, Error>>;
    /// Keep a refresh token (under its digest) until it expires.
    fn put_refresh(&self, digest: String, grant: RefreshGrant) -> BoxFuture<'_, Result<(), Error>>;
    /// Use a refresh token, once (the caller issues its successor).
    fn take_refresh<'a>(
        &'a self,
        digest: &'a str,
    ) -> BoxFuture<'a, Result<Used<RefreshGrant>, Error>>;
    /// Revoke a family until `until` (its refresh tokens are dead, its access tokens refused
    /// by the server's own verifier).
    fn revoke_family(&self, family: String, until: u64) -> BoxFuture<'_, Result<(), Error>>;
    /// Whether a family was revoked.
    fn family_revoked<'a>(&'a self, family: &'a str) -> BoxFuture<'a, Result<bool, Error>>;
}

/// A single-use record: live, or a tombstone of its family.
#[derive(Debug, Clone)]
enum Slot<G> {
    Live(G),
    Spent { family: String, until: u64 },
}

#[derive(Default)]
struct State {
    clients: HashMap<String, RegisteredClient>,
    codes: HashMap<String, Slot<CodeGrant>>,
    refresh: HashMap<String, Slot<RefreshGrant>>,
    revoked: HashMap<String, u64>,
}

/// The state of one process (lost on restart; not shared by replicas).
#[derive(Default)]
pub struct MemoryStore(Mutex<State>);

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Use the single-use record under `key`, leaving a tombstone.
fn take<G: Clone>(
    map: &mut HashMap<String, Slot<G>>,
    key: &str,
    expires: impl Fn(&G) -> u64,
    family: impl Fn(&G) -> String,
) -> Used<G> {
    let t = now();
    map.retain(|_, s| match s {
        Slot::Live(g) => expires(g) > t,
        Slot::Spent { until, .. } => *until > t,
    });
    match map.get(key).cloned() {
        Some(Slot::Live(g)) => {
            let spent = Slot::Spent {
                family: family(&g),
                until: expires(&g),
            };
            map.insert(key.to_owned(), spent);
            Used::First(g)
        }
        Some(Slot::Spent { family, .. }) => Used::Replayed { family },
        None => Used::Unknown,
    }
}

impl GrantStore for MemoryStore {
    fn put_client(&self, client: RegisteredClient) -> BoxFuture<'_, Result<(), Error>> {
        self.lock().clients.insert(client.client_id.clone(), client);
        Box::pin(async { Ok(()) })
    }

    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<RegisteredClient>, Error>> {
        let c = self.lock().clients.get(client_id).cloned();
        Box::pin(async move { Ok(c) })
    }

    fn put_code(&self, digest: String, grant: CodeGrant) -> BoxFuture<'_, Result<(), Error>> {
        self.lock().codes.insert(digest, Slot::Live(grant));
        Box::pin(async { Ok(()) })
    }

    fn take_code<'a>(&'a self, digest: &'a str) -> BoxFuture<'a, Result<Used<CodeGrant>, Error>> {
        let used = take(
            &mut self.lock().codes,
            digest,
            |g| g.expires_at,
            |g| g.family.clone(),
        );
        Box::pin(async move { Ok(used) })
    }

    fn put_refresh(&self, digest: String, grant: RefreshGrant) -> BoxFuture<'_, Result<(), Error>> {
        self.lock().refresh.insert(digest, Slot::Live(grant));
        Box::pin(async { Ok(()) })
    }

    fn take_refresh<'a>(
        &'a self,
        digest: &'a str,
    ) -> BoxFuture<'a, Result<Used<RefreshGrant>, Error>> {
        let mut state = self.lock();
        let used = take(
            &mut state.refresh,
            digest,
            |g| g.expires_at,
            |g| g.family.clone(),
        );
        // A token of a revoked family is dead even if unused.
        let used = match used {
            Used::First(g) if state.revoked.get(&g.family).is_some_and(|u| *u > now()) => {
                Used::Replayed { family: g.family }
            }
            u => u,
        };
        Box::pin(async move { Ok(used) })
    }

    fn revoke_family(&self, family: String, until: u64) -> BoxFuture<'_, Result<(), Error>> {
        let mut state = self.lock();
        let t = now();
        state.revoked.retain(|_, u| *u > t);
        state.revoked.insert(family, until);
        Box::pin(async { Ok(()) })
    }

    fn family_revoked<'a>(&'a self, family: &'a str) -> BoxFuture<'a, Result<bool, Error>> {
        let revoked = self.lock().revoked.get(family).is_some_and(|u| *u > now());
        Box::pin(async move { Ok(revoked) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(family: &str, expires_at: u64) -> CodeGrant {
        CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            challenge: "x".repeat(43),
            resource: None,
            scopes: vec![],
            subject: "alice".into(),
            expires_at,
            family: family.into(),
        }
    }

    #[tokio::test]
    async fn a_code_is_used_once_and_a_replay_names_its_family() {
        let s = MemoryStore::new();
        let d = digest("the-code");
        s.put_code(d.clone(), code("f1", now() + 60)).await.unwrap();
        assert!(matches!(s.take_code(&d).await.unwrap(), Used::First(g) if g.subject == "alice"));
        assert_eq!(
            s.take_code(&d).await.unwrap(),
            Used::Replayed {
                family: "f1".into()
            }
        );
        assert_eq!(s.take_code(&digest("other")).await.unwrap(), Used::Unknown);
        // Expired: gone, not even a tombstone.
        s.put_code(digest("old"), code("f2", now() - 1))
            .await
            .unwrap();
        assert_eq!(s.take_code(&digest("old")).await.unwrap(), Used::Unknown);
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_a_revoked_family_is_dead() {
        let s = MemoryStore::new();
        let grant = RefreshGrant {
            client_id: "c".into(),
            subject: "alice".into(),
            scopes: vec!["notes".into()],
            resource: None,
            expires_at: now() + 3600,
            family: "f".into(),
        };
        s.put_refresh(digest("r1"), grant.clone()).await.unwrap();
        s.put_refresh(digest("r2"), grant.clone()).await.unwrap();
        assert!(matches!(
            s.take_refresh(&digest("r1")).await.unwrap(),
            Used::First(_)
        ));
        assert_eq!(
            s.take_refresh(&digest("r1")).await.unwrap(),
            Used::Replayed { family: "f".into() }
        );
        assert!(!s.family_revoked("f").await.unwrap());
        s.revoke_family("f".into(), now() + 3600).await.unwrap();
        assert!(s.family_revoked("f").await.unwrap());
        assert_eq!(
            s.take_refresh(&digest("r2")).await.unwrap(),
            Used::Replayed { family: "f".into() },
            "an unused token of a revoked family is refused"
        );
    }

    #[tokio::test]
    async fn clients_are_kept_by_id() {
        let s = MemoryStore::new();
        let c = RegisteredClient {
            client_id: "app".into(),
            secret_digest: None,
            redirect_uris: vec!["http://127.0.0.1/cb".into()],
            scopes: vec![],
            name: Some("App".into()),
        };
        s.put_client(c.clone()).await.unwrap();
        assert_eq!(s.client("app").await.unwrap(), Some(c));
        assert_eq!(s.client("nope").await.unwrap(), None);
    }
}
