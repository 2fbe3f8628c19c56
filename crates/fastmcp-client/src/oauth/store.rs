//! Where the tokens and client registrations live between runs: the [`TokenStore`] trait,
//! [`MemoryStore`] (the default) and [`FileStore`] (a JSON file readable by its owner only).

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp_transport::http_auth::AuthFuture;
use serde::{Deserialize, Serialize};

use super::error::OAuthError;

/// The tokens of one server.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, when the authorization server gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// When the access token expires (seconds since the Unix epoch).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The scopes granted (space-separated), when the server said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// A client registration with one authorization server.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredClient {
    /// The issuer of the authorization server it is valid with (and only with).
    pub issuer: String,
    /// The client id.
    pub client_id: String,
    /// The client secret, for confidential clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The token endpoint authentication method (`none`, `client_secret_basic`, ...).
    pub auth_method: String,
}

impl fmt::Debug for RegisteredClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegisteredClient")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_method", &self.auth_method)
            .finish()
    }
}

/// What is kept for one server: its client registration and its tokens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredAuth {
    /// The registration (dynamic or from a metadata document).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<RegisteredClient>,
    /// The tokens, with the issuer that issued them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    /// The issuer of `tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// Keeps tokens and registrations per server (the key is the server's URL).
///
/// ```
/// use fastmcp_client::oauth::{MemoryStore, StoredAuth, TokenStore};
/// # async fn f() -> Result<(), fastmcp_client::oauth::OAuthError> {
/// let store = MemoryStore::default();
/// store.save("http://127.0.0.1:8000/mcp", &StoredAuth::default()).await?;
/// assert!(store.load("http://127.0.0.1:8000/mcp").await?.is_some());
/// # Ok(()) }
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// What is kept for `key`.
    fn load<'a>(&'a self, key: &'a str) -> AuthFuture<'a, Result<Option<StoredAuth>, OAuthError>>;
    /// Keep `auth` for `key`, replacing what was there.
    fn save<'a>(
        &'a self,
        key: &'a str,
        auth: &'a StoredAuth,
    ) -> AuthFuture<'a, Result<(), OAuthError>>;
}

/// Tokens in memory, lost when the process ends.
#[derive(Debug, Default, Clone)]
pub struct MemoryStore {
    map: Arc<Mutex<HashMap<String, StoredAuth>>>,
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> AuthFuture<'a, Result<Option<StoredAuth>, OAuthError>> {
        let v = self
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .cloned();
        Box::pin(async move { Ok(v) })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        auth: &'a StoredAuth,
    ) -> AuthFuture<'a, Result<(), OAuthError>> {
        self.map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), auth.clone());
        Box::pin(async { Ok(()) })
    }
}

/// Tokens in a JSON file (one object, keyed by server URL), replaced atomically on each
/// save (written to a temporary file in the same folder, then renamed).
///
/// On Unix the file is created with mode 0600 (owner read and write only), and its folder
/// is created with 0700 when missing. On Windows the file gets the default permissions
/// inherited from its folder (the user's profile folders are private to the user by
/// default): put it in such a folder.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// The largest token file read (1 MiB).
const MAX_FILE: u64 = 1 << 20;

impl FileStore {
    /// A store in the file at `path` (created on the first save).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            path: path.into(),
            lock: Arc::default(),
        }
    }

    fn read_all(path: &PathBuf) -> Result<HashMap<String, StoredAuth>, OAuthError> {
        use std::io::Read;
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
            Err(e) => return Err(OAuthError::Store(format!("{}: {e}", path.display()))),
        };
        let mut text = String::new();
        file.take(MAX_FILE + 1)
            .read_to_string(&mut text)
            .map_err(|e| OAuthError::Store(format!("{}: {e}", path.display())))?;
        if text.len() as u64 > MAX_FILE {
            return Err(OAuthError::Store(format!(
                "{}: larger than {MAX_FILE} bytes",
                path.display()
            )));
        }
        if text.trim().is_empty() {
            return Ok(HashMap::new());
        }
        serde_json::from_str(&text)
            .map_err(|e| OAuthError::Store(format!("{}: not a token file: {e}", path.display())))
    }

    fn write_all(path: &PathBuf, map: &HashMap<String, StoredAuth>) -> Result<(), OAuthError> {
        use std::io::Write;
        let err = |e: std::io::Error| OAuthError::Store(format!("{}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                let mut b = std::fs::DirBuilder::new();
                b.recursive(true);
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
                b.create(dir).map_err(err)?;
            }
        }
        let text = serde_json::to_vec_pretty(map)
            .map_err(|e| OAuthError::Store(format!("cannot encode: {e}")))?;
        let mut tmp = path.clone().into_os_string();
        tmp.push(format!(".{}.tmp", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp).map_err(err)?;
        // A file left by an older version with wider permissions is narrowed too.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(err)?;
        }
        f.write_all(&text).map_err(err)?;
        f.sync_all().map_err(err)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(err)
    }
}

impl TokenStore for FileStore {
    fn load<'a>(&'a self, key: &'a str) -> AuthFuture<'a, Result<Option<StoredAuth>, OAuthError>> {
        Box::pin(async move {
            let _g = self.lock.lock().await;
            let path = self.path.clone();
            let key = key.to_owned();
            tokio::task::spawn_blocking(move || Ok(Self::read_all(&path)?.remove(&key)))
                .await
                .map_err(|e| OAuthError::Store(e.to_string()))?
        })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        auth: &'a StoredAuth,
    ) -> AuthFuture<'a, Result<(), OAuthError>> {
        Box::pin(async move {
            let _g = self.lock.lock().await;
            let path = self.path.clone();
            let (key, auth) = (key.to_owned(), auth.clone());
            tokio::task::spawn_blocking(move || {
                let mut map = Self::read_all(&path)?;
                map.insert(key, auth);
                Self::write_all(&path, &map)
            })
            .await
            .map_err(|e| OAuthError::Store(e.to_string()))?
        })
    }
}
