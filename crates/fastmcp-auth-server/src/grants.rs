//! The records of the authorization server, over an [`AuthStore`]: registered clients,
//! authorization codes, refresh tokens, revoked grant families, pending sign-ins, consents
//! and the claims of signed-in users, each under its own key prefix and with a time to live.
//!
//! Codes and refresh tokens are kept under the SHA-256 of their value, never in clear.
//! Each is `{family}.{secret}`: the family is the grant it belongs to. Both are single
//! use, atomically: the first use swaps the record for a tombstone, so that a second use is
//! recognized as a replay, which revokes the whole family (RFC 9700 §4.5, §4.14). The
//! family of a replayed value is read from the value itself, which is authentic because its
//! digest was found.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fastmcp_core::Error;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::store::AuthStore;

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

/// The family a code or refresh token names (`{family}.{secret}`).
pub fn family_of(value: &str) -> Option<&str> {
    value
        .split_once('.')
        .map(|(f, _)| f)
        .filter(|f| !f.is_empty())
}

fn default_grant_types() -> Vec<String> {
    vec!["authorization_code".into(), "refresh_token".into()]
}

fn default_auth_method() -> String {
    "none".into()
}

/// A client the server knows: registered by configuration, dynamically (RFC 7591), or read
/// from its Client ID Metadata Document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredClient {
    /// Its id.
    pub client_id: String,
    /// The digest of its secret; `None` for a public client.
    #[serde(default)]
    pub secret_digest: Option<String>,
    /// Its redirect URIs (checked by [`crate::redirect::check_registered`]).
    pub redirect_uris: Vec<String>,
    /// The scopes it may ask for; empty: any the server offers.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Its name, shown on the consent page.
    #[serde(default)]
    pub name: Option<String>,
    /// The grant types it may use (`authorization_code`, `refresh_token`,
    /// `client_credentials`).
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
    /// How it authenticates at the token endpoint: `none`, `client_secret_basic` or
    /// `client_secret_post`.
    #[serde(default = "default_auth_method")]
    pub token_endpoint_auth_method: String,
}

impl RegisteredClient {
    /// A public client (PKCE, no secret) with these redirect URIs.
    pub fn public(client_id: impl Into<String>, redirect_uris: &[&str]) -> Self {
        Self {
            client_id: client_id.into(),
            secret_digest: None,
            redirect_uris: redirect_uris.iter().map(|s| s.to_string()).collect(),
            scopes: vec![],
            name: None,
            grant_types: default_grant_types(),
            token_endpoint_auth_method: default_auth_method(),
        }
    }

    /// A confidential client with this secret (kept as its digest), authenticating with
    /// `client_secret_basic` or `client_secret_post`.
    pub fn confidential(
        client_id: impl Into<String>,
        secret: &str,
        redirect_uris: &[&str],
    ) -> Self {
        Self {
            secret_digest: Some(digest(secret)),
            token_endpoint_auth_method: "client_secret_basic".into(),
            ..Self::public(client_id, redirect_uris)
        }
    }

    /// With these grant types.
    pub fn with_grant_types(mut self, grants: &[&str]) -> Self {
        self.grant_types = grants.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Limited to these scopes.
    pub fn with_scopes(mut self, scopes: &[&str]) -> Self {
        self.scopes = scopes.iter().map(|s| s.to_string()).collect();
        self
    }

    /// Shown by this name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Whether it may use `grant`.
    pub fn allows(&self, grant: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant)
    }
}

/// An authorization code's grant, kept until the code is exchanged or expires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The redirect URI of the authorization request (the token request must repeat it).
    pub redirect_uri: String,
    /// The PKCE S256 challenge.
    pub challenge: String,
    /// The resource the tokens are bound to (RFC 8707).
    pub resource: Option<String>,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The user.
    pub subject: String,
    /// When the code expires (seconds since the epoch).
    pub expires_at: u64,
    /// The OpenID Connect `nonce` of the request.
    #[serde(default)]
    pub nonce: Option<String>,
    /// When the user signed in (seconds since the epoch).
    #[serde(default)]
    pub auth_time: u64,
}

/// A refresh token's grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub subject: String,
    /// The scopes granted.
    pub scopes: Vec<String>,
    /// The resource the tokens are bound to.
    pub resource: Option<String>,
    /// When it expires.
    pub expires_at: u64,
}

/// What taking a single-use value found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Used<G> {
    /// Its first use: the grant.
    First(G),
    /// It was used before (or its family is revoked): the family to revoke.
    Replayed {
        /// The family.
        family: String,
    },
    /// Never issued, or expired.
    Unknown,
}

const SPENT: &str = "\"spent\"";

/// The records, over a store.
#[derive(Clone)]
pub struct Grants {
    store: Arc<dyn AuthStore>,
}

fn secs(ttl: u64) -> Duration {
    Duration::from_secs(ttl.max(1))
}

fn corrupt(e: serde_json::Error) -> Error {
    Error::internal(format!("a stored record cannot be read: {e}"))
}

impl Grants {
    /// The records kept in `store`.
    pub fn new(store: Arc<dyn AuthStore>) -> Self {
        Self { store }
    }

    async fn put_json<T: Serialize>(&self, key: &str, v: &T, ttl: u64) -> Result<(), Error> {
        let text = serde_json::to_string(v).map_err(corrupt)?;
        self.store.put(key, text, secs(ttl)).await
    }

    async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.store.get(key).await? {
            Some(text) => serde_json::from_str(&text).map(Some).map_err(corrupt),
            None => Ok(None),
        }
    }

    /// Keep a record of an extension's own (an upstream sign-in, an upstream token) of
    /// this `kind` under `id` (kept by its digest) for `ttl` seconds.
    pub async fn put_record<T: Serialize>(
        &self,
        kind: &str,
        id: &str,
        v: &T,
        ttl: u64,
    ) -> Result<(), Error> {
        self.put_json(&format!("x-{kind}:{}", digest(id)), v, ttl)
            .await
    }

    /// The record of this `kind` under `id`.
    pub async fn record<T: DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<T>, Error> {
        self.get_json(&format!("x-{kind}:{}", digest(id))).await
    }

    /// Take the record of this `kind` under `id`, once (a second take finds nothing).
    pub async fn take_record<T: DeserializeOwned>(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<T>, Error> {
        self.take_key(&format!("x-{kind}:{}", digest(id))).await
    }

    async fn take_key<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        let old = self.store.swap(key, SPENT.into(), secs(1)).await?;
        self.store.delete(key).await?;
        match old.as_deref() {
            None | Some(SPENT) => Ok(None),
            Some(text) => serde_json::from_str(text).map(Some).map_err(corrupt),
        }
    }

    /// Keep `client` for `ttl` seconds.
    pub async fn put_client(&self, client: &RegisteredClient, ttl: u64) -> Result<(), Error> {
        let key = format!("client:{}", digest(&client.client_id));
        self.put_json(&key, client, ttl).await
    }

    /// The client of this id.
    pub async fn client(&self, client_id: &str) -> Result<Option<RegisteredClient>, Error> {
        self.get_json(&format!("client:{}", digest(client_id)))
            .await
    }

    async fn put_once<G: Serialize>(
        &self,
        kind: &str,
        value: &str,
        g: &G,
        ttl: u64,
    ) -> Result<(), Error> {
        self.put_json(&format!("{kind}:{}", digest(value)), g, ttl)
            .await
    }

    async fn take_once<G: DeserializeOwned>(
        &self,
        kind: &str,
        value: &str,
        tombstone_ttl: u64,
    ) -> Result<Used<G>, Error> {
        let key = format!("{kind}:{}", digest(value));
        let old = self
            .store
            .swap(&key, SPENT.into(), secs(tombstone_ttl))
            .await?;
        let family = family_of(value).unwrap_or_default().to_owned();
        Ok(match old.as_deref() {
            None => Used::Unknown,
            Some(SPENT) => Used::Replayed { family },
            Some(text) => Used::First(serde_json::from_str(text).map_err(corrupt)?),
        })
    }

    /// Keep the grant of authorization code `code` until it expires.
    pub async fn put_code(&self, code: &str, grant: &CodeGrant) -> Result<(), Error> {
        let ttl = grant.expires_at.saturating_sub(now());
        self.put_once("code", code, grant, ttl).await
    }

    /// Take the grant of `code`, once; a tombstone stays `tombstone_ttl` seconds.
    pub async fn take_code(
        &self,
        code: &str,
        tombstone_ttl: u64,
    ) -> Result<Used<CodeGrant>, Error> {
        let used = self.take_once("code", code, tombstone_ttl).await?;
        self.unless_revoked(used, code).await
    }

    /// Keep the grant of refresh token `token` until it expires.
    pub async fn put_refresh(&self, token: &str, grant: &RefreshGrant) -> Result<(), Error> {
        let ttl = grant.expires_at.saturating_sub(now());
        self.put_once("refresh", token, grant, ttl).await
    }

    /// Take the grant of refresh token `token`, once (a token of a revoked family counts
    /// as replayed).
    pub async fn take_refresh(
        &self,
        token: &str,
        tombstone_ttl: u64,
    ) -> Result<Used<RefreshGrant>, Error> {
        let used = self.take_once("refresh", token, tombstone_ttl).await?;
        self.unless_revoked(used, token).await
    }

    /// The grant of refresh token `token`, without using it.
    pub async fn peek_refresh(&self, token: &str) -> Result<Option<RefreshGrant>, Error> {
        let text = self
            .store
            .get(&format!("refresh:{}", digest(token)))
            .await?;
        match text.as_deref() {
            None | Some(SPENT) => Ok(None),
            Some(t) => serde_json::from_str(t).map(Some).map_err(corrupt),
        }
    }

    async fn unless_revoked<G>(&self, used: Used<G>, value: &str) -> Result<Used<G>, Error> {
        match used {
            Used::First(g) => {
                let family = family_of(value).unwrap_or_default();
                if self.family_revoked(family).await? {
                    Ok(Used::Replayed {
                        family: family.to_owned(),
                    })
                } else {
                    Ok(Used::First(g))
                }
            }
            other => Ok(other),
        }
    }

    /// Revoke every token of `family` for `ttl` seconds (as long as any of them can live).
    pub async fn revoke_family(&self, family: &str, ttl: u64) -> Result<(), Error> {
        if family.is_empty() {
            return Ok(());
        }
        self.store
            .put(&format!("revoked:{family}"), "1".into(), secs(ttl))
            .await
    }

    /// Whether `family` is revoked.
    pub async fn family_revoked(&self, family: &str) -> Result<bool, Error> {
        Ok(self
            .store
            .get(&format!("revoked:{family}"))
            .await?
            .is_some())
    }

    /// Keep a pending sign-in under `id` for `ttl` seconds.
    pub async fn put_pending<T: Serialize>(&self, id: &str, p: &T, ttl: u64) -> Result<(), Error> {
        self.put_json(&format!("pending:{}", digest(id)), p, ttl)
            .await
    }

    /// Take the pending sign-in `id`, once.
    pub async fn take_pending<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, Error> {
        self.take_key(&format!("pending:{}", digest(id))).await
    }

    /// Remember that `subject` let `client_id` have `scopes`, for `ttl` seconds.
    pub async fn put_consent(
        &self,
        subject: &str,
        client_id: &str,
        scopes: &[String],
        ttl: u64,
    ) -> Result<(), Error> {
        let key = format!("consent:{}", digest(&format!("{subject}\n{client_id}")));
        self.put_json(&key, &scopes, ttl).await
    }

    /// The scopes `subject` let `client_id` have (empty: never asked, or forgotten).
    pub async fn consent(&self, subject: &str, client_id: &str) -> Result<Vec<String>, Error> {
        let key = format!("consent:{}", digest(&format!("{subject}\n{client_id}")));
        Ok(self.get_json(&key).await?.unwrap_or_default())
    }

    /// Keep the claims of user `subject` (for the ID token and UserInfo) for `ttl` seconds.
    pub async fn put_user(
        &self,
        subject: &str,
        claims: &Map<String, Value>,
        ttl: u64,
    ) -> Result<(), Error> {
        self.put_json(&format!("user:{}", digest(subject)), claims, ttl)
            .await
    }

    /// The claims kept for user `subject`.
    pub async fn user(&self, subject: &str) -> Result<Option<Map<String, Value>>, Error> {
        self.get_json(&format!("user:{}", digest(subject))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;

    fn grants() -> Grants {
        Grants::new(Arc::new(MemoryStore::new()))
    }

    fn code(expires_at: u64) -> CodeGrant {
        CodeGrant {
            client_id: "c".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            challenge: "x".repeat(43),
            resource: None,
            scopes: vec![],
            subject: "alice".into(),
            expires_at,
            nonce: None,
            auth_time: 0,
        }
    }

    #[tokio::test]
    async fn a_code_is_used_once_and_a_replay_names_its_family() {
        let s = grants();
        s.put_code("f1.the-code", &code(now() + 60)).await.unwrap();
        assert!(
            matches!(s.take_code("f1.the-code", 60).await.unwrap(), Used::First(g) if g.subject == "alice")
        );
        assert_eq!(
            s.take_code("f1.the-code", 60).await.unwrap(),
            Used::Replayed {
                family: "f1".into()
            }
        );
        assert_eq!(s.take_code("f1.other", 60).await.unwrap(), Used::Unknown);
        assert_eq!(
            s.take_code("f1.other", 60).await.unwrap(),
            Used::Unknown,
            "an unknown value leaves no tombstone"
        );
        s.put_code("f2.old", &code(now() - 1)).await.unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(s.take_code("f2.old", 60).await.unwrap(), Used::Unknown);
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_a_revoked_family_is_dead() {
        let s = grants();
        let grant = RefreshGrant {
            client_id: "c".into(),
            subject: "alice".into(),
            scopes: vec!["notes".into()],
            resource: None,
            expires_at: now() + 3600,
        };
        s.put_refresh("f.r1", &grant).await.unwrap();
        s.put_refresh("f.r2", &grant).await.unwrap();
        assert_eq!(s.peek_refresh("f.r1").await.unwrap(), Some(grant.clone()));
        assert!(matches!(
            s.take_refresh("f.r1", 60).await.unwrap(),
            Used::First(_)
        ));
        assert_eq!(s.peek_refresh("f.r1").await.unwrap(), None);
        assert_eq!(
            s.take_refresh("f.r1", 60).await.unwrap(),
            Used::Replayed { family: "f".into() }
        );
        assert!(!s.family_revoked("f").await.unwrap());
        s.revoke_family("f", 3600).await.unwrap();
        assert!(s.family_revoked("f").await.unwrap());
        assert_eq!(
            s.take_refresh("f.r2", 60).await.unwrap(),
            Used::Replayed { family: "f".into() },
            "an unused token of a revoked family is refused"
        );
    }

    #[tokio::test]
    async fn clients_pending_sign_ins_consents_and_users() {
        let s = grants();
        let c = RegisteredClient::public("app", &["http://127.0.0.1/cb"]).with_name("App");
        s.put_client(&c, 60).await.unwrap();
        assert_eq!(s.client("app").await.unwrap(), Some(c));
        assert_eq!(s.client("nope").await.unwrap(), None);
        s.put_pending("t1", &"state", 60).await.unwrap();
        assert_eq!(
            s.take_pending::<String>("t1").await.unwrap().as_deref(),
            Some("state")
        );
        assert_eq!(s.take_pending::<String>("t1").await.unwrap(), None, "once");
        assert!(s.consent("alice", "app").await.unwrap().is_empty());
        s.put_consent("alice", "app", &["a".into()], 60)
            .await
            .unwrap();
        assert_eq!(s.consent("alice", "app").await.unwrap(), ["a"]);
        assert!(s.consent("bob", "app").await.unwrap().is_empty());
        let mut claims = Map::new();
        claims.insert("email".into(), "a@example.com".into());
        s.put_user("alice", &claims, 60).await.unwrap();
        assert_eq!(s.user("alice").await.unwrap(), Some(claims));
    }
}
