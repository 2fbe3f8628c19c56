//! `Client`: connect, negotiate, and call a server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{Error, ErrorKind};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    CallToolResult, ClientCapabilities, CompleteResult, DiscoverResult, ElicitationCapability, Era,
    GetPromptResult, Implementation, InitializeResult, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, LoggingLevel, Prompt,
    ProtocolVersion, ReadResourceResult, Resource, ResourceTemplate, RootsCapability,
    SamplingCapability, ServerCapabilities, Tool, META_CLIENT_CAPABILITIES, META_CLIENT_INFO,
    META_LOG_LEVEL, META_PROGRESS_TOKEN, META_PROTOCOL_VERSION,
};
#[cfg(feature = "http")]
use fastmcp_transport::http_client::{check_header_annotations, StreamableHttp};
#[cfg(feature = "http")]
use fastmcp_transport::sse_client::LegacySse;
#[cfg(feature = "websocket")]
use fastmcp_transport::ws_client::WebSocket;
use fastmcp_transport::Channel;
#[cfg(feature = "child-process")]
use fastmcp_transport::ChildTransport;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::connection::{answer, Wire};
use crate::handler::{ClientHandler, NoHandler};
use crate::handles::{ChildProcess, HttpHandle};

/// How the client speaks to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `initialize` handshake, asking for this version (handshake era).
    Handshake(ProtocolVersion),
    /// No handshake; every request carries `_meta` for this version (stateless era).
    Stateless(ProtocolVersion),
    /// Ask `server/discover` first (stateless era, newest version); if the server does not
    /// answer it, fall back to the `initialize` handshake with the newest handshake version.
    Auto,
}

impl Default for Mode {
    fn default() -> Self {
        Mode::Handshake(ProtocolVersion::LATEST_HANDSHAKE)
    }
}

/// Builds a [`Client`].
pub struct ClientBuilder {
    info: Implementation,
    mode: Mode,
    handler: Arc<dyn ClientHandler>,
    capabilities: Option<ClientCapabilities>,
    timeout: Option<Duration>,
    max_rounds: usize,
    log_level: Option<LoggingLevel>,
    discover: bool,
}

impl ClientBuilder {
    /// The client's name and version.
    pub fn info(mut self, name: &str, version: &str) -> Self {
        self.info = Implementation::new(name, version);
        self
    }

    /// The protocol mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The handler of server requests and notifications. Capabilities are declared for
    /// elicitation, sampling and roots unless set with [`ClientBuilder::capabilities`].
    pub fn handler(mut self, h: impl ClientHandler) -> Self {
        self.handler = Arc::new(h);
        self
    }

    /// Declare exactly these capabilities.
    pub fn capabilities(mut self, c: ClientCapabilities) -> Self {
        self.capabilities = Some(c);
        self
    }

    /// Default timeout of every request.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Most input rounds of one request in the stateless era (default 8).
    pub fn max_input_rounds(mut self, n: usize) -> Self {
        self.max_rounds = n;
        self
    }

    /// The log level sent with every stateless request.
    pub fn log_level(mut self, l: LoggingLevel) -> Self {
        self.log_level = Some(l);
        self
    }

    /// In stateless mode, call `server/discover` when connecting.
    pub fn discover(mut self, on: bool) -> Self {
        self.discover = on;
        self
    }

    /// Connect over a channel.
    pub async fn connect(self, ch: Channel) -> Result<Client, Error> {
        self.connect_with(ch, None).await
    }

    /// Connect to a Streamable HTTP server (the MCP endpoint, e.g.
    /// `http://127.0.0.1:8000/mcp`), in the builder's mode.
    ///
    /// In the handshake era an expired session (HTTP 404) is handled: the client
    /// initializes again and retries the request once.
    #[cfg(feature = "http")]
    pub async fn connect_http(self, url: &str) -> Result<Client, Error> {
        self.connect_streamable_http(StreamableHttp::new(url)).await
    }

    /// Connect to a Streamable HTTP server with transport settings (headers, limits).
    #[cfg(feature = "http")]
    pub async fn connect_streamable_http(self, t: StreamableHttp) -> Result<Client, Error> {
        let (ch, handle) = t
            .connect_with_handle()
            .map_err(|e| Error::transport(e.to_string()))?;
        self.connect_with(ch, Some(handle)).await
    }

    /// Connect to a legacy HTTP+SSE server (protocol 2024-11-05) at its SSE endpoint, e.g.
    /// `http://127.0.0.1:8000/sse`. Pair it with
    /// `.mode(Mode::Handshake(ProtocolVersion::V2024_11_05))` for old servers.
    #[cfg(feature = "http")]
    pub async fn connect_sse(self, url: &str) -> Result<Client, Error> {
        self.connect_legacy_sse(LegacySse::new(url)).await
    }

    /// Connect to a legacy HTTP+SSE server with transport settings.
    #[cfg(feature = "http")]
    pub async fn connect_legacy_sse(self, t: LegacySse) -> Result<Client, Error> {
        let ch = t
            .connect()
            .await
            .map_err(|e| Error::transport(e.to_string()))?;
        self.connect_with(ch, None).await
    }

    /// Connect to a WebSocket server (subprotocol `mcp`), e.g. `ws://127.0.0.1:8000/ws`.
    #[cfg(feature = "websocket")]
    pub async fn connect_websocket(self, url: &str) -> Result<Client, Error> {
        self.connect_websocket_with(WebSocket::new(url)).await
    }

    /// Connect to a WebSocket server with transport settings.
    #[cfg(feature = "websocket")]
    pub async fn connect_websocket_with(self, t: WebSocket) -> Result<Client, Error> {
        let ch = t
            .connect()
            .await
            .map_err(|e| Error::transport(e.to_string()))?;
        self.connect_with(ch, None).await
    }

    async fn connect_with(self, ch: Channel, http: Option<HttpHandle>) -> Result<Client, Error> {
        let capabilities = self.capabilities.unwrap_or_else(|| ClientCapabilities {
            elicitation: Some(ElicitationCapability {
                form: Some(Map::new()),
                url: Some(Map::new()),
            }),
            sampling: Some(SamplingCapability::default()),
            roots: Some(RootsCapability {
                list_changed: Some(true),
            }),
            ..Default::default()
        });
        let wire = Wire::start(ch, self.handler.clone());
        let client = Client {
            inner: Arc::new(Inner {
                wire,
                info: self.info,
                capabilities,
                mode: std::sync::RwLock::new(self.mode),
                handler: self.handler,
                timeout: self.timeout,
                max_rounds: self.max_rounds,
                log_level: self.log_level,
                server: std::sync::RwLock::new(ServerInfo::default()),
                child: tokio::sync::Mutex::new(None),
                http,
                reinit: tokio::sync::Mutex::new(()),
                session_gen: AtomicU64::new(0),
                progress_seq: AtomicU64::new(0),
            }),
        };
        match self.mode {
            Mode::Handshake(v) => client.initialize(v).await?,
            Mode::Stateless(_) if self.discover => {
                let d = client.discover().await?;
                client.set_server(None, d.capabilities, d.instructions);
            }
            Mode::Stateless(_) => {}
            Mode::Auto => {
                client.set_mode(Mode::Stateless(ProtocolVersion::LATEST));
                match client.discover().await {
                    Ok(d)
                        if d.supported_versions
                            .iter()
                            .any(|v| v == ProtocolVersion::LATEST.as_str()) =>
                    {
                        client.set_server(None, d.capabilities, d.instructions);
                    }
                    other => {
                        tracing::debug!(
                            "server/discover did not succeed ({:?}); using the handshake",
                            other.err()
                        );
                        let v = ProtocolVersion::LATEST_HANDSHAKE;
                        client.set_mode(Mode::Handshake(v));
                        client.initialize(v).await?;
                    }
                }
            }
        }
        Ok(client)
    }

    /// Spawn a server as a child process and connect to it over its stdio.
    #[cfg(feature = "child-process")]
    pub async fn spawn(self, t: ChildTransport) -> Result<Client, Error> {
        let (ch, child) = t
            .spawn()
            .map_err(|e| Error::transport(format!("spawn failed: {e}")))?;
        let client = self.connect(ch).await?;
        *client.inner.child.lock().await = Some(child);
        Ok(client)
    }
}

#[derive(Default, Clone)]
struct ServerInfo {
    info: Option<Implementation>,
    capabilities: ServerCapabilities,
    instructions: Option<String>,
    version: Option<ProtocolVersion>,
}

struct Inner {
    wire: Arc<Wire>,
    info: Implementation,
    capabilities: ClientCapabilities,
    mode: std::sync::RwLock<Mode>,
    handler: Arc<dyn ClientHandler>,
    timeout: Option<Duration>,
    max_rounds: usize,
    log_level: Option<LoggingLevel>,
    server: std::sync::RwLock<ServerInfo>,
    child: tokio::sync::Mutex<Option<ChildProcess>>,
    /// The Streamable HTTP transport's handle, when connected that way.
    http: Option<HttpHandle>,
    /// Held while re-initializing after a session expired.
    reinit: tokio::sync::Mutex<()>,
    /// Counts re-initializations, so concurrent requests re-initialize once.
    session_gen: AtomicU64,
    progress_seq: AtomicU64,
}

/// Whether an error is the HTTP transport's "session expired" (HTTP 404 on a session).
fn session_expired(e: &Error) -> bool {
    e.data()
        .and_then(|d| d.get("sessionExpired"))
        .and_then(Value::as_bool)
        == Some(true)
}

/// An MCP client.
///
/// ```no_run
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use fastmcp_client::Client;
/// use fastmcp_transport::ChildTransport;
/// let client = Client::builder().spawn(ChildTransport::new("my-server")).await?;
/// for tool in client.list_tools().await? {
///     println!("{}", tool.name);
/// }
/// let r = client.call_tool("add", serde_json::json!({"a": 1, "b": 2})).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl Client {
    /// Start building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            info: Implementation::new("fastmcp-client", env!("CARGO_PKG_VERSION")),
            mode: Mode::default(),
            handler: Arc::new(NoHandler),
            capabilities: None,
            timeout: None,
            max_rounds: 8,
            log_level: None,
            discover: false,
        }
    }

    /// Connect with the defaults (handshake, latest handshake version).
    pub async fn connect(ch: Channel) -> Result<Client, Error> {
        Self::builder().connect(ch).await
    }

    fn set_server(
        &self,
        info: Option<Implementation>,
        caps: ServerCapabilities,
        instructions: Option<String>,
    ) {
        let mut s = self.inner.server.write().expect("lock");
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
            .round("initialize", &params, self.inner.timeout)
            .await?;
        let r: InitializeResult = serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("bad initialize result: {e}")))?;
        let version = r.protocol_version.parse::<ProtocolVersion>().map_err(|_| {
            Error::new(
                ErrorKind::UnsupportedVersion,
                format!("server chose unsupported version {}", r.protocol_version),
            )
        })?;
        self.set_server(Some(r.server_info), r.capabilities, r.instructions);
        self.inner.server.write().expect("lock").version = Some(version);
        self.inner
            .wire
            .notify("notifications/initialized", to_raw(&json!({})))
            .await
    }

    /// The mode in use (after `Auto` has decided).
    pub fn mode(&self) -> Mode {
        *self.inner.mode.read().expect("lock")
    }

    fn set_mode(&self, m: Mode) {
        *self.inner.mode.write().expect("lock") = m;
    }

    /// The negotiated (or chosen) protocol version.
    ///
    /// In the stateless era this is the mode's version until a server refuses it with
    /// -32022 (unsupported protocol version) and names others it supports: the newest of
    /// those that this client speaks is used from then on.
    pub fn protocol_version(&self) -> ProtocolVersion {
        match self.mode() {
            Mode::Stateless(v) | Mode::Handshake(v) => {
                self.inner.server.read().expect("lock").version.unwrap_or(v)
            }
            Mode::Auto => ProtocolVersion::LATEST,
        }
    }

    /// The era of this client's requests.
    pub fn era(&self) -> Era {
        self.protocol_version().era()
    }

    /// What the server said about itself (handshake era).
    pub fn server_info(&self) -> Option<Implementation> {
        self.inner.server.read().expect("lock").info.clone()
    }

    /// The server's capabilities.
    pub fn server_capabilities(&self) -> ServerCapabilities {
        self.inner.server.read().expect("lock").capabilities.clone()
    }

    /// The server's instructions.
    pub fn instructions(&self) -> Option<String> {
        self.inner.server.read().expect("lock").instructions.clone()
    }

    fn meta(&self) -> Option<Value> {
        let Mode::Stateless(_) = self.mode() else {
            return None;
        };
        let v = self.protocol_version();
        let mut m = json!({
            META_PROTOCOL_VERSION: v.as_str(),
            META_CLIENT_INFO: self.inner.info,
            META_CLIENT_CAPABILITIES: self.inner.capabilities,
        });
        if let Some(l) = self.inner.log_level {
            m[META_LOG_LEVEL] = json!(l);
        }
        Some(m)
    }

    /// Send any request and decode its result. In the stateless era `_meta` is added and
    /// `input_required` results are answered through the handler and retried.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> Result<T, Error> {
        let v = self
            .request_value(method, params, self.inner.timeout)
            .await?;
        serde_json::from_value(v).map_err(|e| Error::internal(format!("bad {method} result: {e}")))
    }

    /// Like [`Client::request`], returning the raw JSON result, with a timeout.
    pub async fn request_value(
        &self,
        method: &str,
        params: impl Serialize,
        timeout: Option<Duration>,
    ) -> Result<Value, Error> {
        let mut params =
            serde_json::to_value(params).map_err(|e| Error::invalid_params(e.to_string()))?;
        if params.is_null() {
            params = json!({});
        }
        if let Some(meta) = self.meta() {
            let slot = &mut params["_meta"];
            match slot.as_object_mut() {
                Some(m) => m.extend(meta.as_object().cloned().unwrap_or_default()),
                None => *slot = meta,
            }
        }
        let mut version_retried = false;
        for _ in 0..=self.inner.max_rounds {
            let gen = self.inner.session_gen.load(Ordering::SeqCst);
            let raw = match self.round(method, &params, timeout).await {
                Err(e) if self.should_reinitialize(method, &e) => {
                    self.reinitialize(gen).await?;
                    self.round(method, &params, timeout).await?
                }
                // Refused for its version: once per request, retry with a version the
                // server named.
                Err(e) if !version_retried && self.adopt_supported_version(&e) => {
                    version_retried = true;
                    params["_meta"][META_PROTOCOL_VERSION] = json!(self.protocol_version());
                    self.round(method, &params, timeout).await?
                }
                r => r?,
            };
            let v: Value =
                serde_json::from_str(raw.get()).map_err(|e| Error::internal(e.to_string()))?;
            if v.get("resultType").and_then(Value::as_str) != Some("input_required") {
                return Ok(v);
            }
            let mut responses = Map::new();
            if let Some(reqs) = v.get("inputRequests").and_then(Value::as_object) {
                for (k, r) in reqs {
                    let m = r["method"].as_str().unwrap_or_default();
                    let p = to_raw(r.get("params").unwrap_or(&json!({})));
                    let a = answer(&*self.inner.handler, m, Some(&p)).await?;
                    responses.insert(
                        k.clone(),
                        serde_json::from_str(a.get()).unwrap_or(Value::Null),
                    );
                }
            }
            params["inputResponses"] = Value::Object(responses);
            match v.get("requestState") {
                Some(s) => params["requestState"] = s.clone(),
                None => {
                    if let Some(o) = params.as_object_mut() {
                        o.remove("requestState");
                    }
                }
            }
        }
        Err(Error::internal(format!(
            "{method}: more than {} input rounds",
            self.inner.max_rounds
        )))
    }

    /// One request with a fresh id.
    async fn round(
        &self,
        method: &str,
        params: &Value,
        timeout: Option<Duration>,
    ) -> Result<Box<serde_json::value::RawValue>, Error> {
        let id = self.inner.wire.next_id();
        let fut = self.inner.wire.request(id, method, to_raw(params));
        match timeout {
            Some(t) => tokio::time::timeout(t, fut)
                .await
                .map_err(|_| Error::timeout())?,
            None => fut.await,
        }
    }

    /// A stateless-era request was refused with -32022 (unsupported protocol version):
    /// take the newest stateless-era version of the error's `data.supported` that this
    /// client speaks, and say whether there is one.
    fn adopt_supported_version(&self, e: &Error) -> bool {
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
        self.inner.server.write().expect("lock").version = Some(v);
        true
    }

    fn should_reinitialize(&self, method: &str, e: &Error) -> bool {
        matches!(self.mode(), Mode::Handshake(_)) && method != "initialize" && session_expired(e)
    }

    /// The session expired: start a new one, unless another request already did since
    /// generation `seen`.
    async fn reinitialize(&self, seen: u64) -> Result<(), Error> {
        let _one_at_a_time = self.inner.reinit.lock().await;
        if self.inner.session_gen.load(Ordering::SeqCst) != seen {
            return Ok(());
        }
        let Mode::Handshake(v) = self.mode() else {
            return Ok(());
        };
        tracing::debug!("the session expired; initializing again");
        self.initialize(v).await?;
        self.inner.session_gen.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// The Streamable HTTP session id (handshake era over HTTP).
    pub fn session_id(&self) -> Option<String> {
        self.inner.http.as_ref().and_then(HttpHandle::session_id)
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

    /// `server/discover` (stateless era).
    pub async fn discover(&self) -> Result<DiscoverResult, Error> {
        self.request("server/discover", json!({})).await
    }

    async fn paginate<R: DeserializeOwned, T>(
        &self,
        method: &str,
        items: impl Fn(R) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, Error> {
        let mut out = vec![];
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let params = match &cursor {
                Some(c) => json!({ "cursor": c }),
                None => json!({}),
            };
            let (page, next) = items(self.request(method, params).await?);
            out.extend(page);
            match next {
                Some(n) if !seen.insert(n.clone()) => {
                    return Err(Error::internal(format!(
                        "{method}: the server repeated cursor {n:?}"
                    )))
                }
                Some(n) => cursor = Some(n),
                None => return Ok(out),
            }
        }
        Err(Error::internal(format!("{method}: too many pages")))
    }

    /// Every tool (all pages).
    ///
    /// Over Streamable HTTP in the stateless era, a tool whose input schema breaks the
    /// rules of `x-mcp-header` annotations (see
    /// [`check_header_annotations`](fastmcp_transport::http_client::check_header_annotations))
    /// is left out, with a warning, as 2026-07-28 requires of clients.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        let tools = self
            .paginate("tools/list", |r: ListToolsResult| (r.tools, r.next_cursor))
            .await?;
        #[cfg(feature = "http")]
        let tools = if self.inner.http.is_some() && self.era() == Era::Stateless {
            tools
                .into_iter()
                .filter(|t| match check_header_annotations(&t.input_schema) {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::warn!("leaving out tool {}: {e}", t.name);
                        false
                    }
                })
                .collect()
        } else {
            tools
        };
        Ok(tools)
    }

    /// Call a tool.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<CallToolResult, Error> {
        self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Call a tool, receiving its progress notifications in `on_progress` (this call's own
    /// progress token; other calls' progress still goes to the handler).
    pub async fn call_tool_with_progress(
        &self,
        name: &str,
        arguments: impl Serialize,
        on_progress: impl Fn(fastmcp_protocol::ProgressNotificationParams) + Send + Sync + 'static,
    ) -> Result<CallToolResult, Error> {
        let token = fastmcp_protocol::RequestId::String(
            format!(
                "progress-{}",
                self.inner.progress_seq.fetch_add(1, Ordering::Relaxed)
            )
            .into(),
        );
        let _guard = self
            .inner
            .wire
            .on_progress(token.clone(), Arc::new(on_progress));
        self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments, "_meta": { META_PROGRESS_TOKEN: token } }),
        )
        .await
    }

    /// Call a tool and decode its structured content as `T` (a wrapped `{"result": x}` is
    /// unwrapped). A tool error is returned as `Err`.
    pub async fn call_tool_as<T: DeserializeOwned>(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<T, Error> {
        let r = self.call_tool(name, arguments).await?;
        if r.is_error() {
            let text = r
                .content
                .iter()
                .filter_map(|c| c.as_text())
                .collect::<Vec<_>>()
                .join("\n");
            return Err(Error::tool(text));
        }
        let v = r
            .structured_content
            .ok_or_else(|| Error::internal(format!("{name} returned no structured content")))?;
        match serde_json::from_value::<T>(v.clone()) {
            Ok(t) => Ok(t),
            Err(e) => match v.get("result") {
                Some(inner) => serde_json::from_value(inner.clone())
                    .map_err(|e| Error::internal(e.to_string())),
                None => Err(Error::internal(e.to_string())),
            },
        }
    }

    /// Every resource.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        self.paginate("resources/list", |r: ListResourcesResult| {
            (r.resources, r.next_cursor)
        })
        .await
    }

    /// Every resource template.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        self.paginate(
            "resources/templates/list",
            |r: ListResourceTemplatesResult| (r.resource_templates, r.next_cursor),
        )
        .await
    }

    /// Read a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.request("resources/read", json!({ "uri": uri })).await
    }

    /// Subscribe to a resource's updates (handshake era).
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.request::<Value>("resources/subscribe", json!({ "uri": uri }))
            .await
            .map(|_| ())
    }

    /// Unsubscribe (handshake era).
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.request::<Value>("resources/unsubscribe", json!({ "uri": uri }))
            .await
            .map(|_| ())
    }

    /// Every prompt.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        self.paginate("prompts/list", |r: ListPromptsResult| {
            (r.prompts, r.next_cursor)
        })
        .await
    }

    /// Render a prompt.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult, Error> {
        self.request(
            "prompts/get",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Complete a prompt argument.
    pub async fn complete_prompt(
        &self,
        prompt: &str,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        self.request(
            "completion/complete",
            json!({ "ref": { "type": "ref/prompt", "name": prompt }, "argument": { "name": argument, "value": value } }),
        )
        .await
    }

    /// Complete a resource template variable.
    pub async fn complete_resource(
        &self,
        template: &str,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        self.request(
            "completion/complete",
            json!({ "ref": { "type": "ref/resource", "uri": template }, "argument": { "name": argument, "value": value } }),
        )
        .await
    }

    /// Set the server's log level (handshake era).
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.request::<Value>("logging/setLevel", json!({ "level": level }))
            .await
            .map(|_| ())
    }

    /// Send a notification.
    pub async fn notify(&self, method: &str, params: impl Serialize) -> Result<(), Error> {
        self.inner.wire.notify(method, to_raw(&params)).await
    }

    /// Whether the connection is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.wire.is_closed()
    }

    /// Close the connection; a child-process server is stopped and reaped, a Streamable
    /// HTTP session is ended with DELETE (waited for up to 5 seconds).
    pub async fn close(self) -> Result<(), Error> {
        let child = self.inner.child.lock().await.take();
        self.inner.wire.close();
        if let Some(h) = &self.inner.http {
            let _ = tokio::time::timeout(Duration::from_secs(5), h.closed()).await;
        }
        if let Some(c) = child {
            c.shutdown().await.map_err(Error::from)?;
        }
        Ok(())
    }
}
