//! The WebSocket transport: `GET /ws` upgrades (subprotocol `mcp` when the client offers
//! it); each text frame carries one JSON-RPC message (or a batch, 2025-03-26) in each
//! direction. The socket is one handshake-era session, served exactly as stdio is: a reader
//! and a writer task bridge it to a [`Channel`] that [`crate::connection::serve`] runs. The
//! socket closing is end of input: the session's requests are cancelled.
//!
//! Text frames larger than [`HttpOptions::max_body_bytes`] are refused with a JSON-RPC
//! error (-32600) and the connection goes on; binary frames close it with code 1003
//! (unsupported data).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, Version};
use axum::response::Response;
use axum::routing::get;
use bytes::Bytes;
use fastmcp_protocol::error_code;
use fastmcp_transport::{Channel, FrameError, Inbound, Outbound};
use futures::stream::SplitStream;
use futures::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::guard::rpc_error;
use super::host::check_origin_and_host;
use super::options::HttpOptions;
use super::remote::RemoteAddr;
use crate::shared::Shared;

/// The subprotocol offered to clients.
const SUBPROTOCOL: &str = "mcp";
/// Messages queued per direction of a connection.
const QUEUE: usize = 256;
/// How long the client gets to answer the server's close frame.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

#[derive(Clone)]
struct WsState {
    shared: Arc<Shared>,
    opts: Arc<HttpOptions>,
    active: Arc<AtomicUsize>,
}

/// The WebSocket router: `GET <ws_path>`.
pub(crate) fn router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    let path = opts.ws_path.clone();
    let auth = opts.auth.clone();
    let st = WsState {
        shared,
        opts: Arc::new(opts),
        active: Arc::default(),
    };
    let r = axum::Router::new()
        .route(&path, get(upgrade))
        .with_state(st);
    super::auth::protect(r, auth.as_ref())
}

/// One of `max_sessions` connection slots, released on drop.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(active: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(active.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn upgrade(
    State(st): State<WsState>,
    version: Version,
    uri: Uri,
    RemoteAddr(peer): RemoteAddr,
    auth: Option<axum::Extension<Arc<fastmcp_core::AuthInfo>>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // Before the upgrade: a refused browser page never gets a socket.
    if let Err(r) = check_origin_and_host(&headers, version, &uri, &st.opts) {
        return r;
    }
    let ws = match ws {
        Ok(ws) => ws,
        Err(rej) => {
            return rpc_error(
                rej.status(),
                None,
                error_code::INVALID_REQUEST,
                rej.body_text(),
            )
        }
    };
    let Some(slot) = Slot::take(&st.active, st.opts.max_sessions) else {
        return rpc_error(
            StatusCode::SERVICE_UNAVAILABLE,
            None,
            error_code::LIMIT_EXCEEDED,
            "Too many sessions",
        );
    };
    // Frames up to twice the body limit are read (and refused with a JSON-RPC error when
    // over it); larger ones end the connection without being held in memory.
    let read_limit = st.opts.max_body.saturating_mul(2);
    let tracker = st.shared.connections.clone();
    let caller = super::auth::caller_of(
        auth.map(|a| a.0),
        &axum::http::Method::GET,
        &uri,
        &headers,
        peer,
    );
    ws.protocols([SUBPROTOCOL])
        .max_message_size(read_limit)
        .max_frame_size(read_limit)
        .on_upgrade(move |socket| tracker.track_future(session(st, socket, slot, peer, caller)))
}

fn close(code: u16, reason: &'static str) -> CloseFrame {
    CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    }
}

/// Serve one socket as a session until either side ends it.
async fn session(
    st: WsState,
    socket: WebSocket,
    _slot: Slot,
    peer: Option<SocketAddr>,
    caller: crate::call::Caller,
) {
    let (ws_tx, ws_rx) = socket.split();
    let (in_tx, in_rx) = mpsc::channel::<Inbound>(QUEUE);
    let (out_tx, out_rx) = mpsc::channel::<Bytes>(QUEUE);
    let (close_tx, close_rx) = mpsc::channel::<CloseFrame>(1);
    let tasks = &st.shared.connections;
    let reader = tasks.spawn(read_frames(ws_rx, in_tx, close_tx, st.opts.max_body));
    let done = CancellationToken::new();
    let writer = tasks.spawn(write_frames(
        ws_tx,
        out_rx,
        close_rx,
        done.clone(),
        st.shared.shutdown.clone(),
        st.opts.keep_alive,
    ));
    let channel = Channel {
        inbound: in_rx,
        outbound: Outbound::new(out_tx),
    };
    let session = fastmcp_core::Session::handshake(None);
    super::remote::record(&session, peer);
    crate::session::serve_session(st.shared.clone(), channel, session, caller).await;
    done.cancel();
    let _ = writer.await;
    // The reader ends when the client answers the close frame; don't wait forever.
    let abort = reader.abort_handle();
    if tokio::time::timeout(CLOSE_WAIT, reader).await.is_err() {
        abort.abort();
    }
}

/// Socket to inbound frames. Ends at the client's close, a socket error or a binary frame
/// (answered with close code 1003); dropping `in_tx` is the session's end of input.
async fn read_frames(
    mut ws_rx: SplitStream<WebSocket>,
    in_tx: mpsc::Sender<Inbound>,
    close_tx: mpsc::Sender<CloseFrame>,
    limit: usize,
) {
    while let Some(m) = ws_rx.next().await {
        let frame = match m {
            Ok(Message::Text(t)) if t.len() > limit => Err(FrameError::TooLarge { limit }),
            Ok(Message::Text(t)) => Ok(Bytes::from(t)),
            Ok(Message::Binary(_)) => {
                let _ = close_tx.try_send(close(
                    close_code::UNSUPPORTED,
                    "binary frames are not supported: send JSON-RPC messages as text frames",
                ));
                break;
            }
            Ok(Message::Ping(_) | Message::Pong(_)) => continue,
            Ok(Message::Close(_)) | Err(_) => break,
        };
        if in_tx.send(frame).await.is_err() {
            break;
        }
    }
}

/// Outbound messages to the socket, with pings as keep-alive; a close frame at the end.
async fn write_frames(
    mut ws_tx: impl futures::Sink<Message> + Unpin,
    mut out_rx: mpsc::Receiver<Bytes>,
    mut close_rx: mpsc::Receiver<CloseFrame>,
    ended: CancellationToken,
    shutdown: CancellationToken,
    keep_alive: Duration,
) {
    let period = if keep_alive.is_zero() {
        Duration::from_secs(86_400)
    } else {
        keep_alive
    };
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    let frame = loop {
        tokio::select! {
            biased;
            m = out_rx.recv() => match m {
                Some(b) => {
                    let Ok(text) = Utf8Bytes::try_from(b) else { continue };
                    if ws_tx.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                None => break None,
            },
            Some(c) = close_rx.recv() => break Some(c),
            _ = ended.cancelled() => break None,
            _ = ping.tick(), if !keep_alive.is_zero() => {
                if ws_tx.send(Message::Ping(Bytes::new())).await.is_err() {
                    return;
                }
            }
        }
    };
    // A close frame the reader asked for wins over the session's end, which it causes.
    let frame = frame.or_else(|| close_rx.try_recv().ok());
    let frame = frame.unwrap_or_else(|| {
        if shutdown.is_cancelled() {
            close(close_code::AWAY, "server shutting down")
        } else {
            close(close_code::NORMAL, "")
        }
    });
    let _ = ws_tx.send(Message::Close(Some(frame))).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reader's close frame (1003 for a binary frame) is sent even when the session's
    /// end, which the reader's stop causes, is seen first.
    #[tokio::test]
    async fn the_readers_close_frame_wins_over_the_sessions_end() {
        let (sink, mut sent) = futures::channel::mpsc::unbounded::<Message>();
        let (out_tx, out_rx) = mpsc::channel::<Bytes>(1);
        let (close_tx, close_rx) = mpsc::channel::<CloseFrame>(1);
        close_tx
            .try_send(close(close_code::UNSUPPORTED, "binary"))
            .unwrap();
        drop(out_tx);
        let none = CancellationToken::new();
        write_frames(sink, out_rx, close_rx, none.clone(), none, Duration::ZERO).await;
        match sent.next().await {
            Some(Message::Close(Some(f))) => assert_eq!(f.code, close_code::UNSUPPORTED),
            other => panic!("{other:?}"),
        }
    }
}
