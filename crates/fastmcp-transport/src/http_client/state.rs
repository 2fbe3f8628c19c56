//! The shared state of a Streamable HTTP connection: the session, the requests in flight
//! and what was learnt from the server's answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName};
use reqwest::Url;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::channel::Inbound;
use crate::http_auth::HttpAuth;

#[derive(Default)]
pub(super) struct State {
    pub(super) session: Option<String>,
    /// The session expired (404) and no new one was made yet.
    pub(super) expired: bool,
    /// The version negotiated by `initialize`.
    pub(super) version: Option<String>,
    /// The last request was of the stateless era.
    pub(super) stateless: bool,
    pub(super) inflight: HashMap<String, Flight>,
    /// `Mcp-Param-*` headers of each tool, from `tools/list` results.
    pub(super) tool_headers: HashMap<String, Vec<(HeaderName, Vec<String>)>>,
    pub(super) get_task: Option<AbortHandle>,
}

pub(super) struct Flight {
    pub(super) stateless: bool,
    pub(super) abort: AbortHandle,
}

pub(super) struct Conn {
    pub(super) http: reqwest::Client,
    pub(super) url: Url,
    pub(super) headers: HeaderMap,
    pub(super) max: usize,
    pub(super) max_reconnects: u32,
    pub(super) reconnect_delay: Duration,
    pub(super) get_stream: bool,
    pub(super) inbound: mpsc::Sender<Inbound>,
    pub(super) state: Arc<Mutex<State>>,
    pub(super) auth: Option<Arc<dyn HttpAuth>>,
}

/// Removes a request from the in-flight map when its task ends (or is aborted).
pub(super) struct FlightGuard {
    pub(super) state: Arc<Mutex<State>>,
    pub(super) id: String,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .inflight
            .remove(&self.id);
    }
}

impl Conn {
    /// Send a request, authorized when the transport has an [`HttpAuth`].
    pub(super) async fn send(
        &self,
        rb: reqwest::RequestBuilder,
    ) -> reqwest::Result<reqwest::Response> {
        crate::auth_send::send(self.auth.as_ref(), rb).await
    }

    pub(super) async fn deliver(&self, msg: Bytes) {
        let _ = self.inbound.send(Ok(msg)).await;
    }

    pub(super) async fn deliver_frame(&self, f: Inbound) {
        let _ = self.inbound.send(f).await;
    }
}
