//! The legacy HTTP+SSE client transport (protocol version 2024-11-05).
//!
//! The client opens an SSE stream with GET; the server's first event, `endpoint`, names
//! the URL (relative to the stream's, and of the same origin) to POST every client message
//! to. The server's messages arrive as `message` events on the stream. When the stream
//! ends, the channel's inbound side ends; closing the channel closes the stream.
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use fastmcp_transport::sse_client::LegacySse;
//! let channel = LegacySse::new("http://127.0.0.1:8000/sse").connect().await?;
//! # drop(channel); Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::{Response, StatusCode, Url};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use crate::http_common::ConnectError;

use crate::auth_send;
use crate::channel::{Channel, Inbound, Outbound};
use crate::http_auth::HttpAuth;
use crate::http_common::{
    default_client, describe, header_map, http_error, media_type, probe, read_body,
    transport_failure,
};
use crate::lines::DEFAULT_MAX_MESSAGE_SIZE;
use crate::sse_parse::SseParser;

/// How to reach a legacy HTTP+SSE server.
#[derive(Debug, Clone)]
pub struct LegacySse {
    url: String,
    headers: Vec<(String, String)>,
    client: Option<reqwest::Client>,
    max_message_size: usize,
    capacity: usize,
    endpoint_timeout: Duration,
    auth: Option<Arc<dyn HttpAuth>>,
}

impl LegacySse {
    /// A transport to the SSE endpoint at `url` (e.g. `http://127.0.0.1:8000/sse`).
    pub fn new(url: impl Into<String>) -> Self {
        LegacySse {
            url: url.into(),
            headers: vec![],
            client: None,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            capacity: 256,
            endpoint_timeout: Duration::from_secs(30),
            auth: None,
        }
    }

    /// Send this header with every HTTP request.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this HTTP client. By default each transport has one of its own, with
    /// `TCP_NODELAY`, that follows redirects only within the origin of the first URL (a
    /// redirect elsewhere fails with an error naming its `Location`). A client given here
    /// keeps its own redirect policy.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The largest inbound message (one event's data) in bytes (default 4 MiB).
    pub fn max_message_size(mut self, n: usize) -> Self {
        self.max_message_size = n;
        self
    }

    /// How long to wait for the `endpoint` event (default 30 s).
    pub fn endpoint_timeout(mut self, d: Duration) -> Self {
        self.endpoint_timeout = d;
        self
    }

    /// Authorize the GET of the stream and every POST with `auth` (e.g.
    /// `fastmcp_client::oauth::OAuth`); a request refused with 401 or 403 is sent once more
    /// when `auth` obtained a new token for it.
    pub fn auth(mut self, auth: Arc<dyn HttpAuth>) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Open the stream and wait for the `endpoint` event.
    pub async fn connect(self) -> Result<Channel, ConnectError> {
        let url = Url::parse(&self.url)
            .map_err(|e| ConnectError::with_source(format!("invalid URL {:?}", self.url), e))?;
        let headers = header_map(&self.headers)?;
        let http = match self.client {
            Some(c) => c,
            None => default_client()?,
        };
        let get = http
            .get(url.clone())
            .headers(headers.clone())
            .header(ACCEPT, "text/event-stream");
        let mut resp = auth_send::send(self.auth.as_ref(), get)
            .await
            .map_err(|e| ConnectError::new(format!("GET {url}: {}", describe(&e))))?;
        if !resp.status().is_success() {
            let status = resp.status();
            let body = read_body(resp, 4096).await.unwrap_or_default();
            return Err(ConnectError::new(format!(
                "GET {url}: HTTP {status}: {}",
                String::from_utf8_lossy(&body).trim()
            )));
        }
        if media_type(resp.headers()) != "text/event-stream" {
            return Err(ConnectError::new(format!("GET {url}: not an event stream")));
        }
        let mut parser = SseParser::new(self.max_message_size);
        let mut early: Vec<Inbound> = vec![];
        let endpoint = tokio::time::timeout(
            self.endpoint_timeout,
            endpoint_event(&mut resp, &mut parser, &mut early),
        )
        .await
        .map_err(|_| ConnectError::new(format!("GET {url}: no endpoint event in time")))??;
        let endpoint = url
            .join(endpoint.trim())
            .map_err(|e| ConnectError::with_source(format!("invalid endpoint {endpoint:?}"), e))?;
        if endpoint.origin() != url.origin() {
            return Err(ConnectError::new(format!(
                "the endpoint {endpoint} is not of the origin of {url}"
            )));
        }
        let (itx, irx) = mpsc::channel::<Inbound>(self.capacity);
        let (otx, orx) = mpsc::channel::<Bytes>(self.capacity);
        let stop = CancellationToken::new();
        let reader = tokio::spawn(read_stream(resp, parser, early, itx.clone(), stop.clone()));
        let post = Poster {
            http,
            endpoint,
            headers,
            inbound: itx,
            auth: self.auth,
        };
        tokio::spawn(async move {
            drive(post, orx, stop).await;
            reader.abort();
        });
        Ok(Channel {
            inbound: irx,
            outbound: Outbound::new(otx),
        })
    }
}

async fn endpoint_event(
    resp: &mut Response,
    parser: &mut SseParser,
    early: &mut Vec<Inbound>,
) -> Result<String, ConnectError> {
    let mut events = vec![];
    loop {
        let chunk = resp
            .chunk()
            .await
            .map_err(|e| ConnectError::new(format!("reading the stream: {}", describe(&e))))?
            .ok_or_else(|| ConnectError::new("the stream ended before the endpoint event"))?;
        parser.feed(&chunk, &mut events);
        let mut found = None;
        for ev in events.drain(..) {
            match ev.kind() {
                "endpoint" if found.is_none() => {
                    let d = ev
                        .data
                        .map_err(|e| ConnectError::new(format!("endpoint: {e}")))?;
                    found = Some(String::from_utf8_lossy(&d).into_owned());
                }
                "message" => early.push(ev.data),
                _ => {}
            }
        }
        if let Some(f) = found {
            return Ok(f);
        }
    }
}

async fn read_stream(
    mut resp: Response,
    mut parser: SseParser,
    early: Vec<Inbound>,
    tx: mpsc::Sender<Inbound>,
    stop: CancellationToken,
) {
    let _stop = stop.drop_guard();
    for m in early {
        if tx.send(m).await.is_err() {
            return;
        }
    }
    let mut events = vec![];
    loop {
        let chunk = match resp.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!("SSE stream broke: {}", describe(&e));
                return;
            }
        };
        parser.feed(&chunk, &mut events);
        for ev in events.drain(..) {
            if ev.kind() == "message" && tx.send(ev.data).await.is_err() {
                return;
            }
        }
    }
}

struct Poster {
    http: reqwest::Client,
    endpoint: Url,
    headers: HeaderMap,
    inbound: mpsc::Sender<Inbound>,
    auth: Option<Arc<dyn HttpAuth>>,
}

impl Poster {
    /// POST one message; a failure of a request is delivered as its error response.
    async fn post(&self, msg: Bytes, id: Option<String>) {
        let rb = self
            .http
            .post(self.endpoint.clone())
            .headers(self.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(msg);
        let sent = auth_send::send(self.auth.as_ref(), rb).await;
        let reply = match (sent, id) {
            (Ok(r), _) if r.status().is_success() => {
                // Answers come on the stream; a server answering in the body is heard too.
                if r.status() == StatusCode::OK && media_type(r.headers()) == "application/json" {
                    read_body(r, DEFAULT_MAX_MESSAGE_SIZE)
                        .await
                        .ok()
                        .filter(|b| !b.iter().all(u8::is_ascii_whitespace))
                } else {
                    None
                }
            }
            (Ok(r), Some(id)) => {
                let status = r.status();
                let body = read_body(r, 1 << 20).await.unwrap_or_default();
                Some(http_error(&id, status, &body))
            }
            (Ok(r), None) => {
                tracing::debug!("POST of a message without id: HTTP {}", r.status());
                None
            }
            (Err(e), Some(id)) => Some(transport_failure(
                &id,
                &format!("HTTP request failed: {}", describe(&e)),
            )),
            (Err(e), None) => {
                tracing::debug!("POST failed: {}", describe(&e));
                None
            }
        };
        if let Some(r) = reply {
            let _ = self.inbound.send(Ok(r)).await;
        }
    }
}

async fn drive(post: Poster, mut rx: mpsc::Receiver<Bytes>, stop: CancellationToken) {
    let post = Arc::new(post);
    let mut tasks = JoinSet::new();
    loop {
        let msg = tokio::select! {
            m = rx.recv() => m,
            _ = stop.cancelled() => None,
        };
        let Some(msg) = msg else { break };
        while tasks.try_join_next().is_some() {}
        let o = probe(&msg);
        if o.is_request() {
            let p = post.clone();
            tasks.spawn(async move { p.post(msg, o.id).await });
        } else {
            post.post(msg, None).await;
        }
    }
    tasks.shutdown().await;
}
