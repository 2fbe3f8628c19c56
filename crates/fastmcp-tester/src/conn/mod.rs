//! Raw connections to the server: newline-delimited JSON over a child's stdio, or
//! Streamable HTTP. They move JSON-RPC messages and judge nothing but framing: a line
//! that is not JSON is noted (a finding for `jsonrpc.framing`), never a panic.

mod http;
mod sse;
mod stdio;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{json, Value};

pub(crate) use self::http::HttpConn;
use self::stdio::StdioConn;
use crate::target::Target;
use crate::text::clip;

/// HTTP headers to send, or received (names in lowercase).
pub(crate) type Headers = Vec<(String, String)>;

/// What came back for one message sent.
#[derive(Debug, Default, Clone)]
pub(crate) struct Reply {
    /// The HTTP status (none on stdio).
    pub status: Option<u16>,
    /// The HTTP response headers, names in lowercase.
    pub headers: Headers,
    /// The JSON-RPC response, when one came.
    pub message: Option<Value>,
    /// The raw body (HTTP) or line (stdio), clipped, for diagnostics.
    pub body: String,
}

impl Reply {
    /// A response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What kind of JSON-RPC message a value is.
pub(crate) enum Kind {
    Response,
    ServerRequest,
    Notification,
    Invalid,
}

/// Classify a received message.
pub(crate) fn classify(v: &Value) -> Kind {
    let Some(o) = v.as_object() else {
        return Kind::Invalid;
    };
    match (o.get("method"), o.get("id")) {
        (Some(m), Some(_)) if m.is_string() => Kind::ServerRequest,
        (Some(m), None) if m.is_string() => Kind::Notification,
        (None, Some(_)) if o.contains_key("result") || o.contains_key("error") => Kind::Response,
        _ => Kind::Invalid,
    }
}

/// The key of an id in a set of ids (its JSON text: `1` and `"1"` differ).
pub(crate) fn id_key(id: &Value) -> String {
    id.to_string()
}

/// The answer the tester gives to a request from the server (it declares no client
/// capabilities, so a server should not send any).
pub(crate) fn refuse(request: &Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": request.get("id").cloned().unwrap_or(Value::Null),
        "error": {"code": -32601, "message": "the MCP tester answers no server requests"}
    })
}

/// Framing findings shared by a connection and its reader task.
#[derive(Clone, Default)]
pub(crate) struct Notes(Arc<Mutex<Vec<String>>>);

impl Notes {
    /// Record a finding (the first 20 are kept).
    pub fn push(&self, note: String) {
        let mut v = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if v.len() < 20 {
            v.push(note);
        }
    }

    /// Every finding so far.
    pub fn all(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A connection to the server under test.
pub(crate) enum Conn {
    Stdio(Box<StdioConn>),
    Http(HttpConn),
}

impl Conn {
    /// Start the process or prepare the HTTP client.
    pub async fn open(target: &Target, timeout: Duration) -> Result<Conn, String> {
        match target {
            Target::Command { program, args, env } => {
                StdioConn::spawn(program, args, env).map(|c| Conn::Stdio(Box::new(c)))
            }
            Target::Url(url) => HttpConn::new(url, timeout).map(Conn::Http),
        }
    }

    /// Send a request and wait for a response (skipping responses to `stale` ids).
    pub async fn request(
        &self,
        msg: &Value,
        headers: &Headers,
        stale: &HashSet<String>,
        timeout: Duration,
    ) -> Result<Reply, String> {
        match self {
            Conn::Stdio(c) => {
                c.send(msg).await?;
                let id = msg.get("id").cloned().unwrap_or(Value::Null);
                c.receive(&id, stale, timeout).await
            }
            Conn::Http(c) => c.post(&msg.to_string(), headers, timeout).await,
        }
    }

    /// Send a notification (HTTP: its status and body come back).
    pub async fn notify(
        &self,
        msg: &Value,
        headers: &Headers,
        timeout: Duration,
    ) -> Result<Reply, String> {
        match self {
            Conn::Stdio(c) => c.send(msg).await.map(|()| Reply::default()),
            Conn::Http(c) => c.post(&msg.to_string(), headers, timeout).await,
        }
    }

    /// The HTTP connection, when this is one.
    pub fn http(&self) -> Option<&HttpConn> {
        match self {
            Conn::Http(c) => Some(c),
            Conn::Stdio(_) => None,
        }
    }

    /// The stdio connection, when this is one.
    pub fn stdio(&self) -> Option<&StdioConn> {
        match self {
            Conn::Stdio(c) => Some(c),
            Conn::Http(_) => None,
        }
    }

    /// Framing findings: lines that are not JSON, messages that are not JSON-RPC.
    pub fn notes(&self) -> Vec<String> {
        match self {
            Conn::Stdio(c) => c.notes.all(),
            Conn::Http(c) => c.notes.all(),
        }
    }

    /// End the connection (the child is killed).
    pub async fn close(self) {
        if let Conn::Stdio(c) = self {
            (*c).close().await;
        }
    }
}

/// A received message's text for a framing note.
pub(crate) fn note_of(what: &str, text: &str) -> String {
    format!("{what}: {}", clip(text, 160))
}
