//! Starting a session: the `initialize` handshake, `server/discover`, the `Auto` choice
//! between them, the stateless `_meta`, and starting again when a session expires.

use std::sync::atomic::Ordering;
use std::sync::PoisonError;

use fastmcp_core::{Error, ErrorKind};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    DiscoverResult, Era, Implementation, InitializeResult, ProtocolVersion, ServerCapabilities,
    META_SERVER_INFO,
};
use serde_json::{json, Value};

use crate::client::Client;
use crate::options::Mode;

/// The `_meta` key of a stateless-era request's protocol version.
pub(crate) const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";

/// Whether an error is the HTTP transport's "session expired" (HTTP 404 on a session).
fn session_expired(e: &Error) -> bool {
    e.data()
        .and_then(|d| d.get("sessionExpired"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// What a `server/discover` result says of the server (in `_meta`, under
/// `io.modelcontextprotocol/serverInfo`), when it says it.
fn discovered_info(d: &DiscoverResult) -> Option<Implementation> {
    let info = d.meta.as_ref()?.get(META_SERVER_INFO)?;
    serde_json::from_value(info.clone()).ok()
}

impl Client {
    /// Start the session in `mode`.
    pub(crate) async fn negotiate(&self, mode: Mode, discover: bool) -> Result<(), Error> {
        match mode {
            Mode::Handshake(v) => self.initialize(v).await?,
            Mode::Stateless(_) if discover => {
                let d = self.discover().await?;
                self.set_server(discovered_info(&d), d.capabilities, d.instructions);
            }
            Mode::Stateless(_) => {}
            Mode::Auto => self.negotiate_auto().await?,
        }
        Ok(())
    }

    /// `server/discover` with the newest version; the handshake when it does not succeed.
    async fn negotiate_auto(&self) -> Result<(), Error> {
        self.set_mode(Mode::Stateless(ProtocolVersion::LATEST));
        match self.discover().await {
            Ok(d)
                if d.supported_versions
                    .iter()
                    .any(|v| v == ProtocolVersion::LATEST.as_str()) =>
            {
                self.set_server(discovered_info(&d), d.capabilities, d.instructions);
                Ok(())
            }
            other => {
                tracing::debug!(
                    "server/discover did not succeed ({:?}); using the handshake",
                    other.err()
                );
                let v = ProtocolVersion::LATEST_HANDSHAKE;
                self.set_mode(Mode::Handshake(v));
                self.initialize(v).await
            }
        }
    }

    fn set_server(
        &self,
        info: Option<Implementation>,
        caps: ServerCapabilities,
        instructions: Option<String>,
    ) {
        let mut s = self
            .inner
            .server
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        s.info = info;
        s.capabilities = caps;
        s.instructions = instructions;
    }

    async fn initialize(&self, v: ProtocolVersion) -> Result<(), Error> {
        let params = json!({
            "protocolVersion": v.as_str(),
            "capabilities": self.inner.capabilities,
            "clientInfo": self.inner.info,
        });
        // Straight to the wire: `request` re-initializes on expired sessions, and this is
        // what it calls to do so.
        let raw = self
            .round("initialize", &params, self.inner.timeouts.idle)
            .await?;
        let r: InitializeResult = serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("bad initialize result: {e}")))?;
        let version = match r.protocol_version.parse::<ProtocolVersion>() {
            Ok(v) if v.era() == Era::Handshake => v,
            _ => {
                // The spec: a client that does not support the version SHOULD disconnect.
                self.inner.wire.close();
                return Err(Error::new(
                    ErrorKind::UnsupportedVersion,
                    format!(
                        "the server chose protocol version {:?}, which this client does not \
                         speak in a handshake (it asked for {v}); disconnected",
                        r.protocol_version
                    ),
                )
                .with_data(json!({ "requested": v.as_str(), "chosen": r.protocol_version })));
            }
        };
        self.set_server(Some(r.server_info), r.capabilities, r.instructions);
        self.inner
            .server
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .version = Some(version);
        self.inner
            .wire
            .notify("notifications/initialized", to_raw(&json!({})))
            .await
    }

    /// `server/discover` (stateless era).
    pub async fn discover(&self) -> Result<DiscoverResult, Error> {
        self.request("server/discover", json!({})).await
    }

    /// Check the server is alive: `ping` in the handshake era; in the stateless era, which
    /// has no `ping`, `server/discover`.
    pub async fn ping(&self) -> Result<(), Error> {
        let method = match self.era() {
            Era::Handshake => "ping",
            Era::Stateless => "server/discover",
        };
        self.request::<Value>(method, json!({})).await.map(|_| ())
    }

    /// The `_meta` of every stateless-era request (none in the handshake era).
    pub(crate) fn meta(&self) -> Option<Value> {
        let Mode::Stateless(_) = self.mode() else {
            return None;
        };
        let v = self.protocol_version();
        let mut m = json!({
            PROTOCOL_VERSION_KEY: v.as_str(),
            "io.modelcontextprotocol/clientInfo": self.inner.info,
            "io.modelcontextprotocol/clientCapabilities": self.inner.capabilities,
        });
        if let Some(l) = self.inner.log_level {
            m["io.modelcontextprotocol/logLevel"] = json!(l);
        }
        Some(m)
    }

    /// A stateless-era request was refused with -32022 (unsupported protocol version):
    /// take the newest stateless-era version of the error's `data.supported` that this
    /// client speaks, and say whether there is one.
    pub(crate) fn adopt_supported_version(&self, e: &Error) -> bool {
        if !matches!(self.mode(), Mode::Stateless(_))
            || e.code() != fastmcp_protocol::error_code::UNSUPPORTED_PROTOCOL_VERSION
        {
            return false;
        }
        let best = e
            .data()
            .and_then(|d| d.get("supported"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str()?.parse::<ProtocolVersion>().ok())
            .filter(|v| v.era() == Era::Stateless)
            .max();
        let Some(v) = best else { return false };
        tracing::debug!("the server refused the protocol version; retrying with {v}");
        self.inner
            .server
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .version = Some(v);
        true
    }

    pub(crate) fn should_reinitialize(&self, method: &str, e: &Error) -> bool {
        matches!(self.mode(), Mode::Handshake(_)) && method != "initialize" && session_expired(e)
    }

    /// The session expired: start a new one, unless another request already did since
    /// generation `seen`.
    pub(crate) async fn reinitialize(&self, seen: u64) -> Result<(), Error> {
        let one_at_a_time = self.inner.reinit.lock().await;
        if self.inner.session_gen.load(Ordering::SeqCst) != seen {
            return Ok(());
        }
        let Mode::Handshake(v) = self.mode() else {
            return Ok(());
        };
        tracing::debug!("the session expired; initializing again");
        self.initialize(v).await?;
        self.inner.session_gen.fetch_add(1, Ordering::SeqCst);
        // Not under the lock: a request of the restore that meets an expired session
        // again re-initializes like any other.
        drop(one_at_a_time);
        self.restore_settings().await;
        Ok(())
    }
}
