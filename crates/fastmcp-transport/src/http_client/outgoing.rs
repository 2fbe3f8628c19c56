//! The HTTP requests of the transport: POST of a message with the headers of its era,
//! GET of an event stream, DELETE of a session.

use std::sync::PoisonError;
use std::time::Duration;

use bytes::Bytes;
use fastmcp_protocol::http_headers::{
    encode_header_value, method_has_name, param_text, METHOD, NAME, PROTOCOL_VERSION, SESSION_ID,
};
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, RequestBuilder};

use super::state::Conn;
use crate::http_common::{describe, Outgoing};

const LAST_EVENT_ID: &str = "last-event-id";
const POST_ACCEPT: &str = "application/json, text/event-stream";
/// The media type of an event stream.
pub(super) const SSE: &str = "text/event-stream";

impl Conn {
    pub(super) fn base(&self, method: Method) -> RequestBuilder {
        self.http
            .request(method, self.url.clone())
            .headers(self.headers.clone())
    }

    /// The handshake-era headers: session and negotiated version. Returns the session sent.
    pub(super) fn session_headers(
        &self,
        mut rb: RequestBuilder,
    ) -> (RequestBuilder, Option<String>) {
        let st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = &st.version {
            rb = rb.header(PROTOCOL_VERSION, v);
        }
        if let Some(s) = &st.session {
            rb = rb.header(SESSION_ID, s);
        }
        (rb, st.session.clone())
    }

    /// The POST of one message, with the headers of its era. Returns the session sent.
    pub(super) fn post(&self, msg: &Bytes, o: &Outgoing) -> (RequestBuilder, Option<String>) {
        let mut rb = self
            .base(Method::POST)
            .header(ACCEPT, POST_ACCEPT)
            .header(CONTENT_TYPE, "application/json")
            .body(msg.clone());
        let method = o.method.as_deref().unwrap_or("");
        match &o.version {
            Some(v) => {
                rb = rb.header(PROTOCOL_VERSION, v);
                if let Ok(m) = HeaderValue::from_str(method) {
                    rb = rb.header(METHOD, m);
                }
                if let (Some(n), true) = (&o.name, method_has_name(method)) {
                    rb = rb.header(NAME, encode_header_value(n));
                }
                if let (Some(tool), Some(args), "tools/call") = (&o.name, &o.arguments, method) {
                    let st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
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
    pub(super) fn get(&self, last_event_id: Option<&str>) -> (RequestBuilder, Option<String>) {
        let mut rb = self.base(Method::GET).header(ACCEPT, SSE);
        if let Some(id) = last_event_id {
            rb = rb.header(LAST_EVENT_ID, id);
        }
        self.session_headers(rb)
    }

    pub(super) async fn delete(&self, session: &str, version: Option<&str>) {
        let mut rb = self.base(Method::DELETE).header(SESSION_ID, session);
        if let Some(v) = version {
            rb = rb.header(PROTOCOL_VERSION, v);
        }
        match tokio::time::timeout(Duration::from_secs(5), self.send(rb)).await {
            Ok(Ok(r)) => tracing::debug!("DELETE of session: HTTP {}", r.status()),
            Ok(Err(e)) => tracing::debug!("DELETE of session failed: {}", describe(&e)),
            Err(_) => tracing::debug!("DELETE of session timed out"),
        }
    }
}
