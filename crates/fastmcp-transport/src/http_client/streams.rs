//! The event streams of a connection: the response stream of a request (resumed with
//! `Last-Event-ID` when it drops) and the session's GET stream.

use std::sync::Arc;
use std::sync::PoisonError;
use std::time::Duration;

use reqwest::{Response, StatusCode};
use tokio::sync::oneshot;

use super::outgoing::SSE;
use super::state::Conn;
use crate::http_common::{describe, media_type, response_id, transport_failure};
use crate::sse_parse::{SseEvent, SseParser};

/// Where the reading of a request's response stream stands.
struct Reading {
    parser: SseParser,
    /// Reconnections in a row without an event.
    attempts: u32,
    /// An event was larger than the limit (the stream is not resumed).
    oversized: bool,
    /// The session the stream belongs to: it is resumed in that session or not at all.
    session: Option<String>,
}

pub(super) fn is_sse(resp: &Response) -> bool {
    media_type(resp.headers()) == SSE
}

impl Conn {
    fn current_session(&self) -> Option<String> {
        let st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.session.clone()
    }

    /// The session `sid` expired: forget it (unless a new one replaced it already).
    pub(super) fn expire(&self, sid: &str) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
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
    pub(super) fn listen(self: &Arc<Self>) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = st.get_task.take() {
            old.abort();
        }
        let session = st.session.clone();
        st.get_task = Some(tokio::spawn(self.clone().listen_task(session, tx)).abort_handle());
        rx
    }

    /// Deliver the events of a request's SSE stream until its response; resume a dropped
    /// stream (handshake era) with GET and `Last-Event-ID`.
    pub(super) async fn request_stream(
        &self,
        mut resp: Response,
        id: &str,
        method: &str,
        stateless: bool,
    ) {
        let mut rs = Reading {
            parser: SseParser::new(self.max),
            attempts: 0,
            oversized: false,
            session: self.current_session(),
        };
        loop {
            if self
                .read_until_response(&mut resp, &mut rs, id, method)
                .await
            {
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
            if rs.oversized {
                let f = failure(&format!(
                    "a message of the response stream was larger than {} bytes",
                    self.max
                ));
                return self.deliver(f).await;
            }
            let Some(last) = rs.parser.last_id.clone() else {
                let f = failure("the response stream ended before the response and cannot be resumed (no event id)");
                return self.deliver(f).await;
            };
            rs.parser.reset_stream();
            match self.resume(&mut rs, id, &last).await {
                Some(r) => resp = r,
                None => return,
            }
        }
    }

    /// Deliver the events of `resp` until the response to `id` (true) or the end of the
    /// stream (false).
    async fn read_until_response(
        &self,
        resp: &mut Response,
        rs: &mut Reading,
        id: &str,
        method: &str,
    ) -> bool {
        let mut events = Vec::new();
        loop {
            let chunk = match resp.chunk().await {
                Ok(Some(c)) => c,
                Ok(None) => return false,
                Err(e) => {
                    tracing::debug!("response stream of {id} broke: {}", describe(&e));
                    return false;
                }
            };
            rs.parser.feed(&chunk, &mut events);
            if rs.parser.take_progress() {
                rs.attempts = 0;
            }
            let mut done = false;
            for SseEvent { event, data } in events.drain(..) {
                if event.as_deref().is_some_and(|e| e != "message") {
                    continue;
                }
                match data {
                    Err(e) => {
                        rs.oversized = true;
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
            if done {
                return true;
            }
        }
    }

    /// Reopen the response stream of `id` after event `last`; `None` when that failed
    /// (the failure was delivered as the request's answer).
    async fn resume(&self, rs: &mut Reading, id: &str, last: &str) -> Option<Response> {
        let failure = |what: &str| transport_failure(id, what);
        const GONE: &str = "the session ended before the response stream could be resumed; the request may have run, so it is not sent again";
        loop {
            rs.attempts += 1;
            if rs.attempts > self.max_reconnects {
                let f = failure(&format!(
                    "the response stream ended before the response; gave up after {} reconnections",
                    self.max_reconnects
                ));
                self.deliver(f).await;
                return None;
            }
            tokio::time::sleep(rs.parser.retry.unwrap_or(self.reconnect_delay)).await;
            if self.current_session() != rs.session {
                // It expired meanwhile (another request or the GET stream learnt it).
                self.deliver(failure(GONE)).await;
                return None;
            }
            let (rb, sent) = self.get(Some(last));
            match self.send(rb).await {
                Ok(r) if r.status().is_success() && is_sse(&r) => return Some(r),
                Ok(r) if r.status().is_success() => {
                    let f = failure("resuming the response stream: not an event stream");
                    self.deliver(f).await;
                    return None;
                }
                Ok(r) if r.status() == StatusCode::NOT_FOUND => {
                    // The session is gone, and with it what the server did for this
                    // request. The next request starts a new session; this one is not
                    // sent again (as an expired session's request would be): it may have
                    // run.
                    if let Some(sid) = &sent {
                        self.expire(sid);
                    }
                    self.deliver(failure(&format!("HTTP 404: {GONE}"))).await;
                    return None;
                }
                Ok(r) => {
                    self.http_failure(r, Some(id), sent, false).await;
                    return None;
                }
                Err(e) => tracing::debug!("resuming the stream of {id}: {}", describe(&e)),
            }
        }
    }

    /// The GET stream of the session: deliver what comes, reconnect when it drops.
    pub(super) async fn listen_task(
        self: Arc<Self>,
        session: Option<String>,
        ready: oneshot::Sender<()>,
    ) {
        let mut parser = SseParser::new(self.max);
        let mut events = Vec::new();
        let mut attempts = 0u32;
        let mut ready = Some(ready);
        loop {
            let (rb, sent) = self.get(parser.last_id.as_deref());
            let answer = self.send(rb).await;
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
            if self
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .session
                != session
            {
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
