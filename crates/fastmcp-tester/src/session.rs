//! A conversation with the server in one era: ids, `_meta`, headers, and the raw
//! answers, with every response's id compared to its request's.

use std::collections::HashSet;
use std::time::Duration;

use fastmcp_protocol::http_headers::{encode_header_value, name_param};
use serde_json::{json, Value};

use crate::conn::{id_key, Conn, Headers, Reply};
use crate::target::{Era, Target};
use crate::text::{clip, show};

/// The tester's `clientInfo`.
pub(crate) fn client_info() -> Value {
    json!({"name": "fastmcp-tester", "version": env!("CARGO_PKG_VERSION")})
}

/// What a request came to.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// A `result`.
    Ok(Value),
    /// A JSON-RPC `error`.
    Err { code: i64, message: String },
    /// No usable response: a timeout, a dead connection, an HTTP error without one.
    Broken(String),
}

/// A request sent and what came back.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub outcome: Outcome,
    pub reply: Option<Reply>,
    /// The request, clipped.
    pub sent: String,
}

impl Answer {
    /// What came back, for a diagnostic.
    pub fn got(&self) -> String {
        let status = self
            .reply
            .as_ref()
            .and_then(|r| r.status)
            .map(|s| format!("HTTP {s}, "))
            .unwrap_or_default();
        match &self.outcome {
            Outcome::Ok(v) => format!("{status}result {}", show(v)),
            Outcome::Err { code, message } => {
                format!("{status}error {code} {:?}", clip(message, 200))
            }
            Outcome::Broken(e) => format!("{status}{e}"),
        }
    }

    /// "sent …, got …, the spec requires …".
    pub fn diag(&self, requires: &str) -> String {
        format!(
            "sent: {}\ngot: {}\nrequired: {requires}",
            self.sent,
            self.got()
        )
    }
}

/// One connection in one era.
pub(crate) struct Session {
    pub conn: Conn,
    pub era: Era,
    /// The version results are validated against (and `_meta`/headers carry).
    pub version: String,
    /// Whether the handshake completed (headers carry the version only then).
    pub negotiated: bool,
    /// The `Mcp-Session-Id` the server issued (HTTP, handshake era).
    pub session_id: Option<String>,
    /// The server's capabilities.
    pub caps: Value,
    pub timeout: Duration,
    next_id: i64,
    stale: HashSet<String>,
    /// Responses whose id was not their request's.
    pub id_faults: Vec<String>,
    /// Responses that are not well-formed JSON-RPC 2.0.
    pub shape_faults: Vec<String>,
}

impl Session {
    /// Connect (start the process) for `era`.
    pub async fn open(target: &Target, era: Era, timeout: Duration) -> Result<Session, String> {
        Ok(Session {
            conn: Conn::open(target, timeout).await?,
            era,
            version: era.version().to_owned(),
            negotiated: era == Era::Stateless,
            session_id: None,
            caps: json!({}),
            timeout,
            next_id: 0,
            stale: HashSet::new(),
            id_faults: Vec::new(),
            shape_faults: Vec::new(),
        })
    }

    /// A new numeric id.
    pub fn fresh_id(&mut self) -> Value {
        self.next_id += 1;
        json!(self.next_id)
    }

    /// Mark an id whose late response must be ignored.
    pub fn forget(&mut self, id: &Value) {
        self.stale.insert(id_key(id));
    }

    /// The params of `method` as this era sends them (stateless: `_meta` added).
    pub fn params(&self, params: Value) -> Value {
        let mut p = if params.is_object() {
            params
        } else {
            json!({})
        };
        if self.era == Era::Stateless {
            let meta = json!({
                "io.modelcontextprotocol/protocolVersion": self.version,
                "io.modelcontextprotocol/clientInfo": client_info(),
                "io.modelcontextprotocol/clientCapabilities": {},
            });
            let m = p.as_object_mut().and_then(|o| {
                o.entry("_meta")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
            });
            if let (Some(m), Some(extra)) = (m, meta.as_object()) {
                for (k, v) in extra {
                    m.entry(k.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        p
    }

    /// The HTTP headers of a message (session, version, and in the stateless era the
    /// method and name headers).
    pub fn headers(&self, method: Option<&str>, params: &Value) -> Headers {
        let mut h = Headers::new();
        if let Some(id) = &self.session_id {
            h.push(("mcp-session-id".into(), id.clone()));
        }
        if self.negotiated {
            h.push(("mcp-protocol-version".into(), self.version.clone()));
        }
        if let (Era::Stateless, Some(m)) = (self.era, method) {
            h.push(("mcp-method".into(), m.to_owned()));
            let name = name_param(m)
                .and_then(|k| params.get(k))
                .and_then(Value::as_str);
            if let Some(n) = name {
                h.push(("mcp-name".into(), encode_header_value(n)));
            }
        }
        h
    }

    /// A request with a fresh id.
    pub async fn request(&mut self, method: &str, params: Value) -> Answer {
        let id = self.fresh_id();
        self.request_id(id, method, params).await
    }

    /// A request with the given id.
    pub async fn request_id(&mut self, id: Value, method: &str, params: Value) -> Answer {
        let params = self.params(params);
        let headers = self.headers(Some(method), &params);
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send(msg, headers, self.timeout).await
    }

    /// Send any message expecting a response, with explicit headers and timeout.
    pub async fn send(&mut self, msg: Value, headers: Headers, timeout: Duration) -> Answer {
        let sent = show(&msg);
        let id = msg.get("id").cloned().unwrap_or(Value::Null);
        let reply = match self
            .conn
            .request(&msg, &headers, &self.stale, timeout)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.forget(&id);
                return Answer {
                    outcome: Outcome::Broken(e),
                    reply: None,
                    sent,
                };
            }
        };
        let Some(m) = reply.message.clone() else {
            let status = reply
                .status
                .map(|s| format!("HTTP {s} "))
                .unwrap_or_default();
            let e = format!(
                "{status}without a JSON-RPC response; body: {:?}",
                clip(&reply.body, 300)
            );
            return Answer {
                outcome: Outcome::Broken(e),
                reply: Some(reply),
                sent,
            };
        };
        self.judge_envelope(&msg, &m);
        Answer {
            outcome: outcome_of(&m),
            reply: Some(reply),
            sent,
        }
    }

    /// Record a wrong id or a malformed envelope.
    fn judge_envelope(&mut self, sent: &Value, got: &Value) {
        let method = sent.get("method").and_then(Value::as_str).unwrap_or("?");
        let want = sent.get("id").cloned().unwrap_or(Value::Null);
        let have = got.get("id").cloned().unwrap_or(Value::Null);
        if sent.get("method").is_some() && want != have && self.id_faults.len() < 10 {
            self.id_faults.push(format!(
                "{method} sent with id {want}, answered with id {have}"
            ));
        }
        let mut faults = Vec::new();
        if got.get("jsonrpc") != Some(&json!("2.0")) {
            faults.push("no \"jsonrpc\": \"2.0\"");
        }
        if got.get("result").is_some() && got.get("error").is_some() {
            faults.push("both result and error");
        }
        if let Some(e) = got.get("error") {
            if !e.get("code").is_some_and(Value::is_i64)
                || !e.get("message").is_some_and(Value::is_string)
            {
                faults.push("an error without an integer code and a string message");
            }
        }
        if !faults.is_empty() && self.shape_faults.len() < 10 {
            self.shape_faults.push(format!(
                "the response to {method}: {} ({})",
                faults.join(", "),
                show(got)
            ));
        }
    }

    /// Send a notification.
    pub async fn notify(&mut self, method: &str, params: Value) -> Result<Reply, String> {
        let params = self.params(params);
        let headers = self.headers(Some(method), &params);
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.conn.notify(&msg, &headers, self.timeout).await
    }

    /// End the session (HTTP: DELETE it; stdio: kill the child).
    pub async fn close(self) {
        if let (Some(http), Some(id)) = (self.conn.http(), &self.session_id) {
            let h = vec![("mcp-session-id".to_owned(), id.clone())];
            let _ = http
                .send(reqwest::Method::DELETE, &h, None, self.timeout, false)
                .await;
        }
        self.conn.close().await;
    }
}

/// The outcome a response message states.
pub(crate) fn outcome_of(m: &Value) -> Outcome {
    if let Some(e) = m.get("error") {
        return Outcome::Err {
            code: e.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
        };
    }
    match m.get("result") {
        Some(r) => Outcome::Ok(r.clone()),
        None => Outcome::Broken(format!("a response without result or error: {}", show(m))),
    }
}
