//! [`OAuth`]: the [`HttpAuth`] of the client transports. It answers a 401 or 403 by
//! discovering the authorization server, registering, authorizing and exchanging the code
//! (or using the client credentials grant), refreshes tokens before they expire and on a
//! 401, and steps up scopes on a 403 `insufficient_scope`.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Duration;

use fastmcp_transport::http_auth::{AuthFuture, Challenge, HttpAuth};
use reqwest::Url;
use tokio::sync::Mutex;

use super::authorize;
use super::callback::{Loopback, Redirect};
use super::challenge::BearerChallenge;
use super::credentials::Credentials;
use super::error::OAuthError;
use super::metadata::{discover_resource, discover_server, ServerMetadata};
use super::pkce::{random_token, Pkce};
use super::registration::{self, ClientInfo};
use super::store::{RegisteredClient, StoredAuth, TokenStore, Tokens};
use super::token::{self, now, Grant};

/// Client-side OAuth 2.1 for one MCP server: give it to a transport with
/// `StreamableHttp::auth` or `LegacySse::auth`. Cheap to clone (the clones share their
/// tokens). Build one with [`OAuth::builder`](super::OAuth::builder).
#[derive(Clone)]
pub struct OAuth {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) server: Url,
    pub(crate) http: reqwest::Client,
    pub(crate) info: ClientInfo,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) client_credentials: bool,
    pub(crate) scopes: Vec<String>,
    pub(crate) redirect: Redirect,
    pub(crate) store: Arc<dyn TokenStore>,
    pub(crate) callback_timeout: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) refresh_margin: u64,
    pub(crate) state: Mutex<State>,
    pub(crate) attempts: AtomicU32,
    pub(crate) last_error: StdMutex<Option<OAuthError>>,
}

#[derive(Default)]
pub(crate) struct State {
    loaded: bool,
    auth: StoredAuth,
    meta: Option<ServerMetadata>,
    resource: Option<String>,
    /// The scopes of the last authorization request.
    requested: Vec<String>,
    /// The current token came from a refresh.
    refreshed: bool,
    /// Step-up authorizations per scope set (sorted, space-joined).
    step_ups: std::collections::HashMap<String, u32>,
}

impl std::fmt::Debug for OAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuth")
            .field("server", &self.inner.server.as_str())
            .field("client_credentials", &self.inner.client_credentials)
            .finish_non_exhaustive()
    }
}

impl OAuth {
    /// The current tokens (after loading them from the store), if any.
    pub async fn tokens(&self) -> Option<Tokens> {
        let mut st = self.inner.state.lock().await;
        self.inner.load(&mut st).await;
        st.auth.tokens.clone()
    }

    /// Why the last authorization failed (cleared by the next success). The transport
    /// only sees that the server refused the request; this says why no token was had.
    pub fn last_error(&self) -> Option<OAuthError> {
        self.inner
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Authorize now, without waiting for the server to ask (discovery starts at the
    /// server's well-known URLs).
    pub async fn authorize(&self) -> Result<(), OAuthError> {
        let mut st = self.inner.state.lock().await;
        self.inner.load(&mut st).await;
        let r = self
            .inner
            .authorize(&mut st, &BearerChallenge::default(), false)
            .await;
        self.inner.record(&r);
        r
    }
}

impl HttpAuth for OAuth {
    fn header(&self) -> AuthFuture<'_, Option<String>> {
        Box::pin(async move {
            let mut st = self.inner.state.lock().await;
            self.inner.load(&mut st).await;
            let expiring = st.auth.tokens.as_ref().is_some_and(|t| {
                t.refresh_token.is_some()
                    && t.expires_at
                        .is_some_and(|e| e <= now().saturating_add(self.inner.refresh_margin))
            });
            if expiring && st.meta.is_some() {
                if let Err(e) = self.inner.refresh(&mut st).await {
                    tracing::debug!("OAuth: refreshing before expiry failed: {e}");
                }
            }
            st.auth
                .tokens
                .as_ref()
                .map(|t| format!("Bearer {}", t.access_token))
        })
    }

    fn challenge<'a>(&'a self, c: &'a Challenge) -> AuthFuture<'a, bool> {
        Box::pin(async move {
            let bc = BearerChallenge::parse(c.www_authenticate.as_deref().unwrap_or(""));
            let step_up = match c.status {
                401 => false,
                403 if bc.error.as_deref() == Some("insufficient_scope") => true,
                _ => return false,
            };
            let inner = &self.inner;
            let mut st = inner.state.lock().await;
            inner.load(&mut st).await;
            // Another request got a new token since this one was sent: just retry.
            let now_header = st
                .auth
                .tokens
                .as_ref()
                .map(|t| format!("Bearer {}", t.access_token));
            if now_header.is_some() && now_header != c.sent {
                return true;
            }
            let n = inner.attempts.fetch_add(1, Ordering::SeqCst) + 1;
            if n > inner.max_attempts {
                let e = OAuthError::RetryLimit(inner.max_attempts);
                tracing::warn!("OAuth: {e}");
                inner.record::<()>(&Err(e));
                return false;
            }
            let r = inner.authorize(&mut st, &bc, step_up).await;
            if let Err(e) = &r {
                tracing::warn!("OAuth: authorization for {} failed: {e}", inner.server);
            }
            inner.record(&r);
            r.is_ok()
        })
    }

    fn accepted(&self) {
        self.inner.attempts.store(0, Ordering::Relaxed);
    }
}

impl Inner {
    fn record<T>(&self, r: &Result<T, OAuthError>) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = r.as_ref().err().cloned();
    }

    fn key(&self) -> &str {
        self.server.as_str()
    }

    pub(crate) async fn load(&self, st: &mut State) {
        if st.loaded {
            return;
        }
        st.loaded = true;
        match self.store.load(self.key()).await {
            Ok(Some(a)) => st.auth = a,
            Ok(None) => {}
            Err(e) => tracing::warn!("OAuth: {e}"),
        }
    }

    async fn save(&self, st: &State) {
        if let Err(e) = self.store.save(self.key(), &st.auth).await {
            tracing::warn!("OAuth: {e}");
        }
    }

    /// The signing key, when `client` is the pre-registered one.
    fn key_for(&self, client: &RegisteredClient) -> Option<&super::credentials::SigningKey> {
        self.credentials
            .as_ref()
            .filter(|c| c.client_id == client.client_id)
            .and_then(|c| c.key.as_ref())
    }

    /// Use the refresh token (the metadata and resource are known).
    async fn refresh(&self, st: &mut State) -> Result<(), OAuthError> {
        let (Some(meta), Some(resource)) = (st.meta.clone(), st.resource.clone()) else {
            return Err(OAuthError::Unsupported(
                "nothing known to refresh with".into(),
            ));
        };
        let Some(rt) = st
            .auth
            .tokens
            .as_ref()
            .and_then(|t| t.refresh_token.clone())
        else {
            return Err(OAuthError::Unsupported("no refresh token".into()));
        };
        let client = self.client_for(st, &meta, None).await?;
        let t = token::request(
            &self.http,
            &meta,
            &client,
            self.key_for(&client),
            Grant::Refresh { refresh_token: &rt },
            &resource,
        )
        .await;
        match t {
            Ok(t) => {
                st.auth.tokens = Some(t);
                st.refreshed = true;
                self.save(st).await;
                tracing::debug!("OAuth: token refreshed for {}", self.server);
                Ok(())
            }
            Err(e) => {
                // A refused refresh token is dropped (the next 401 authorizes anew).
                if let Some(t) = st.auth.tokens.as_mut() {
                    t.refresh_token = None;
                }
                Err(e)
            }
        }
    }

    /// The client registration to use with `meta`: pre-registered credentials, one kept
    /// for this very issuer, a metadata document URL, or a new dynamic registration.
    async fn client_for(
        &self,
        st: &mut State,
        meta: &ServerMetadata,
        redirect_uri: Option<&str>,
    ) -> Result<RegisteredClient, OAuthError> {
        if let Some(c) = &self.credentials {
            if c.issuer.as_deref().is_none_or(|i| i == meta.issuer) {
                return Ok(registration::preregistered(c, meta));
            }
        }
        if let Some(c) = &st.auth.client {
            if c.issuer == meta.issuer {
                return Ok(c.clone());
            }
        }
        let client = match registration::metadata_document(&self.info, meta) {
            Some(c) if !self.client_credentials => c,
            _ => {
                registration::register(
                    &self.http,
                    &self.info,
                    meta,
                    redirect_uri,
                    self.client_credentials,
                )
                .await?
            }
        };
        st.auth.client = Some(client.clone());
        self.save(st).await;
        Ok(client)
    }

    /// Discover, (re)register when needed, and get a token.
    async fn authorize(
        &self,
        st: &mut State,
        bc: &BearerChallenge,
        step_up: bool,
    ) -> Result<(), OAuthError> {
        let (meta, resource, prm_scopes) = self.discover(bc).await?;
        self.bind(st, &meta);
        st.meta = Some(meta.clone());
        st.resource = Some(resource.clone());
        // A 401 for a token that was not just refreshed: try the refresh token first.
        let refreshable = st
            .auth
            .tokens
            .as_ref()
            .is_some_and(|t| t.refresh_token.is_some());
        if !step_up && !st.refreshed && refreshable {
            match self.refresh(st).await {
                Ok(()) => return Ok(()),
                Err(e) => tracing::debug!("OAuth: refresh failed, authorizing anew: {e}"),
            }
        }
        let scopes = self.scopes(st, bc, prm_scopes, &meta, step_up)?;
        let scope = (!scopes.is_empty()).then(|| scopes.join(" "));
        let tokens = if self.client_credentials {
            let client = self.client_for(st, &meta, None).await?;
            token::request(
                &self.http,
                &meta,
                &client,
                self.key_for(&client),
                Grant::ClientCredentials {
                    scope: scope.as_deref(),
                },
                &resource,
            )
            .await?
        } else {
            self.authorization_code(st, &meta, &resource, scope.as_deref())
                .await?
        };
        tracing::debug!("OAuth: authorized with {} for {}", meta.issuer, self.server);
        st.auth.tokens = Some(tokens);
        st.auth.issuer = Some(meta.issuer.clone());
        st.requested = scopes;
        st.refreshed = false;
        self.save(st).await;
        Ok(())
    }

    /// The authorization server's metadata, the resource (as published) and the scopes
    /// the resource lists.
    async fn discover(
        &self,
        bc: &BearerChallenge,
    ) -> Result<(ServerMetadata, String, Option<Vec<String>>), OAuthError> {
        let prm =
            discover_resource(&self.http, &self.server, bc.resource_metadata.as_deref()).await?;
        let (resource, issuer, prm_scopes) = match &prm {
            Some(p) => {
                let issuer = p.authorization_servers.first().ok_or_else(|| {
                    OAuthError::NoServerMetadata(
                        "the protected resource metadata names no authorization server".into(),
                    )
                })?;
                (
                    p.resource.clone(),
                    issuer.clone(),
                    p.scopes_supported.clone(),
                )
            }
            // 2025-03-26: no resource metadata; the server's origin is the issuer.
            None => {
                let mut u = self.server.clone();
                u.set_fragment(None);
                (
                    u.to_string(),
                    self.server.origin().ascii_serialization(),
                    None,
                )
            }
        };
        let meta = match discover_server(&self.http, &issuer, prm.is_none()).await? {
            Some(m) => m,
            None if prm.is_none() => ServerMetadata::fallback(&self.server)?,
            None => return Err(OAuthError::NoServerMetadata(issuer)),
        };
        Ok((meta, resource, prm_scopes))
    }

    /// A new authorization server: nothing of the old one (tokens, registration) is used
    /// with it.
    fn bind(&self, st: &mut State, meta: &ServerMetadata) {
        if st.auth.issuer.as_deref() != Some(meta.issuer.as_str()) {
            if st.auth.issuer.is_some() {
                tracing::info!(
                    "OAuth: the authorization server of {} is now {}; registering anew",
                    self.server,
                    meta.issuer
                );
            }
            st.auth.tokens = None;
            st.auth.issuer = None;
        }
        if st
            .auth
            .client
            .as_ref()
            .is_some_and(|c| c.issuer != meta.issuer)
        {
            st.auth.client = None;
        }
    }

    /// The scopes to ask for: on a step-up the union of those asked for before and the
    /// challenge's, else the challenge's, else the resource's `scopes_supported`, else
    /// the configured ones; `offline_access` when the authorization server lists it.
    fn scopes(
        &self,
        st: &mut State,
        bc: &BearerChallenge,
        prm_scopes: Option<Vec<String>>,
        meta: &ServerMetadata,
        step_up: bool,
    ) -> Result<Vec<String>, OAuthError> {
        let mut scopes: Vec<String> = if step_up {
            let prior = if st.requested.is_empty() {
                st.auth
                    .tokens
                    .as_ref()
                    .and_then(|t| t.scope.clone())
                    .map(|s| split(&s))
                    .unwrap_or_default()
            } else {
                st.requested.clone()
            };
            union(prior, bc.scope.as_deref().map(split).unwrap_or_default())
        } else if let Some(s) = &bc.scope {
            split(s)
        } else if let Some(s) = prm_scopes {
            s
        } else {
            self.scopes.clone()
        };
        if !self.client_credentials
            && meta.supports_scope("offline_access")
            && !scopes.iter().any(|s| s == "offline_access")
        {
            scopes.push("offline_access".into());
        }
        if step_up {
            // The same scopes asked for again and again: the server will not grant them.
            let mut set = scopes.clone();
            set.sort();
            let n = st.step_ups.entry(set.join(" ")).or_insert(0);
            *n += 1;
            if *n > self.max_attempts {
                return Err(OAuthError::RetryLimit(self.max_attempts));
            }
        }
        Ok(scopes)
    }

    /// The authorization code grant with PKCE through the loopback callback.
    async fn authorization_code(
        &self,
        st: &mut State,
        meta: &ServerMetadata,
        resource: &str,
        scope: Option<&str>,
    ) -> Result<Tokens, OAuthError> {
        if !meta
            .code_challenge_methods_supported
            .as_ref()
            .is_some_and(|m| m.iter().any(|x| x == "S256"))
        {
            return Err(OAuthError::PkceUnsupported);
        }
        let loopback = Loopback::bind().await?;
        let redirect_uri = loopback.redirect_uri.clone();
        let client = self.client_for(st, meta, Some(&redirect_uri)).await?;
        let pkce = Pkce::new();
        let state = random_token(16);
        let url = authorize::url(
            meta,
            &authorize::Request {
                client_id: &client.client_id,
                redirect_uri: &redirect_uri,
                scope,
                resource,
                challenge: &pkce.challenge,
                state: &state,
            },
        )?;
        let cb = loopback
            .run(&self.redirect, &url, self.callback_timeout)
            .await?;
        let code = authorize::check(&cb, &state, meta)?;
        token::request(
            &self.http,
            meta,
            &client,
            self.key_for(&client),
            Grant::Code {
                code: &code,
                verifier: &pkce.verifier,
                redirect_uri: &redirect_uri,
            },
            resource,
        )
        .await
    }
}

fn split(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn union(mut a: Vec<String>, b: Vec<String>) -> Vec<String> {
    for s in b {
        if !a.contains(&s) {
            a.push(s);
        }
    }
    a
}
