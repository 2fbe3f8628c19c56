//! Streamable HTTP: one POST per message, the answer as JSON or as an SSE stream.

use std::time::Duration;

use serde_json::Value;

use super::sse::SseParser;
use super::{classify, note_of, refuse, Headers, Kind, Notes, Reply};
use crate::text::clip;

/// The largest body read.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The `Accept` of every POST.
pub(crate) const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// An HTTP endpoint and a client for it.
pub(crate) struct HttpConn {
    client: reqwest::Client,
    /// The endpoint.
    pub url: String,
    pub(super) notes: Notes,
}

impl HttpConn {
    /// A client for `url` (no proxy: the tester talks to the server itself).
    pub fn new(url: &str, timeout: Duration) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(timeout)
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(HttpConn {
            client,
            url: url.to_owned(),
            notes: Notes::default(),
        })
    }

    /// POST `body` with `headers` (plus the content type and, unless given, the default
    /// `Accept`); read the JSON-RPC response from a JSON or SSE body.
    pub async fn post(
        &self,
        body: &str,
        headers: &Headers,
        timeout: Duration,
    ) -> Result<Reply, String> {
        let mut all: Headers = vec![("content-type".into(), "application/json".into())];
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("accept"))
        {
            all.push(("accept".into(), ACCEPT_BOTH.into()));
        }
        all.extend(headers.iter().cloned());
        self.send(
            reqwest::Method::POST,
            &all,
            Some(body.to_owned()),
            timeout,
            true,
        )
        .await
    }

    /// Any request; with `read_body` false only the status and headers are read (a GET
    /// that opens an event stream must not hold the tester).
    pub async fn send(
        &self,
        method: reqwest::Method,
        headers: &Headers,
        body: Option<String>,
        timeout: Duration,
        read_body: bool,
    ) -> Result<Reply, String> {
        let work = async {
            let mut req = self.client.request(method.clone(), &self.url);
            for (k, v) in headers {
                req = req.header(k.as_str(), v.as_str());
            }
            if let Some(b) = body {
                req = req.body(b);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| format!("HTTP {method} failed: {e}"))?;
            let mut reply = Reply {
                status: Some(resp.status().as_u16()),
                headers: resp
                    .headers()
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                ..Reply::default()
            };
            if read_body {
                self.read_body(resp, headers, &mut reply, timeout).await?;
            }
            Ok(reply)
        };
        tokio::time::timeout(timeout, work)
            .await
            .unwrap_or_else(|_| Err(format!("no HTTP answer within {timeout:?}")))
    }

    /// Read a JSON body, or SSE events until the first response.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        headers: &Headers,
        reply: &mut Reply,
        timeout: Duration,
    ) -> Result<(), String> {
        let sse = reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/event-stream"));
        let mut raw: Vec<u8> = Vec::new();
        let mut parser = SseParser::default();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
        {
            if raw.len() + chunk.len() > MAX_BODY {
                return Err(format!("a body over {MAX_BODY} bytes"));
            }
            if !sse {
                raw.extend_from_slice(&chunk);
                continue;
            }
            raw.extend_from_slice(&chunk);
            for data in parser.feed(&String::from_utf8_lossy(&chunk)) {
                if self.take_event(&data, headers, reply, timeout).await {
                    reply.body = clip(&String::from_utf8_lossy(&raw), 2000);
                    return Ok(());
                }
            }
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        reply.body = clip(&text, 2000);
        if !sse && !text.trim().is_empty() {
            match serde_json::from_str::<Value>(&text) {
                Ok(v) if matches!(classify(&v), Kind::Response) => reply.message = Some(v),
                Ok(_) => self.notes.push(note_of(
                    "an HTTP body that is not a JSON-RPC response",
                    &text,
                )),
                Err(_) if reply.status.is_some_and(|s| s < 300) => self
                    .notes
                    .push(note_of("an HTTP body that is not JSON", &text)),
                Err(_) => {}
            }
        }
        Ok(())
    }

    /// Handle one SSE event; true when it is the response.
    async fn take_event(
        &self,
        data: &str,
        headers: &Headers,
        reply: &mut Reply,
        timeout: Duration,
    ) -> bool {
        if data.trim().is_empty() {
            return false;
        }
        let Ok(v) = serde_json::from_str::<Value>(data) else {
            self.notes
                .push(note_of("an SSE event that is not JSON", data));
            return false;
        };
        match classify(&v) {
            Kind::Response => {
                reply.message = Some(v);
                true
            }
            Kind::ServerRequest => {
                let answer = refuse(&v).to_string();
                let keep: Headers = headers
                    .iter()
                    .filter(|(k, _)| k == "mcp-session-id" || k == "mcp-protocol-version")
                    .cloned()
                    .collect();
                let _ = Box::pin(self.post(&answer, &keep, timeout)).await;
                false
            }
            Kind::Notification => false,
            Kind::Invalid => {
                self.notes
                    .push(note_of("an SSE event that is not JSON-RPC", data));
                false
            }
        }
    }
}
