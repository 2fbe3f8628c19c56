//! The ping keep-alive of Streamable HTTP sessions: pings travel on the session's GET
//! stream (the only way a request reaches the client outside a request's own answer), so
//! they go out only while the client has it open; a client that misses too many in a row
//! loses its session (see [`crate::KeepAlive`]).

use std::sync::Arc;

use bytes::Bytes;
use fastmcp_core::{BoxFuture, CancelReason};

use super::sessions::HttpSession;
use super::HttpState;
use crate::lock::lock;
use crate::session::{dead_peer, Sink};

/// Sends to the session's GET stream while a client reads it.
struct GetStream(Arc<HttpSession>);

impl Sink for GetStream {
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move {
            let stream = lock(&self.0.get_stream).clone();
            match stream {
                Some(s) if s.is_attached() => {
                    s.emit(msg).await;
                    Ok(())
                }
                _ => Err(()),
            }
        })
    }

    fn try_send(&self, msg: Bytes) {
        let s = self.0.clone();
        tokio::spawn(async move {
            let _ = GetStream(s).send(msg).await;
        });
    }
}

/// Watch a new session's client with pings, when the server has a keep-alive; the watch
/// ends with the session (or the server).
pub(crate) fn watch(st: &HttpState, session: &Arc<HttpSession>) {
    if st.shared.rt.config.keep_alive.is_none() {
        return;
    }
    let sink: Arc<dyn Sink> = Arc::new(GetStream(session.clone()));
    let listening = session.clone();
    let dead = dead_peer(&session.endpoint, &sink, move || listening.listening());
    let (st, id, ended) = (
        st.clone(),
        session.id.clone(),
        session.endpoint.token().clone(),
    );
    drop(sink);
    tokio::spawn(async move {
        tokio::select! {
            _ = ended.cancelled() => {}
            _ = st.shared.shutdown.cancelled() => {}
            _ = dead => {
                st.sessions.remove(&id, CancelReason::SessionClosed).await;
            }
        }
    });
}
