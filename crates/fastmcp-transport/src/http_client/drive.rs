//! The loop that takes each outbound message and sends it the way its kind and era need.

use std::sync::Arc;
use std::sync::PoisonError;
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::state::{Conn, Flight, FlightGuard};
use crate::http_common::probe;

/// How long the first message after `notifications/initialized` waits for the server to
/// answer the GET stream.
const GET_STREAM_WAIT: Duration = Duration::from_secs(1);

pub(super) async fn drive(
    conn: Arc<Conn>,
    mut rx: mpsc::Receiver<Bytes>,
    done: watch::Sender<bool>,
    delete_on_close: bool,
) {
    let mut tasks = JoinSet::new();
    while let Some(msg) = rx.recv().await {
        while tasks.try_join_next().is_some() {}
        let o = probe(&msg);
        if o.is_request() {
            let id = o.id.clone().expect("a request has an id");
            let stateless = o.version.is_some();
            let guard = FlightGuard {
                state: conn.state.clone(),
                id: id.clone(),
            };
            let abort = tasks.spawn(conn.clone().request(msg, o, guard));
            let mut st = conn.state.lock().unwrap_or_else(PoisonError::into_inner);
            st.stateless = stateless;
            // A task that already ended has dropped its guard; one that ends later removes
            // the entry (its guard waits for this lock).
            if !abort.is_finished() {
                st.inflight.insert(id, Flight { stateless, abort });
            }
            continue;
        }
        if let Some(target) = &o.cancels {
            let (flight, stateless_conn) = {
                let mut st = conn.state.lock().unwrap_or_else(PoisonError::into_inner);
                (
                    st.inflight.remove(target),
                    st.stateless && st.session.is_none(),
                )
            };
            match flight {
                // 2026-07-28: closing the response stream is the cancellation.
                Some(f) if f.stateless => {
                    f.abort.abort();
                    continue;
                }
                Some(f) => {
                    conn.send_other(&msg, &o).await;
                    // The client gave up on the request: no resumption of its stream.
                    f.abort.abort();
                    continue;
                }
                None if stateless_conn => continue,
                None => {}
            }
        }
        let ok = conn.send_other(&msg, &o).await;
        if ok && conn.get_stream && o.method.as_deref() == Some("notifications/initialized") {
            // Wait (briefly) for the GET stream to be answered before the next message, so
            // that what the server sends on it from then on is not missed, and a response
            // stream resumed later is not confused with it.
            let ready = conn.listen();
            let _ = tokio::time::timeout(GET_STREAM_WAIT, ready).await;
        }
    }
    tasks.shutdown().await;
    let (get, session, version) = {
        let mut st = conn.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.inflight.clear();
        (st.get_task.take(), st.session.take(), st.version.clone())
    };
    if let Some(g) = get {
        g.abort();
    }
    if let (true, Some(sid)) = (delete_on_close, session) {
        conn.delete(&sid, version.as_deref()).await;
    }
    drop(conn);
    let _ = done.send(true);
}
