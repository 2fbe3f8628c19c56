//! What the transport makes of the server's answers: a request's response (JSON body or
//! event stream), HTTP errors, the session and what `initialize` and `tools/list` teach.

use std::sync::Arc;
use std::sync::PoisonError;

use bytes::Bytes;
use fastmcp_protocol::http_headers::{
    annotations, check_header_annotations, param_header, SESSION_ID,
};
use reqwest::header::HeaderName;
use reqwest::{Response, StatusCode};
use serde_json::Value;

use super::state::{Conn, FlightGuard};
use super::streams::is_sse;
use crate::channel::FrameError;
use crate::http_common::{
    describe, http_error, media_type, patch_null_id, read_body, response_id, session_expired,
    transport_failure, BodyError, Outgoing,
};

impl Conn {
    /// Deliver what an HTTP error response means for request `id` (or log it).
    pub(super) async fn http_failure(
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
    pub(super) fn observe(&self, method: &str, msg: &[u8]) {
        if !matches!(method, "initialize" | "tools/list") {
            return;
        }
        let Ok(v) = serde_json::from_slice::<Value>(msg) else {
            return;
        };
        let Some(result) = v.get("result") else {
            return;
        };
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
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
            let mut found: Vec<(HeaderName, Vec<String>)> = vec![];
            if let Some(schema) = tool.get("inputSchema") {
                if let Err(e) = check_header_annotations(schema) {
                    // The client leaves this tool out; mirror nothing for it.
                    tracing::warn!("tool {name}: {e}");
                    st.tool_headers.remove(name);
                    continue;
                }
                found = annotations(schema)
                    .into_iter()
                    .filter_map(|a| {
                        let h = HeaderName::from_bytes(param_header(&a.name).as_bytes()).ok()?;
                        Some((h, a.path))
                    })
                    .collect();
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
    pub(super) async fn send_other(&self, msg: &Bytes, o: &Outgoing) -> bool {
        let (rb, sent) = self.post(msg, o);
        match self.send(rb).await {
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
    pub(super) async fn request(self: Arc<Self>, msg: Bytes, o: Outgoing, _guard: FlightGuard) {
        let id = o.id.clone().expect("a request has an id");
        let stateless = o.version.is_some();
        let method = o.method.clone().unwrap_or_default();
        if !stateless && method != "initialize" {
            let expired = {
                let st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                st.expired && st.session.is_none()
            };
            if expired {
                self.deliver(session_expired(&id)).await;
                return;
            }
        }
        let (rb, sent) = self.post(&msg, &o);
        let resp = match self.send(rb).await {
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
            if let Err(what) = self.new_session(&resp) {
                return self.deliver(transport_failure(&id, &what)).await;
            }
        }
        if matches!(status, StatusCode::ACCEPTED | StatusCode::NO_CONTENT) {
            return; // the answer comes on the GET stream
        }
        if is_sse(&resp) {
            self.request_stream(resp, &id, &method, stateless).await;
            return;
        }
        self.json_answer(resp, &id, &method).await;
    }

    /// Deliver the JSON body answering request `id`; a body that is not JSON (by its
    /// `Content-Type`), is empty, too large, or is not the response to `id` (nor a batch)
    /// fails the request.
    async fn json_answer(&self, resp: Response, id: &str, method: &str) {
        let status = resp.status();
        let media = media_type(resp.headers());
        if !is_json(&media) {
            let what = format!(
                "HTTP {status} with Content-Type {media:?}: the answer to a request must be \
                 application/json or text/event-stream"
            );
            return self.deliver(transport_failure(id, &what)).await;
        }
        match read_body(resp, self.max).await {
            Ok(b) if b.iter().all(u8::is_ascii_whitespace) => {
                self.deliver(transport_failure(
                    id,
                    &format!("HTTP {status} with an empty body"),
                ))
                .await
            }
            Ok(b) => {
                let b = patch_null_id(b, id);
                let answered = response_id(&b).as_deref() == Some(id)
                    || b.trim_ascii_start().starts_with(b"[");
                self.observe(method, &b);
                self.deliver(b).await;
                if !answered {
                    let what = format!(
                        "HTTP {status}: the JSON body is not the JSON-RPC response to request {id}"
                    );
                    self.deliver(transport_failure(id, &what)).await;
                }
            }
            Err(BodyError::TooLarge) => {
                self.deliver_frame(Err(FrameError::TooLarge { limit: self.max }))
                    .await;
                let what = format!("the response is larger than {} bytes", self.max);
                self.deliver(transport_failure(id, &what)).await;
            }
            Err(BodyError::Io(e)) => {
                let what = format!("reading the response failed: {}", describe(&e));
                self.deliver(transport_failure(id, &what)).await;
            }
        }
    }

    /// Remember the session of a successful `initialize` response (none when the server
    /// keeps no sessions), ending a previous one. A session id with bytes outside visible
    /// ASCII (0x21 to 0x7E) could not be sent back: the handshake fails instead.
    pub(super) fn new_session(self: &Arc<Self>, resp: &Response) -> Result<(), String> {
        let sid = match resp.headers().get(SESSION_ID) {
            None => None,
            Some(v) if !v.is_empty() && v.as_bytes().iter().all(|b| (0x21..=0x7e).contains(b)) => {
                Some(String::from_utf8_lossy(v.as_bytes()).into_owned())
            }
            Some(v) => {
                return Err(format!(
                    "the server's Mcp-Session-Id ({:?}) has bytes outside visible ASCII \
                     (0x21 to 0x7E); it cannot be sent back, so the session cannot be used",
                    String::from_utf8_lossy(&v.as_bytes()[..v.len().min(64)])
                ))
            }
        };
        let (old, version) = {
            let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            st.expired = false;
            let old = std::mem::replace(&mut st.session, sid.clone());
            (old, st.version.clone())
        };
        if let Some(old) = old.filter(|o| Some(o) != sid.as_ref()) {
            let conn = self.clone();
            tokio::spawn(async move { conn.delete(&old, version.as_deref()).await });
        }
        Ok(())
    }
}

/// Whether a media type is JSON (`application/json`, or any `+json` type).
fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}
