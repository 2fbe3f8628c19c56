//! [`RateKey`]: whose requests count together.

use std::fmt;
use std::sync::Arc;

use fastmcp_protocol::Era;

use crate::service::McpRequest;

/// Keys longer than this (a client's name is the client's to choose) are cut.
const MAX_KEY_BYTES: usize = 256;

type KeyFn = dyn Fn(&McpRequest) -> Option<String> + Send + Sync;

/// Whose requests count against one limit: everyone's together, each session's, each
/// client's (by name), each network address's, or a key of your own.
///
/// ```
/// use fastmcp_server::middleware::RateKey;
///
/// let per_ip = RateKey::ip();
/// // A key of your own: here a tenant named in the request's params; requests without
/// // one are not limited.
/// let per_tenant = RateKey::custom("tenant", |req| {
///     let params: serde_json::Value = serde_json::from_str(req.params()?.get()).ok()?;
///     params["arguments"]["tenant"].as_str().map(str::to_owned)
/// });
/// # let _ = (per_ip, per_tenant);
/// ```
#[derive(Clone)]
pub struct RateKey(Kind);

#[derive(Clone)]
enum Kind {
    Global,
    Session,
    Client,
    Ip,
    Custom(&'static str, Arc<KeyFn>),
}

impl RateKey {
    /// One limit shared by every request of the server.
    pub fn global() -> RateKey {
        RateKey(Kind::Global)
    }

    /// One limit per session: a handshake-era session (its `Mcp-Session-Id` on HTTP, the
    /// connection on stdio, WebSocket and legacy SSE). A request of the stateless era
    /// (2026-07-28) has no session beyond itself: it is counted per network address
    /// instead (`session:ip:<ip>`), or, where there is none (stdio, in memory), under one
    /// key shared by all such requests (`session:stateless`).
    pub fn session() -> RateKey {
        RateKey(Kind::Session)
    }

    /// One limit per client name (`clientInfo.name`, from `initialize` or the request's
    /// `_meta`); clients that gave none share one key. A name is what a client says it
    /// is: a limit per client, not a defence against one that lies.
    pub fn client() -> RateKey {
        RateKey(Kind::Client)
    }

    /// One limit per network address (the IP, port ignored): see
    /// [`McpRequest::remote_addr`]. Requests without one (stdio, in memory, an HTTP router
    /// served without the peer's address) share the key `ip:unknown`.
    pub fn ip() -> RateKey {
        RateKey(Kind::Ip)
    }

    /// A key computed by `f`; `None` leaves the request unlimited. `name` says what the
    /// key is in the refusal's message (`per tenant acme`).
    pub fn custom(
        name: &'static str,
        f: impl Fn(&McpRequest) -> Option<String> + Send + Sync + 'static,
    ) -> RateKey {
        RateKey(Kind::Custom(name, Arc::new(f)))
    }

    /// What the key is called in messages (`ip`, `session`, ...).
    pub fn name(&self) -> &'static str {
        match &self.0 {
            Kind::Global => "global",
            Kind::Session => "session",
            Kind::Client => "client",
            Kind::Ip => "ip",
            Kind::Custom(name, _) => name,
        }
    }

    /// The key of `req` (`None`: not limited), as `<name>:<value>`.
    pub(crate) fn of(&self, req: &McpRequest) -> Option<String> {
        let s = req.session();
        let key = match &self.0 {
            Kind::Global => "global".to_owned(),
            Kind::Session if s.era() == Era::Stateless => match req.remote_addr() {
                Some(a) => format!("session:ip:{}", a.ip()),
                None => "session:stateless".to_owned(),
            },
            Kind::Session => format!("session:{}", s.id().unwrap_or_else(|| s.key())),
            Kind::Client => match s.client_info() {
                Some(c) => format!("client:{}", c.name),
                None => "client:".to_owned(),
            },
            Kind::Ip => match req.remote_addr() {
                Some(a) => format!("ip:{}", a.ip()),
                None => "ip:unknown".to_owned(),
            },
            Kind::Custom(name, f) => format!("{name}:{}", f(req)?),
        };
        Some(cut(key))
    }
}

/// `key`, cut to [`MAX_KEY_BYTES`] at a character boundary.
fn cut(mut key: String) -> String {
    if key.len() > MAX_KEY_BYTES {
        let mut end = MAX_KEY_BYTES;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

impl fmt::Debug for RateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RateKey").field(&self.name()).finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_keys_are_cut_at_a_character_boundary() {
        let k = super::cut(format!("client:{}", "é".repeat(300)));
        assert!(k.len() <= super::MAX_KEY_BYTES && k.len() > 250);
        assert!(k.starts_with("client:é"));
    }
}
