//! Client ID Metadata Documents: a client whose `client_id` is an `https` URL is described
//! by the JSON document at that URL. Fetching a URL a stranger chose is a server-side
//! request forgery risk, so the fetch is guarded: `https` only (plain `http` to loopback
//! only in development mode), every address the name resolves to must be public (no
//! loopback, private, link-local, shared, multicast or unspecified address: the cloud
//! metadata service at 169.254.169.254 is never reached) and the connection goes to the
//! address that was checked (no second resolution); no redirects, a size limit, a timeout,
//! and a cache bounded in entries and time.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use reqwest::Url;
use serde::Deserialize;

use crate::grants::RegisteredClient;
use crate::redirect;

/// The guards of the fetch.
#[derive(Debug, Clone)]
pub struct CimdOptions {
    pub(crate) development: bool,
    pub(crate) max_bytes: usize,
    pub(crate) timeout: Duration,
    pub(crate) cache_ttl: Duration,
    pub(crate) cache_entries: usize,
}

impl Default for CimdOptions {
    fn default() -> Self {
        Self {
            development: false,
            max_bytes: 5 * 1024,
            timeout: Duration::from_secs(5),
            cache_ttl: Duration::from_secs(300),
            cache_entries: 1000,
        }
    }
}

impl CimdOptions {
    /// Development mode: documents may also be served over plain `http` from loopback
    /// (`127.0.0.1`, `[::1]`, `localhost`), and loopback addresses are allowed. Never in
    /// production.
    pub fn development(mut self) -> Self {
        self.development = true;
        self
    }

    /// The largest document accepted (5 KiB by default).
    pub fn max_bytes(mut self, n: usize) -> Self {
        self.max_bytes = n;
        self
    }

    /// How long a fetch may take (5 seconds by default).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// How long a document is cached at most (5 minutes by default; a shorter
    /// `Cache-Control: max-age` wins).
    pub fn cache_ttl(mut self, t: Duration) -> Self {
        self.cache_ttl = t;
        self
    }
}

/// Whether `ip` is an address a stranger's URL must never reach.
///
/// ```
/// use fastmcp_auth_server::cimd::is_internal;
/// for a in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
///           "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:127.0.0.1"] {
///     assert!(is_internal(a.parse().unwrap()), "{a}");
/// }
/// assert!(!is_internal("93.184.216.34".parse().unwrap()));
/// assert!(!is_internal("2606:2800:220:1::1".parse().unwrap()));
/// ```
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(a: Ipv4Addr) -> bool {
    let [b0, b1, ..] = a.octets();
    a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_multicast()
        || a.is_documentation()
        || b0 == 0
        || (b0 == 100 && (64..128).contains(&b1)) // shared (CGNAT), RFC 6598
        || (b0 == 192 && b1 == 0) // IETF protocol assignments
        || (b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
        || b0 >= 240 // reserved
}

fn internal_v6(a: Ipv6Addr) -> bool {
    let s0 = a.segments()[0];
    a.is_loopback()
        || a.is_unspecified()
        || a.is_multicast()
        || (s0 & 0xfe00) == 0xfc00 // unique local
        || (s0 & 0xffc0) == 0xfe80 // link-local
        || s0 == 0x2001 && a.segments()[1] == 0x0db8 // documentation
        || a.to_ipv4().is_some_and(internal_v4) // IPv4-compatible
}

#[derive(Deserialize)]
struct Document {
    client_id: String,
    #[serde(default)]
    client_name: Option<String>,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
    #[serde(default)]
    grant_types: Option<Vec<String>>,
    #[serde(default)]
    scope: Option<String>,
}

/// Fetches and caches Client ID Metadata Documents.
pub(crate) struct CimdResolver {
    opts: CimdOptions,
    cache: Mutex<HashMap<String, (RegisteredClient, Instant)>>,
}

/// Whether `client_id` names a metadata document (an `https` URL, or `http` in
/// development).
pub(crate) fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

impl CimdResolver {
    pub fn new(opts: CimdOptions) -> Self {
        Self {
            opts,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The client described at `url`, fetched (or cached) and checked.
    pub async fn resolve(&self, url: &str) -> Result<RegisteredClient, String> {
        let cached = self
            .cache
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(url)
            .filter(|(_, until)| *until > Instant::now())
            .map(|(c, _)| c.clone());
        if let Some(c) = cached {
            return Ok(c);
        }
        let (client, ttl) = self.fetch(url).await?;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        cache.retain(|_, (_, until)| *until > now);
        if cache.len() < self.opts.cache_entries {
            cache.insert(url.to_owned(), (client.clone(), now + ttl));
        }
        Ok(client)
    }

    /// Check `url` and the addresses it resolves to; the address to connect to.
    async fn target(&self, url: &Url) -> Result<SocketAddr, String> {
        let host = url.host_str().ok_or("the client_id URL has no host")?;
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback_name = matches!(bare, "localhost" | "127.0.0.1" | "::1");
        match url.scheme() {
            "https" => {}
            "http" if self.opts.development && loopback_name => {}
            s => return Err(format!("a client_id URL must be https, not {s}")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err("a client_id URL has no userinfo".into());
        }
        if url.fragment().is_some() {
            return Err("a client_id URL has no fragment".into());
        }
        if url.path().len() <= 1 {
            return Err("a client_id URL has a path".into());
        }
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((bare, port))
            .await
            .map_err(|e| format!("cannot resolve {host}: {e}"))?
            .collect();
        let allowed = |a: &SocketAddr| {
            !is_internal(a.ip()) || (self.opts.development && a.ip().is_loopback())
        };
        if addrs.is_empty() {
            return Err(format!("{host} resolves to no address"));
        }
        if let Some(bad) = addrs.iter().find(|a| !allowed(a)) {
            return Err(format!(
                "{host} resolves to {}, an internal address: refused",
                bad.ip()
            ));
        }
        Ok(addrs[0])
    }

    async fn fetch(&self, client_id: &str) -> Result<(RegisteredClient, Duration), String> {
        let url = Url::parse(client_id).map_err(|e| format!("client_id is not a URL: {e}"))?;
        if url.as_str() != client_id {
            return Err("client_id is not in normal form".into());
        }
        let addr = self.target(&url).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(self.opts.timeout)
            .resolve(&host, addr)
            .build()
            .map_err(|e| e.to_string())?;
        let resp = http
            .get(url.clone())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| format!("cannot fetch the client metadata document: {e}"))?;
        if resp.status() != reqwest::StatusCode::OK {
            return Err(format!(
                "the client metadata document answered {} (redirects are not followed)",
                resp.status()
            ));
        }
        if resp
            .content_length()
            .is_some_and(|n| n > self.opts.max_bytes as u64)
        {
            return Err("the client metadata document is larger than allowed".into());
        }
        let ttl = max_age(resp.headers())
            .map(|m| m.min(self.opts.cache_ttl))
            .unwrap_or(self.opts.cache_ttl);
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| format!("reading the client metadata document: {e}"))?;
            if body.len() + chunk.len() > self.opts.max_bytes {
                return Err("the client metadata document is larger than allowed".into());
            }
            body.extend_from_slice(&chunk);
        }
        let doc: Document = serde_json::from_slice(&body)
            .map_err(|e| format!("the client metadata document is not valid: {e}"))?;
        Ok((client_of(client_id, doc)?, ttl))
    }
}

fn max_age(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let cc = headers.get("cache-control")?.to_str().ok()?;
    if cc.contains("no-store") || cc.contains("no-cache") {
        return Some(Duration::ZERO);
    }
    cc.split(',')
        .filter_map(|d| d.trim().strip_prefix("max-age="))
        .find_map(|s| s.parse().ok())
        .map(Duration::from_secs)
}

fn client_of(client_id: &str, doc: Document) -> Result<RegisteredClient, String> {
    if doc.client_id != client_id {
        return Err("the document's client_id is not its URL".into());
    }
    let method = doc
        .token_endpoint_auth_method
        .unwrap_or_else(|| "none".into());
    if method != "none" {
        return Err(format!(
            "token_endpoint_auth_method {method:?}: a metadata document client is public (none)"
        ));
    }
    if doc.redirect_uris.is_empty() {
        return Err("the document has no redirect_uris".into());
    }
    for u in &doc.redirect_uris {
        redirect::check_registered(u).map_err(|e| e.to_string())?;
    }
    let grants = doc
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into(), "refresh_token".into()]);
    if grants.iter().any(|g| g == "client_credentials") {
        return Err("a metadata document client cannot use client_credentials".into());
    }
    Ok(RegisteredClient {
        client_id: client_id.to_owned(),
        secret_digest: None,
        redirect_uris: doc.redirect_uris,
        scopes: doc
            .scope
            .map(|s| s.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default(),
        name: doc.client_name,
        grant_types: grants,
        token_endpoint_auth_method: method,
    })
}
