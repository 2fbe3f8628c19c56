//! Pieces shared by the HTTP client transports: what an outbound message is, JSON-RPC
//! errors made up for requests whose HTTP exchange failed, bodies read with a limit.

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// The JSON-RPC error code of errors the HTTP client transports make up themselves: the
/// request could not be sent, the server answered with an HTTP error without a JSON-RPC
/// body, the response stream was lost, or the session expired (then the error's `data`
/// has `"sessionExpired": true`).
pub const TRANSPORT_ERROR: i32 = -32000;

/// Why a client transport could not be set up or connect.
#[derive(Debug)]
pub struct ConnectError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl ConnectError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        ConnectError {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        ConnectError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{}: {s}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConnectError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|s| s as &(dyn std::error::Error + 'static))
    }
}

/// Custom headers, checked.
pub(crate) fn header_map(pairs: &[(String, String)]) -> Result<HeaderMap, ConnectError> {
    let mut m = HeaderMap::new();
    for (k, v) in pairs {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| ConnectError::with_source(format!("invalid header name {k:?}"), e))?;
        let value = HeaderValue::from_str(v)
            .map_err(|e| ConnectError::with_source(format!("invalid value of header {k}"), e))?;
        m.append(name, value);
    }
    Ok(m)
}

/// A reqwest client with `TCP_NODELAY` that follows redirects only within the origin of
/// the first URL (at most 10): a redirect to another origin fails the request with an
/// error naming the `Location`, so the session id and the custom headers (credentials)
/// are never sent there.
pub(crate) fn default_client() -> Result<reqwest::Client, ConnectError> {
    reqwest::Client::builder()
        .tcp_nodelay(true)
        .connect_timeout(std::time::Duration::from_secs(30))
        .redirect(same_origin_redirects())
        .build()
        .map_err(|e| ConnectError::with_source("cannot build the HTTP client", e))
}

/// Follow a redirect only to the origin of the first URL, at most 10 in a row.
pub(crate) fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(reqwest::Url::origin);
        let next = attempt.url().clone();
        if first.as_ref() != Some(&next.origin()) {
            let from = attempt
                .previous()
                .first()
                .map_or_else(String::new, |u| u.to_string());
            attempt.error(format!(
                "refused a redirect to another origin (Location: {next}, from {from}): the \
                 session id and custom headers are not sent there"
            ))
        } else if attempt.previous().len() > 10 {
            attempt.error(format!("too many redirects (the last to {next})"))
        } else {
            attempt.follow()
        }
    })
}

/// The normalized text of a JSON-RPC id (the key of in-flight requests).
pub(crate) fn id_key(raw: &RawValue) -> String {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(v) => v.to_string(),
        Err(_) => raw.get().to_owned(),
    }
}

#[derive(Deserialize, Default)]
struct MetaProbe {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    version: Option<String>,
}

#[derive(Deserialize, Default)]
struct ParamsProbe<'a> {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(rename = "taskId", default)]
    task_id: Option<String>,
    #[serde(rename = "_meta", default)]
    meta: Option<MetaProbe>,
    #[serde(default, borrow)]
    arguments: Option<&'a RawValue>,
    #[serde(rename = "requestId", default, borrow)]
    request_id: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct MessageProbe<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default)]
    method: Option<String>,
    #[serde(default, borrow)]
    params: Option<&'a RawValue>,
}

/// What an outbound message is, as far as the HTTP transports care.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Outgoing {
    /// The request id (normalized), for requests.
    pub(crate) id: Option<String>,
    /// The method, for requests and notifications.
    pub(crate) method: Option<String>,
    /// `params.name` or `params.uri` (`params.taskId` for `tasks/*`), for `Mcp-Name`.
    pub(crate) name: Option<String>,
    /// `params.uri`, when the name came from it.
    pub(crate) from_uri: bool,
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`: a 2026-07-28 message.
    pub(crate) version: Option<String>,
    /// `params.arguments` of a `tools/call`.
    pub(crate) arguments: Option<Value>,
    /// `params.requestId` of `notifications/cancelled` (normalized).
    pub(crate) cancels: Option<String>,
    /// Not a JSON object.
    pub(crate) unparsed: bool,
}

impl Outgoing {
    pub(crate) fn is_request(&self) -> bool {
        self.id.is_some() && self.method.is_some()
    }
}

/// Look into an outbound message.
pub(crate) fn probe(msg: &[u8]) -> Outgoing {
    let Ok(m) = serde_json::from_slice::<MessageProbe<'_>>(msg) else {
        return Outgoing {
            unparsed: true,
            ..Outgoing::default()
        };
    };
    let p: ParamsProbe<'_> = m
        .params
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .unwrap_or_default();
    let is_task = matches!(
        m.method.as_deref(),
        Some("tasks/get" | "tasks/update" | "tasks/cancel")
    );
    let (name, from_uri) = match (p.name, p.uri) {
        _ if is_task => (p.task_id, false),
        (Some(n), _) if m.method.as_deref() != Some("resources/read") => (Some(n), false),
        (_, Some(u)) => (Some(u), true),
        (n, None) => (n, false),
    };
    let arguments = match m.method.as_deref() {
        Some("tools/call") => p.arguments.and_then(|a| serde_json::from_str(a.get()).ok()),
        _ => None,
    };
    Outgoing {
        id: m.id.map(id_key),
        name,
        from_uri,
        version: p.meta.and_then(|m| m.version),
        arguments,
        cancels: match m.method.as_deref() {
            Some("notifications/cancelled") => p.request_id.map(id_key),
            _ => None,
        },
        method: m.method,
        unparsed: false,
    }
}

#[derive(Deserialize)]
struct ReplyProbe<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    #[serde(default)]
    method: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    result: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    error: Option<serde::de::IgnoredAny>,
}

/// The id of an inbound message that is a response (result or error), normalized;
/// `Some("null")` for an error without id.
pub(crate) fn response_id(msg: &[u8]) -> Option<String> {
    let p = serde_json::from_slice::<ReplyProbe<'_>>(msg).ok()?;
    if p.method.is_some() || (p.result.is_none() && p.error.is_none()) {
        return None;
    }
    Some(p.id.map_or_else(|| "null".to_owned(), id_key))
}

/// An error response to request `id` (a normalized id text).
pub(crate) fn error_response(id: &str, code: i32, message: &str, data: Option<Value>) -> Bytes {
    let id: Value = serde_json::from_str(id).unwrap_or(Value::Null);
    let mut error = json!({ "code": code, "message": message });
    if let Some(d) = data {
        error["data"] = d;
    }
    Bytes::from(json!({ "jsonrpc": "2.0", "id": id, "error": error }).to_string())
}

/// The error for a request of an expired session.
pub(crate) fn session_expired(id: &str) -> Bytes {
    error_response(
        id,
        TRANSPORT_ERROR,
        "Session expired (HTTP 404): initialize again",
        Some(json!({ "sessionExpired": true, "httpStatus": 404 })),
    )
}

/// The error for a request that could not be sent or whose response was lost.
pub(crate) fn transport_failure(id: &str, what: &str) -> Bytes {
    error_response(
        id,
        TRANSPORT_ERROR,
        what,
        Some(json!({ "transport": true })),
    )
}

/// The message to deliver for request `id` answered with HTTP error `status` and `body`:
/// the body itself when it is a JSON-RPC error (its id filled in when missing), else a
/// made-up error.
pub(crate) fn http_error(id: &str, status: reqwest::StatusCode, body: &[u8]) -> Bytes {
    if let Ok(mut v) = serde_json::from_slice::<Value>(body) {
        if v.get("error").is_some_and(Value::is_object) && v.get("method").is_none() {
            if v.get("id").is_none_or(Value::is_null) {
                v["id"] = serde_json::from_str(id).unwrap_or(Value::Null);
            }
            return Bytes::from(v.to_string());
        }
    }
    let text = String::from_utf8_lossy(&body[..body.len().min(512)]);
    let text = text.trim();
    let message = if text.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {text}")
    };
    error_response(
        id,
        TRANSPORT_ERROR,
        &message,
        Some(json!({ "httpStatus": status.as_u16() })),
    )
}

/// Fill in the id of an error response without one (a server answering a request with
/// `"id": null`, e.g. for a parse failure), so the caller's request completes.
pub(crate) fn patch_null_id(msg: Bytes, id: &str) -> Bytes {
    if response_id(&msg).as_deref() != Some("null") {
        return msg;
    }
    match serde_json::from_slice::<Value>(&msg) {
        Ok(mut v) if v.is_object() => {
            v["id"] = serde_json::from_str(id).unwrap_or(Value::Null);
            Bytes::from(v.to_string())
        }
        _ => msg,
    }
}

/// Why a body could not be read.
pub(crate) enum BodyError {
    TooLarge,
    Io(reqwest::Error),
}

/// Read a whole body, at most `max` bytes.
pub(crate) async fn read_body(mut resp: reqwest::Response, max: usize) -> Result<Bytes, BodyError> {
    if resp.content_length().is_some_and(|n| n > max as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = BytesMut::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Io)? {
        if buf.len() + chunk.len() > max {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// The media type of a response, lower-cased, without parameters.
pub(crate) fn media_type(h: &HeaderMap) -> String {
    h.get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// An HTTP client error with its causes.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_requests_notifications_and_responses() {
        let r = probe(br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#);
        assert_eq!(r.id.as_deref(), Some("7"));
        assert!(r.is_request());
        assert_eq!(r.name.as_deref(), Some("add"));
        assert_eq!(r.version.as_deref(), Some("2026-07-28"));
        assert_eq!(r.arguments, Some(json!({"a": 1})));
        let read = probe(
            br#"{"jsonrpc":"2.0","id":"x","method":"resources/read","params":{"uri":"a://b"}}"#,
        );
        assert_eq!(read.id.as_deref(), Some("\"x\""));
        assert_eq!(read.name.as_deref(), Some("a://b"));
        assert!(read.from_uri);
        let task =
            probe(br#"{"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":"t-1"}}"#);
        assert_eq!(task.name.as_deref(), Some("t-1"));
        let c = probe(
            br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}}"#,
        );
        assert!(!c.is_request());
        assert_eq!(c.cancels.as_deref(), Some("3"));
        let resp = probe(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        assert!(!resp.is_request());
        assert!(probe(b"nonsense").unparsed);
    }

    #[test]
    fn response_ids() {
        assert_eq!(
            response_id(br#"{"jsonrpc":"2.0","id":1,"result":{"x":[1]}}"#).as_deref(),
            Some("1")
        );
        assert_eq!(
            response_id(br#"{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":""}}"#)
                .as_deref(),
            Some("null")
        );
        assert_eq!(
            response_id(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            None
        );
        assert_eq!(response_id(br#"{"jsonrpc":"2.0","method":"n"}"#), None);
    }

    #[test]
    fn http_errors_keep_json_rpc_bodies() {
        let body =
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Session not found"}}"#;
        let m: Value =
            serde_json::from_slice(&http_error("5", reqwest::StatusCode::NOT_FOUND, body)).unwrap();
        assert_eq!(m["id"], 5);
        assert_eq!(m["error"]["code"], -32600);
        let m: Value = serde_json::from_slice(&http_error(
            "\"a\"",
            reqwest::StatusCode::BAD_GATEWAY,
            b"upstream down",
        ))
        .unwrap();
        assert_eq!(m["id"], "a");
        assert_eq!(m["error"]["code"], TRANSPORT_ERROR);
        assert_eq!(m["error"]["data"]["httpStatus"], 502);
        assert!(m["error"]["message"]
            .as_str()
            .unwrap()
            .contains("upstream down"));
        let patched: Value = serde_json::from_slice(&patch_null_id(
            Bytes::from_static(
                br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}"#,
            ),
            "9",
        ))
        .unwrap();
        assert_eq!(patched["id"], 9);
    }
}
