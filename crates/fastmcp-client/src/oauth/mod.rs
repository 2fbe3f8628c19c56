//! Client-side OAuth 2.1, as the MCP authorization specification (2025-11-25 and
//! 2026-07-28) asks of a client.
//!
//! [`OAuth`] plugs into the HTTP client transports (`StreamableHttp::auth`,
//! `LegacySse::auth`). When the server answers 401, it:
//!
//! 1. reads the `WWW-Authenticate` challenge (`resource_metadata`, `scope`, `error`);
//! 2. fetches the protected resource metadata (RFC 9728) from the challenge's URL, then the
//!    path-based well-known URL, then the root one, and refuses a document whose `resource`
//!    is not the server's URL (same origin, same path or a parent of it);
//! 3. fetches the authorization server metadata (RFC 8414 then OpenID Connect Discovery,
//!    with the issuer's path inserted, OpenID's path-appended form last) and refuses a
//!    document whose `issuer` is not, character for character, the issuer its URL was
//!    built from. A server of 2025-03-26 without resource metadata has its metadata at
//!    its origin's well-known URL (no issuer identifier was published to compare with, so
//!    the document's `issuer` must only be of that origin), or, with no metadata either,
//!    `/authorize`, `/token` and `/register` at its origin;
//! 4. gets a client id: the [`Credentials`] given, a registration kept for this very
//!    issuer, a Client ID Metadata Document URL when the server supports them, or dynamic
//!    registration (RFC 7591, with `application_type`). A registration is never used with
//!    another authorization server: when the resource moves to a new one, the client
//!    registers anew;
//! 5. authorizes with PKCE S256 (refusing a server that does not list `S256`), `state`,
//!    `resource` (exactly as the metadata published it) and `scope` (the challenge's, else
//!    the metadata's `scopes_supported`, else none; `offline_access` added only when the
//!    authorization server lists it); the response's `iss` (RFC 9207) is compared by
//!    simple string comparison, and required when the server advertises
//!    `authorization_response_iss_parameter_supported`;
//! 6. exchanges the code at the token endpoint with the method the registration calls for
//!    (`none`, `client_secret_basic`, `client_secret_post`, `private_key_jwt`).
//!
//! With [`OAuthBuilder::client_credentials`] step 5 is skipped: the client credentials
//! grant gets the token. Tokens are refreshed shortly before they expire and on a 401;
//! a 403 with `insufficient_scope` re-authorizes with the union of the scopes asked for
//! before and the challenge's (step-up). A request is sent again once at most; after
//! `max_attempts` authorizations in a row without an accepted request, or `max_attempts`
//! step-ups to the same scope set, the client gives up ([`OAuthError::RetryLimit`]).
//!
//! Everything read from the network is bounded (64 KiB per metadata, registration or
//! token response; 30 s per request); errors never carry a token, secret or code, and
//! tokens are never logged.
//!
//! ```no_run
//! use std::sync::Arc;
//! use fastmcp_client::oauth::{FileStore, OAuth, Redirect};
//! use fastmcp_client::Client;
//! use fastmcp_transport::http_client::StreamableHttp;
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let url = "https://mcp.example.com/mcp";
//! let oauth = OAuth::builder(url)
//!     .client_name("my-agent")
//!     .redirect(Redirect::Browser(Arc::new(|u| eprintln!("Open {u} to log in"))))
//!     .store(FileStore::new("/home/me/.config/my-agent/tokens.json"))
//!     .build()?;
//! let client = Client::connect(StreamableHttp::new(url).auth(Arc::new(oauth))).await?;
//! client.list_tools().await?;
//! # Ok(()) }
//! ```

mod authorize;
mod callback;
mod challenge;
mod credentials;
mod error;
mod fetch;
mod metadata;
mod pkce;
mod provider;
mod registration;
mod store;
mod token;

use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::Duration;

pub use callback::Redirect;
pub use credentials::Credentials;
pub use error::OAuthError;
pub use metadata::{resource_matches, ResourceMetadata, ServerMetadata};
pub use provider::OAuth;
pub use store::{FileStore, MemoryStore, RegisteredClient, StoredAuth, TokenStore, Tokens};

use provider::{Inner, State};
use registration::ClientInfo;

/// How an [`OAuth`] is set up.
#[derive(Debug)]
pub struct OAuthBuilder {
    server: String,
    info: ClientInfo,
    credentials: Option<Credentials>,
    client_credentials: bool,
    scopes: Vec<String>,
    redirect: Redirect,
    store: Option<Arc<dyn TokenStore>>,
    callback_timeout: Duration,
    max_attempts: u32,
    refresh_margin: Duration,
}

impl std::fmt::Debug for dyn TokenStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenStore")
    }
}

impl OAuth {
    /// Set up OAuth for the MCP server at `server_url` (the URL the transport connects
    /// to). The defaults: client name `fastmcp-client`, dynamic registration, a browser
    /// redirect that prints the URL to stderr, tokens in memory.
    pub fn builder(server_url: impl Into<String>) -> OAuthBuilder {
        OAuthBuilder {
            server: server_url.into(),
            info: ClientInfo {
                name: "fastmcp-client".into(),
                metadata_url: None,
                application_type: "native".into(),
            },
            credentials: None,
            client_credentials: false,
            scopes: vec![],
            redirect: Redirect::Browser(Arc::new(|url| {
                eprintln!("To authorize, open this URL in a browser:\n{url}")
            })),
            store: None,
            callback_timeout: Duration::from_secs(300),
            max_attempts: 3,
            refresh_margin: Duration::from_secs(60),
        }
    }
}

impl OAuthBuilder {
    /// The `client_name` of dynamic registration.
    pub fn client_name(mut self, name: impl Into<String>) -> Self {
        self.info.name = name.into();
        self
    }

    /// The HTTPS URL of this client's Client ID Metadata Document, used as the
    /// `client_id` with authorization servers that advertise
    /// `client_id_metadata_document_supported`.
    pub fn client_metadata_url(mut self, url: impl Into<String>) -> Self {
        self.info.metadata_url = Some(url.into());
        self
    }

    /// The `application_type` of dynamic registration: `native` (the default, for a
    /// loopback redirect) or `web`.
    pub fn application_type(mut self, t: impl Into<String>) -> Self {
        self.info.application_type = t.into();
        self
    }

    /// Pre-registered credentials (tried before any other way to get a client id).
    pub fn credentials(mut self, c: Credentials) -> Self {
        self.credentials = Some(c);
        self
    }

    /// Use the client credentials grant (machine to machine, no user) instead of the
    /// authorization code grant; needs [`OAuthBuilder::credentials`] with a secret or a
    /// private key, or a registration endpoint.
    pub fn client_credentials(mut self) -> Self {
        self.client_credentials = true;
        self
    }

    /// The scopes to ask for when neither the server's challenge nor its metadata says.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// How the user agent reaches the authorization URL (default: print it to stderr).
    pub fn redirect(mut self, r: Redirect) -> Self {
        self.redirect = r;
        self
    }

    /// Where tokens and registrations are kept (default: a [`MemoryStore`]).
    pub fn store(mut self, s: impl TokenStore) -> Self {
        self.store = Some(Arc::new(s));
        self
    }

    /// How long to wait for the user to authorize (default 5 minutes).
    pub fn callback_timeout(mut self, d: Duration) -> Self {
        self.callback_timeout = d;
        self
    }

    /// How many authorizations in a row may go without an accepted request (default 3).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Refresh a token this long before it expires (default 60 s).
    pub fn refresh_margin(mut self, d: Duration) -> Self {
        self.refresh_margin = d;
        self
    }

    /// Build it; fails on a server URL that is not `http(s)://`.
    pub fn build(self) -> Result<OAuth, OAuthError> {
        let server = metadata::parse_url(&self.server)?;
        if !matches!(server.scheme(), "http" | "https") {
            return Err(OAuthError::InvalidUrl(format!(
                "not an http(s) URL: {:?}",
                self.server
            )));
        }
        Ok(OAuth {
            inner: Arc::new(Inner {
                server,
                http: fetch::client()?,
                info: self.info,
                credentials: self.credentials,
                client_credentials: self.client_credentials,
                scopes: self.scopes,
                redirect: self.redirect,
                store: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryStore::default())),
                callback_timeout: self.callback_timeout,
                max_attempts: self.max_attempts,
                refresh_margin: self.refresh_margin.as_secs(),
                state: tokio::sync::Mutex::new(State::default()),
                attempts: AtomicU32::new(0),
                last_error: StdMutex::new(None),
            }),
        })
    }
}
