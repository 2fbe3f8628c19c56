//! The Streamable HTTP client transport, for both protocol eras.
//!
//! Every outbound message becomes a POST to the MCP endpoint. A request's answer (a JSON
//! body, or the data of each event of an SSE stream) goes to the channel's inbound side;
//! `202 Accepted` carries nothing.
//!
//! The era is chosen per message, from its body: a message whose `params._meta` carries
//! `io.modelcontextprotocol/protocolVersion` is of the stateless era (2026-07-28) and gets
//! the `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` headers; its
//! cancellation (the client's `notifications/cancelled`) closes the request's response
//! stream instead of being posted. Any other message is of the handshake era: the
//! `Mcp-Session-Id` returned with the `initialize` result is sent on every later request,
//! with the negotiated `MCP-Protocol-Version`; after `notifications/initialized` a GET
//! stream is opened for the server's own messages (the next message waits, up to 1 s, for
//! the server to answer it); a response stream that drops before its response is resumed
//! with GET and `Last-Event-ID`; and closing the channel ends the session with DELETE.
//!
//! Failures never leave a request hanging: an HTTP error with a JSON-RPC body is
//! delivered as the request's answer (its id filled in when the server left it out), and
//! any other failure is delivered as a made-up error response with code
//! [`TRANSPORT_ERROR`]. A 404 on a request of a session means the session expired: its
//! error carries `"data": {"sessionExpired": true}`, the session is forgotten, and until a
//! new `initialize` succeeds every request fails the same way at once.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use fastmcp_transport::http_client::StreamableHttp;
//! let channel = StreamableHttp::new("http://127.0.0.1:8000/mcp")
//!     .header("Authorization", "Bearer secret")
//!     .connect()?;
//! # drop(channel); Ok(()) }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder, Response, StatusCode, Url};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::{AbortHandle, JoinSet};

pub use crate::http_common::{ConnectError, TRANSPORT_ERROR};

use crate::channel::{Channel, FrameError, Inbound, Outbound};
use crate::http_common::{
    default_client, describe, header_map, http_error, media_type, patch_null_id, probe, read_body,
    response_id, session_expired, transport_failure, BodyError, Outgoing,
};
use crate::lines::DEFAULT_MAX_MESSAGE_SIZE;
use crate::sse_parse::{SseEvent, SseParser};

const SESSION: &str = "mcp-session-id";
const VERSION: &str = "mcp-protocol-version";
const LAST_EVENT_ID: &str = "last-event-id";
const POST_ACCEPT: &str = "application/json, text/event-stream";
const SSE: &str = "text/event-stream";
/// How long the first message after `notifications/initialized` waits for the server to
/// answer the GET stream.
const GET_STREAM_WAIT: Duration = Duration::from_secs(1);

/// How to reach a Streamable HTTP server.
#[derive(Debug, Clone)]
pub struct StreamableHttp {
    url: String,
    headers: Vec<(String, String)>,
    client: Option<reqwest::Client>,
    max_message_size: usize,
    capacity: usize,
    max_reconnects: u32,
    reconnect_delay: Duration,
    get_stream: bool,
    delete_on_close: bool,
}

impl StreamableHttp {
    /// A transport to the MCP endpoint at `url` (e.g. `http://127.0.0.1:8000/mcp`).
    pub fn new(url: impl Into<String>) -> Self {
        StreamableHttp {
            url: url.into(),
            headers: vec![],
            client: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            capacity: 256,
            max_reconnects: 3,
            reconnect_delay: Duration::from_secs(1),
            get_stream: true,
            delete_on_close: true,
        }
    }

    /// Send this header with every HTTP request (e.g. `Authorization`).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this HTTP client (to share its connection pool, or for TLS and proxy settings).
    /// By default each transport has a client of its own, with `TCP_NODELAY`.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The largest inbound message in bytes (a JSON body or one SSE event's data); larger
    /// ones are reported as [`FrameError::TooLarge`] (default 4 MiB).
    pub fn max_message_size(mut self, n: usize) -> Self {
        self.max_message_size = n;
        self
    }

    /// How many times in a row a dropped SSE stream is reconnected before giving up
    /// (default 3; any event received resets the count).
    pub fn max_reconnects(mut self, n: u32) -> Self {
        self.max_reconnects = n;
        self
    }

    /// The wait before reconnecting when the server sent no `retry:` (default 1 s).
    pub fn reconnect_delay(mut self, d: Duration) -> Self {
        self.reconnect_delay = d;
        self
    }

    /// Whether to open the GET stream for server-initiated messages after the handshake
    /// (default on).
    pub fn get_stream(mut self, on: bool) -> Self {
        self.get_stream = on;
        self
    }

    /// Whether closing the channel ends the session with DELETE (default on).
    pub fn delete_on_close(mut self, on: bool) -> Self {
        self.delete_on_close = on;
        self
    }

    /// Start the transport. Nothing is sent until the first message; call inside a tokio
    /// runtime.
    pub fn connect(self) -> Result<Channel, ConnectError> {
        self.connect_with_handle().map(|(c, _)| c)
    }

    /// [`StreamableHttp::connect`], also returning a handle to watch the connection.
    pub fn connect_with_handle(self) -> Result<(Channel, HttpHandle), ConnectError> {
        let url = Url::parse(&self.url)
            .map_err(|e| ConnectError::with_source(format!("invalid URL {:?}", self.url), e))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConnectError::new(format!(
                "not an http(s) URL: {:?}",
                self.url
            )));
        }
        let headers = header_map(&self.headers)?;
        let http = match self.client {
            Some(c) => c,
            None => default_client()?,
        };
        let (itx, irx) = mpsc::channel::<Inbound>(self.capacity);
        let (otx, orx) = mpsc::channel::<Bytes>(self.capacity);
        let (dtx, drx) = watch::channel(false);
        let state = Arc::new(Mutex::new(State::default()));
        let conn = Arc::new(Conn {
            http,
            url,
            headers,
            max: self.max_message_size,
            max_reconnects: self.max_reconnects,
            reconnect_delay: self.reconnect_delay,
            get_stream: self.get_stream,
            inbound: itx,
            state: state.clone(),
        });
        tokio::spawn(drive(conn, orx, dtx, self.delete_on_close));
        Ok((
            Channel {
                inbound: irx,
                outbound: Outbound::new(otx),
            },
            HttpHandle { state, done: drx },
        ))
    }
}

/// Watches a Streamable HTTP connection.
#[derive(Clone)]
pub struct HttpHandle {
    state: Arc<Mutex<State>>,
    done: watch::Receiver<bool>,
}

impl std::fmt::Debug for HttpHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpHandle")
            .field("session_id", &self.session_id())
            .field("protocol_version", &self.protocol_version())
            .finish()
    }
}

impl HttpHandle {
    /// The current `Mcp-Session-Id` (handshake era).
    pub fn session_id(&self) -> Option<String> {
        self.state.lock().expect("lock").session.clone()
    }

    /// The protocol version negotiated by the last `initialize` (handshake era).
    pub fn protocol_version(&self) -> Option<String> {
        self.state.lock().expect("lock").version.clone()
    }

    /// Whether the transport has stopped (the channel was closed and the session ended).
    pub fn is_closed(&self) -> bool {
        *self.done.borrow()
    }

    /// Resolves when the transport has stopped: after the channel's outbound side is
    /// dropped, requests in flight are abandoned and the session is ended with DELETE.
    pub async fn closed(&self) {
        let mut rx = self.done.clone();
        let _ = rx.wait_for(|d| *d).await;
    }
}

#[derive(Default)]
struct State {
    session: Option<String>,
    /// The session expired (404) and no new one was made yet.
    expired: bool,
    /// The version negotiated by `initialize`.
    version: Option<String>,
    /// The last request was of the stateless era.
    stateless: bool,
    inflight: HashMap<String, Flight>,
    /// `Mcp-Param-*` headers of each tool, from `tools/list` results.
    tool_headers: HashMap<String, Vec<(HeaderName, Vec<String>)>>,
    get_task: Option<AbortHandle>,
}

struct Flight {
    stateless: bool,
    abort: AbortHandle,
}

struct Conn {
    http: reqwest::Client,
    url: Url,
    headers: HeaderMap,
    max: usize,
    max_reconnects: u32,
    reconnect_delay: Duration,
    get_stream: bool,
    inbound: mpsc::Sender<Inbound>,
    state: Arc<Mutex<State>>,
}

/// Removes a request from the in-flight map when its task ends (or is aborted).
struct FlightGuard {
    state: Arc<Mutex<State>>,
    id: String,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        self.state.lock().expect("lock").inflight.remove(&self.id);
    }
}

async fn drive(
    conn: Arc<Conn>,
    mut rx: mpsc::Receiver<Bytes>,
    done: watch::Sender<bool>,
    delete_on_close: bool,
) {
    let mut tasks = JoinSet::new();
    while let Some(msg) = rx.recv().await {
        while tasks.try_join_next().is_some() {}
        let o = probe(&msg);
        if o.is_request() {
            let id = o.id.clone().expect("a request has an id");
            let stateless = o.version.is_some();
            let guard = FlightGuard {
                state: conn.state.clone(),
                id: id.clone(),
            };
            let abort = tasks.spawn(conn.clone().request(msg, o, guard));
            let mut st = conn.state.lock().expect("lock");
            st.stateless = stateless;
            // A task that already ended has dropped its guard; one that ends later removes
            // the entry (its guard waits for this lock).
            if !abort.is_finished() {
                st.inflight.insert(id, Flight { stateless, abort });
            }
            continue;
        }
        if let Some(target) = &o.cancels {
            let (flight, stateless_conn) = {
                let mut st = conn.state.lock().expect("lock");
                (
                    st.inflight.remove(target),
                    st.stateless && st.session.is_none(),
                )
            };
            match flight {
                // 2026-07-28: closing the response stream is the cancellation.
                Some(f) if f.stateless => {
                    f.abort.abort();
                    continue;
                }
                Some(f) => {
                    conn.send_other(&msg, &o).await;
                    // The client gave up on the request: no resumption of its stream.
                    f.abort.abort();
                    continue;
                }
                None if stateless_conn => continue,
                None => {}
            }
        }
        let ok = conn.send_other(&msg, &o).await;
        if ok && conn.get_stream && o.method.as_deref() == Some("notifications/initialized") {
            // Wait (briefly) for the GET stream to be answered before the next message, so
            // that what the server sends on it from then on is not missed, and a response
            // stream resumed later is not confused with it.
            let ready = conn.listen();
            let _ = tokio::time::timeout(GET_STREAM_WAIT, ready).await;
        }
    }
    tasks.shutdown().await;
    let (get, session, version) = {
        let mut st = conn.state.lock().expect("lock");
        st.inflight.clear();
        (st.get_task.take(), st.session.take(), st.version.clone())
    };
    if let Some(g) = get {
        g.abort();
    }
    if let (true, Some(sid)) = (delete_on_close, session) {
        conn.delete(&sid, version.as_deref()).await;
    }
    drop(conn);
    let _ = done.send(true);
}

/// Encode a header value with the base64 sentinel rule of 2026-07-28 when it is not plain
/// printable ASCII without surrounding spaces.
fn encode_header_value(v: &str) -> String {
    let sentinel = v.starts_with("=?base64?") && v.ends_with("?=");
    let plain = !v.is_empty()
        && v.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && !v.starts_with(' ')
        && !v.ends_with(' ')
        && !sentinel;
    if plain {
        v.to_owned()
    } else {
        format!("=?base64?{}?=", STANDARD.encode(v))
    }
}

/// The text of a `Mcp-Param-*` value: strings as they are, integers in decimal, booleans
/// as `true`/`false`; nothing for other values.
fn param_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Check the `x-mcp-header` annotations of a tool's input schema against the rules of
/// 2026-07-28 (Streamable HTTP, "custom headers from tool parameters"); a client must
/// exclude a tool whose schema breaks one. An annotation must sit on a property reached
/// from the root through `properties` keys alone (not under `items`, `$defs`, `allOf`,
/// ...); name a header with a non-empty RFC 9110 token, unique within the tool ignoring
/// case; and be on a property of type `string`, `integer` or `boolean` (`null` may be
/// added to the type list).
///
/// ```
/// use fastmcp_transport::http_client::check_header_annotations;
/// use serde_json::json;
/// let ok = json!({"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}});
/// assert!(check_header_annotations(&ok).is_ok());
/// let bad = json!({"type": "object", "properties": {"score": {"type": "number", "x-mcp-header": "Score"}}});
/// assert!(check_header_annotations(&bad).is_err());
/// ```
pub fn check_header_annotations(schema: &Value) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    check_annotations(schema, true, false, "#", &mut seen)
}

/// `chain`: the root or a property reached through `properties` alone; `property`: a
/// property of such a schema (where an annotation may stand).
fn check_annotations(
    v: &Value,
    chain: bool,
    property: bool,
    path: &str,
    seen: &mut std::collections::HashSet<String>,
) -> Result<(), String> {
    match v {
        Value::Object(o) => {
            if let Some(h) = o.get("x-mcp-header") {
                if !property {
                    return Err(format!(
                        "x-mcp-header at {path} is not on a property reached through `properties`"
                    ));
                }
                let name = h
                    .as_str()
                    .ok_or_else(|| format!("x-mcp-header at {path} is not a string"))?;
                let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
                if name.is_empty() || !name.bytes().all(token) {
                    return Err(format!(
                        "x-mcp-header {name:?} at {path} is not an HTTP token"
                    ));
                }
                if !seen.insert(name.to_ascii_lowercase()) {
                    return Err(format!(
                        "x-mcp-header {name:?} at {path} is used twice (case-insensitively)"
                    ));
                }
                let permitted =
                    |t: &Value| matches!(t.as_str(), Some("string" | "integer" | "boolean"));
                let typed = match o.get("type") {
                    Some(Value::Array(ts)) => {
                        ts.iter().any(permitted)
                            && ts
                                .iter()
                                .all(|t| permitted(t) || t.as_str() == Some("null"))
                    }
                    Some(t) => permitted(t),
                    None => false,
                };
                if !typed {
                    return Err(format!(
                        "x-mcp-header {name:?} at {path} is on a property that is not of type string, integer or boolean"
                    ));
                }
            }
            for (k, sub) in o {
                match k.as_str() {
                    "x-mcp-header" | "const" | "enum" | "default" | "examples" => {}
                    "properties" if sub.is_object() => {
                        for (name, p) in sub.as_object().into_iter().flatten() {
                            let at = format!("{path}/properties/{name}");
                            check_annotations(p, chain, chain, &at, seen)?;
                        }
                    }
                    _ => check_annotations(sub, false, false, &format!("{path}/{k}"), seen)?,
                }
            }
            Ok(())
        }
        Value::Array(a) => a.iter().enumerate().try_for_each(|(i, x)| {
            check_annotations(x, false, false, &format!("{path}/{i}"), seen)
        }),
        _ => Ok(()),
    }
}

/// Every `x-mcp-header` annotation reachable through `properties` keys alone.
fn annotated(schema: &Value, path: &mut Vec<String>, out: &mut Vec<(HeaderName, Vec<String>)>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, sub) in props {
        path.push(k.clone());
        if let Some(name) = sub.get("x-mcp-header").and_then(Value::as_str) {
            match HeaderName::from_bytes(format!("mcp-param-{name}").as_bytes()) {
                Ok(h) => out.push((h, path.clone())),
                Err(_) => tracing::warn!("tool property {k}: invalid x-mcp-header {name:?}"),
            }
        }
        annotated(sub, path, out);
        path.pop();
    }
}

fn is_sse(resp: &Response) -> bool {
    media_type(resp.headers()) == SSE
}

impl Conn {
    async fn deliver(&self, msg: Bytes) {
        let _ = self.inbound.send(Ok(msg)).await;
    }

    async fn deliver_frame(&self, f: Inbound) {
        let _ = self.inbound.send(f).await;
    }

    fn base(&self, method: Method) -> RequestBuilder {
        self.http
            .request(method, self.url.clone())
            .headers(self.headers.clone())
    }

    /// The handshake-era headers: session and negotiated version. Returns the session sent.
    fn session_headers(&self, mut rb: RequestBuilder) -> (RequestBuilder, Option<String>) {
        let st = self.state.lock().expect("lock");
        if let Some(v) = &st.version {
            rb = rb.header(VERSION, v);
        }
        if let Some(s) = &st.session {
            rb = rb.header(SESSION, s);
        }
        (rb, st.session.clone())
    }

    /// The POST of one message, with the headers of its era. Returns the session sent.
    fn post(&self, msg: &Bytes, o: &Outgoing) -> (RequestBuilder, Option<String>) {
        let mut rb = self
            .base(Method::POST)
            .header(ACCEPT, POST_ACCEPT)
            .header(CONTENT_TYPE, "application/json")
            .body(msg.clone());
        let method = o.method.as_deref().unwrap_or("");
        match &o.version {
            Some(v) => {
                rb = rb.header(VERSION, v);
                if let Ok(m) = HeaderValue::from_str(method) {
                    rb = rb.header("mcp-method", m);
                }
                // SEP-2243; SEP-2663 adds the tasks extension's methods (the task id).
                if matches!(
                    method,
                    "tools/call"
                        | "resources/read"
                        | "prompts/get"
                        | "tasks/get"
                        | "tasks/update"
                        | "tasks/cancel"
                ) {
                    if let Some(n) = &o.name {
                        rb = rb.header("mcp-name", encode_header_value(n));
                    }
                }
                if let (Some(tool), Some(args), "tools/call") = (&o.name, &o.arguments, method) {
                    let st = self.state.lock().expect("lock");
                    for (h, path) in st.tool_headers.get(tool).into_iter().flatten() {
                        let v = path.iter().try_fold(args, |v, k| v.get(k));
                        if let Some(text) = v.and_then(param_text) {
                            rb = rb.header(h.clone(), encode_header_value(&text));
                        }
                    }
                }
                (rb, None)
            }
            // A new session starts without the old one's id and version.
            None if method == "initialize" => (rb, None),
            None => self.session_headers(rb),
        }
    }

    /// GET of the session's stream, or of a stream to resume.
    fn get(&self, last_event_id: Option<&str>) -> (RequestBuilder, Option<String>) {
        let mut rb = self.base(Method::GET).header(ACCEPT, SSE);
        if let Some(id) = last_event_id {
            rb = rb.header(LAST_EVENT_ID, id);
        }
        self.session_headers(rb)
    }

    async fn delete(&self, session: &str, version: Option<&str>) {
        let mut rb = self.base(Method::DELETE).header(SESSION, session);
        if let Some(v) = version {
            rb = rb.header(VERSION, v);
        }
        match tokio::time::timeout(Duration::from_secs(5), rb.send()).await {
            Ok(Ok(r)) => tracing::debug!("DELETE of session: HTTP {}", r.status()),
            Ok(Err(e)) => tracing::debug!("DELETE of session failed: {}", describe(&e)),
            Err(_) => tracing::debug!("DELETE of session timed out"),
        }
    }

    /// The session `sid` expired: forget it (unless a new one replaced it already).
    fn expire(&self, sid: &str) {
        let mut st = self.state.lock().expect("lock");
        if st.session.as_deref() == Some(sid) {
            st.session = None;
            st.expired = true;
            if let Some(g) = st.get_task.take() {
                g.abort();
            }
        }
    }

    /// Open (or reopen) the GET stream. The receiver resolves when the server answered the
    /// GET (or it failed).
    fn listen(self: &Arc<Self>) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let mut st = self.state.lock().expect("lock");
        if let Some(old) = st.get_task.take() {
            old.abort();
        }
        let session = st.session.clone();
        st.get_task = Some(tokio::spawn(self.clone().listen_task(session, tx)).abort_handle());
        rx
    }

    /// Deliver what an HTTP error response means for request `id` (or log it).
    async fn http_failure(
        &self,
        resp: Response,
        id: Option<&str>,
        sent_session: Option<String>,
        stateless: bool,
    ) {
        let status = resp.status();
        if status == StatusCode::NOT_FOUND && !stateless {
            if let Some(sid) = sent_session {
                self.expire(&sid);
                if let Some(id) = id {
                    self.deliver(session_expired(id)).await;
                }
                return;
            }
        }
        let body = read_body(resp, self.max.min(1 << 20))
            .await
            .unwrap_or_default();
        match id {
            Some(id) => self.deliver(http_error(id, status, &body)).await,
            None => tracing::debug!(
                "HTTP {status} for a message without id: {}",
                String::from_utf8_lossy(&body[..body.len().min(512)])
            ),
        }
    }

    /// Learn from the answer to our own request: the negotiated version, tool headers.
    fn observe(&self, method: &str, msg: &[u8]) {
        if !matches!(method, "initialize" | "tools/list") {
            return;
        }
        let Ok(v) = serde_json::from_slice::<Value>(msg) else {
            return;
        };
        let Some(result) = v.get("result") else {
            return;
        };
        let mut st = self.state.lock().expect("lock");
        if method == "initialize" {
            if let Some(version) = result.get("protocolVersion").and_then(Value::as_str) {
                st.version = Some(version.to_owned());
            }
            return;
        }
        for tool in result
            .get("tools")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(name) = tool.get("name").and_then(Value::as_str) else {
                continue;
            };
            let mut found = vec![];
            if let Some(schema) = tool.get("inputSchema") {
                if let Err(e) = check_header_annotations(schema) {
                    // The client leaves this tool out; mirror nothing for it.
                    tracing::warn!("tool {name}: {e}");
                    st.tool_headers.remove(name);
                    continue;
                }
                annotated(schema, &mut vec![], &mut found);
            }
            if found.is_empty() {
                st.tool_headers.remove(name);
            } else {
                st.tool_headers.insert(name.to_owned(), found);
            }
        }
    }

    /// POST a notification, a response or anything else that is not a request; whether
    /// the server accepted it.
    async fn send_other(&self, msg: &Bytes, o: &Outgoing) -> bool {
        let (rb, sent) = self.post(msg, o);
        match rb.send().await {
            Ok(r) if r.status().is_success() => {
                // A batch may be answered with a JSON array.
                if r.status() == StatusCode::OK && media_type(r.headers()) == "application/json" {
                    if let Ok(body) = read_body(r, self.max).await {
                        if !body.iter().all(u8::is_ascii_whitespace) {
                            self.deliver(body).await;
                        }
                    }
                }
                true
            }
            Ok(r) => {
                self.http_failure(r, None, sent, o.version.is_some()).await;
                false
            }
            Err(e) => {
                tracing::debug!("POST failed: {}", describe(&e));
                false
            }
        }
    }

    /// One request: POST it and deliver its answer.
    async fn request(self: Arc<Self>, msg: Bytes, o: Outgoing, _guard: FlightGuard) {
        let id = o.id.clone().expect("a request has an id");
        let stateless = o.version.is_some();
        let method = o.method.clone().unwrap_or_default();
        if !stateless && method != "initialize" {
            let expired = {
                let st = self.state.lock().expect("lock");
                st.expired && st.session.is_none()
            };
            if expired {
                self.deliver(session_expired(&id)).await;
                return;
            }
        }
        let (rb, sent) = self.post(&msg, &o);
        let resp = match rb.send().await {
            Ok(r) => r,
            Err(e) => {
                let what = format!("HTTP request failed: {}", describe(&e));
                self.deliver(transport_failure(&id, &what)).await;
                return;
            }
        };
        let status = resp.status();
        if !status.is_success() {
            self.http_failure(resp, Some(&id), sent, stateless).await;
            return;
        }
        if method == "initialize" {
            self.new_session(&resp);
        }
        if matches!(status, StatusCode::ACCEPTED | StatusCode::NO_CONTENT) {
            return; // the answer comes on the GET stream
        }
        if is_sse(&resp) {
            self.request_stream(resp, &id, &method, stateless).await;
            return;
        }
        match read_body(resp, self.max).await {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => {
                self.deliver(transport_failure(
                    &id,
                    &format!("HTTP {status} with an empty body"),
                ))
                .await
            }
            Ok(b) => {
                let b = patch_null_id(b, &id);
                self.observe(&method, &b);
                self.deliver(b).await;
            }
            Err(BodyError::TooLarge) => {
                self.deliver_frame(Err(FrameError::TooLarge { limit: self.max }))
                    .await;
                let what = format!("the response is larger than {} bytes", self.max);
                self.deliver(transport_failure(&id, &what)).await;
            }
            Err(BodyError::Io(e)) => {
                let what = format!("reading the response failed: {}", describe(&e));
                self.deliver(transport_failure(&id, &what)).await;
            }
        }
    }

    /// Remember the session of a successful `initialize` response (none when the server
    /// keeps no sessions), ending a previous one.
    fn new_session(self: &Arc<Self>, resp: &Response) {
        let sid = resp
            .headers()
            .get(SESSION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let (old, version) = {
            let mut st = self.state.lock().expect("lock");
            st.expired = false;
            let old = std::mem::replace(&mut st.session, sid.clone());
            (old, st.version.clone())
        };
        if let Some(old) = old.filter(|o| Some(o) != sid.as_ref()) {
            let conn = self.clone();
            tokio::spawn(async move { conn.delete(&old, version.as_deref()).await });
        }
    }

    /// Deliver the events of a request's SSE stream until its response; resume a dropped
    /// stream (handshake era) with GET and `Last-Event-ID`.
    async fn request_stream(&self, mut resp: Response, id: &str, method: &str, stateless: bool) {
        let mut parser = SseParser::new(self.max);
        let mut events = Vec::new();
        let mut attempts = 0u32;
        let mut oversized = false;
        loop {
            let mut done = false;
            while !done {
                let chunk = match resp.chunk().await {
                    Ok(Some(c)) => c,
                    Ok(None) => break,
                    Err(e) => {
                        tracing::debug!("response stream of {id} broke: {}", describe(&e));
                        break;
                    }
                };
                parser.feed(&chunk, &mut events);
                if parser.take_progress() {
                    attempts = 0;
                }
                for SseEvent { event, data } in events.drain(..) {
                    if event.as_deref().is_some_and(|e| e != "message") {
                        continue;
                    }
                    match data {
                        Err(e) => {
                            oversized = true;
                            self.deliver_frame(Err(e)).await;
                        }
                        Ok(d) => {
                            if response_id(&d).as_deref() == Some(id) {
                                self.observe(method, &d);
                                done = true;
                            }
                            self.deliver(d).await;
                        }
                    }
                }
            }
            if done {
                // The server ends the stream after the response; read that end (briefly)
                // so the connection can be reused.
                let _ = tokio::time::timeout(Duration::from_secs(1), async {
                    while let Ok(Some(_)) = resp.chunk().await {}
                })
                .await;
                return;
            }
            drop(resp);
            let failure = |what: &str| transport_failure(id, what);
            if stateless {
                let f = failure("the response stream ended before the response");
                return self.deliver(f).await;
            }
            if oversized {
                let f = failure(&format!(
                    "a message of the response stream was larger than {} bytes",
                    self.max
                ));
                return self.deliver(f).await;
            }
            let Some(last) = parser.last_id.clone() else {
                let f = failure("the response stream ended before the response and cannot be resumed (no event id)");
                return self.deliver(f).await;
            };
            parser.reset_stream();
            resp = loop {
                attempts += 1;
                if attempts > self.max_reconnects {
                    let f = failure(&format!(
                        "the response stream ended before the response; gave up after {} reconnections",
                        self.max_reconnects
                    ));
                    return self.deliver(f).await;
                }
                tokio::time::sleep(parser.retry.unwrap_or(self.reconnect_delay)).await;
                let (rb, sent) = self.get(Some(&last));
                match rb.send().await {
                    Ok(r) if r.status().is_success() && is_sse(&r) => break r,
                    Ok(r) if r.status().is_success() => {
                        let f = failure("resuming the response stream: not an event stream");
                        return self.deliver(f).await;
                    }
                    Ok(r) => return self.http_failure(r, Some(id), sent, false).await,
                    Err(e) => tracing::debug!("resuming the stream of {id}: {}", describe(&e)),
                }
            };
        }
    }

    /// The GET stream of the session: deliver what comes, reconnect when it drops.
    async fn listen_task(self: Arc<Self>, session: Option<String>, ready: oneshot::Sender<()>) {
        let mut parser = SseParser::new(self.max);
        let mut events = Vec::new();
        let mut attempts = 0u32;
        let mut ready = Some(ready);
        loop {
            let (rb, sent) = self.get(parser.last_id.as_deref());
            let answer = rb.send().await;
            if let Some(r) = ready.take() {
                let _ = r.send(());
            }
            match answer {
                Ok(r) if r.status() == StatusCode::METHOD_NOT_ALLOWED => return,
                Ok(r) if r.status().is_success() && is_sse(&r) => {
                    let mut r = r;
                    loop {
                        let chunk = match r.chunk().await {
                            Ok(Some(c)) => c,
                            Ok(None) => break,
                            Err(e) => {
                                tracing::debug!("GET stream broke: {}", describe(&e));
                                break;
                            }
                        };
                        parser.feed(&chunk, &mut events);
                        if parser.take_progress() {
                            attempts = 0;
                        }
                        for ev in events.drain(..) {
                            if ev.kind() == "message" {
                                self.deliver_frame(ev.data).await;
                            }
                        }
                    }
                }
                Ok(r) if r.status().is_success() => {
                    tracing::debug!("GET stream: not an event stream");
                    return;
                }
                Ok(r) => return self.http_failure(r, None, sent, false).await,
                Err(e) => tracing::debug!("GET stream: {}", describe(&e)),
            }
            parser.reset_stream();
            if self.state.lock().expect("lock").session != session {
                return;
            }
            attempts += 1;
            if attempts > self.max_reconnects {
                return;
            }
            tokio::time::sleep(parser.retry.unwrap_or(self.reconnect_delay)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_values_follow_the_sentinel_rule() {
        assert_eq!(encode_header_value("get_weather"), "get_weather");
        assert_eq!(
            encode_header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            encode_header_value("line1\nline2"),
            "=?base64?bGluZTEKbGluZTI=?="
        );
        assert_eq!(
            encode_header_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn invalid_x_mcp_header_annotations_are_refused() {
        let tool = |props: Value| json!({"type": "object", "properties": props});
        let ok = [
            tool(json!({"region": {"type": "string", "x-mcp-header": "Region"}})),
            tool(
                json!({"n": {"type": "integer", "x-mcp-header": "N"}, "b": {"type": "boolean", "x-mcp-header": "B"}}),
            ),
            tool(json!({"opt": {"type": ["string", "null"], "x-mcp-header": "Opt"}})),
            tool(
                json!({"o": {"type": "object", "properties": {"r": {"type": "string", "x-mcp-header": "R"}}}}),
            ),
            tool(json!({"x-mcp-header": {"type": "string"}})),
            tool(
                json!({"d": {"type": "object", "default": {"x-mcp-header": "Data, not an annotation"}}}),
            ),
            json!({"type": "object"}),
        ];
        for s in &ok {
            assert_eq!(check_header_annotations(s), Ok(()), "{s}");
        }
        let bad = [
            tool(json!({"v": {"type": "string", "x-mcp-header": ""}})),
            tool(json!({"v": {"type": "object", "x-mcp-header": "Data"}})),
            tool(
                json!({"v": {"type": "array", "items": {"type": "string"}, "x-mcp-header": "Items"}}),
            ),
            tool(json!({"v": {"type": "null", "x-mcp-header": "Nil"}})),
            tool(json!({"v": {"type": "number", "x-mcp-header": "Score"}})),
            tool(json!({"v": {"x-mcp-header": "Untyped"}})),
            tool(
                json!({"a": {"type": "string", "x-mcp-header": "Region"}, "b": {"type": "string", "x-mcp-header": "Region"}}),
            ),
            tool(
                json!({"a": {"type": "string", "x-mcp-header": "MyField"}, "b": {"type": "string", "x-mcp-header": "myfield"}}),
            ),
            tool(json!({"v": {"type": "string", "x-mcp-header": "My Region"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Region:Primary"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Région"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Region\t1"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": 7}})),
            tool(
                json!({"list": {"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}}}),
            ),
            json!({"type": "object", "$defs": {"r": {"type": "string", "x-mcp-header": "R"}}}),
            json!({"type": "object", "allOf": [{"properties": {"r": {"type": "string", "x-mcp-header": "R"}}}]}),
            json!({"type": "object", "x-mcp-header": "Root"}),
        ];
        for s in &bad {
            assert!(check_header_annotations(s).is_err(), "{s}");
        }
    }

    #[test]
    fn x_mcp_header_annotations_are_found_through_properties_only() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "opts": {"type": "object", "properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
            "list": {"type": "array", "items": {"x-mcp-header": "Nope"}},
            "q": {"type": "string"}
        }});
        let mut out = vec![];
        annotated(&schema, &mut vec![], &mut out);
        out.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
        assert_eq!(
            out,
            vec![
                (
                    HeaderName::from_static("mcp-param-n"),
                    vec!["opts".to_owned(), "n".to_owned()]
                ),
                (
                    HeaderName::from_static("mcp-param-region"),
                    vec!["region".to_owned()]
                ),
            ]
        );
        assert_eq!(param_text(&json!(42)), Some("42".into()));
        assert_eq!(param_text(&json!(true)), Some("true".into()));
        assert_eq!(param_text(&json!(null)), None);
    }
}
