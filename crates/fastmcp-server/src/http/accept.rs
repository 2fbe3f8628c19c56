//! The accept loop of [`crate::RunningServer::serve_http`]: HTTP/1.1 and h2c (prior
//! knowledge) on one port through hyper-util, with a deadline on request headers, a cap
//! on open connections and a graceful shutdown per connection.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use futures::future::Either;
use futures::FutureExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

use super::side_wake::Side;
use super::{FastPost, Served};

/// What a connection past the cap is told before it is closed.
const FULL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: application/json\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 89\r\n\r\n\
{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32029,\"message\":\"Too many open connections\"}}";
/// How long a refused connection gets to take its 503.
const REFUSE_WAIT: Duration = Duration::from_secs(1);
/// Refused connections being answered at once; past it they are closed unanswered, so a
/// flood cannot hold more descriptors than this on top of the cap.
const REFUSING: usize = 64;
/// Time past the grace period for connections to close before `serve_http` returns.
const CLOSE_MARGIN: Duration = Duration::from_millis(500);

/// The settings of the loop.
pub(crate) struct Limits {
    /// Request headers (and, on a new connection, the HTTP/2 preface) must be complete
    /// within this.
    pub(crate) header_timeout: Duration,
    /// Open connections at most.
    pub(crate) max_connections: usize,
    /// How long connections get to finish after shutdown begins.
    pub(crate) grace: Duration,
}

/// Serve `app` on `listener` until `shutdown`; then stop accepting, let every connection
/// finish its responses (at most `grace`, plus a margin) and return.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Served,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let refusing = Arc::new(Semaphore::new(REFUSING));
    let conns = TaskTracker::new();
    loop {
        let (tcp, peer) = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => match a {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        match slots.clone().try_acquire_owned() {
            Ok(permit) => {
                let conn = connection(
                    tcp,
                    peer,
                    app.clone(),
                    limits.header_timeout,
                    shutdown.clone(),
                );
                conns.spawn(with_permit(conn, permit));
            }
            Err(_) => {
                tracing::debug!("{} connections open: refusing one", limits.max_connections);
                if let Ok(permit) = refusing.clone().try_acquire_owned() {
                    conns.spawn(with_permit(refuse(tcp), permit));
                }
            }
        }
    }
    drop(listener);
    conns.close();
    let _ = tokio::time::timeout(limits.grace + CLOSE_MARGIN, conns.wait()).await;
    Ok(())
}

async fn with_permit(conn: impl std::future::Future<Output = ()>, permit: OwnedSemaphorePermit) {
    conn.await;
    drop(permit);
}

/// A 503 for a connection past the cap; then its request is read off (so that closing
/// does not reset the connection before the client reads the answer) and it is closed.
async fn refuse(mut tcp: TcpStream) {
    let _ = tokio::time::timeout(REFUSE_WAIT, async {
        tcp.write_all(FULL).await?;
        tcp.shutdown().await?;
        let mut buf = [0u8; 4096];
        let mut total = 0usize;
        while total < 64 * 1024 {
            match tcp.read(&mut buf).await? {
                0 => break,
                n => total += n,
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// One connection. Until its first request arrives it is watched: one that has not sent
/// a whole request head within `header_timeout` (a slow client, or one that sends
/// nothing, which hyper's own header timeout does not see before the protocol is known)
/// is closed. Later request heads are timed by hyper. Every request carries the peer's
/// address as axum's `ConnectInfo<SocketAddr>` (what the transports record on sessions).
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    app: Served,
    header_timeout: Duration,
    shutdown: CancellationToken,
) {
    let seen = Arc::new(AtomicBool::new(false));
    let mark = seen.clone();
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        mark.store(true, Ordering::Relaxed);
        if let Some(f) = app.fast.as_ref().filter(|f| is_fast(&req, f)) {
            let (parts, body) = req.into_parts();
            // Mapped, not awaited in an async block: such a block holds the future twice
            // over (4 KB instead of 2), and hyper moves what this returns a few times.
            let post = super::streamable::post_parts(f.st.clone(), parts, body, Some(peer));
            return Either::Left(post.map(Ok::<_, std::convert::Infallible>));
        }
        req.extensions_mut().insert(ConnectInfo(peer));
        Either::Right(app.router.clone().oneshot(req.map(Body::new)))
    });
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .enable_connect_protocol();
    let mut conn = pin!(builder.serve_connection_with_upgrades(TokioIo::new(tcp), svc));
    // Beside the connection, polled only when they wake it (see `side_wake`): the watch
    // on the first request head (dropped once one came: hyper times the later ones) and
    // the shutdown signal.
    let side = Side::new();
    let mut first = pin!(Some(tokio::time::sleep(header_timeout)));
    let mut stop = pin!(shutdown.cancelled());
    let mut draining = false;
    std::future::poll_fn(|cx| loop {
        if let Poll::Ready(r) = conn.as_mut().poll(cx) {
            if let Err(e) = r {
                tracing::debug!("connection ended: {e}");
            }
            return Poll::Ready(());
        }
        if first.is_some() && seen.load(Ordering::Relaxed) {
            first.set(None);
        }
        let Some(mut side_cx) = side.due(cx) else {
            return Poll::Pending;
        };
        if let Some(sleep) = first.as_mut().as_pin_mut() {
            if sleep.poll(&mut side_cx).is_ready() {
                first.set(None);
                if !seen.load(Ordering::Relaxed) {
                    tracing::debug!("no request head within {header_timeout:?}: closing");
                    return Poll::Ready(());
                }
            }
        }
        if draining || stop.as_mut().poll(&mut side_cx).is_pending() {
            return Poll::Pending;
        }
        // Shutdown: the connection finishes its responses; polled again to begin.
        draining = true;
        conn.as_mut().graceful_shutdown();
    })
    .await
}

/// A POST to the Streamable HTTP path, served without the router.
fn is_fast(req: &hyper::Request<Incoming>, f: &FastPost) -> bool {
    req.method() == hyper::Method::POST && req.uri().path() == &*f.path
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_503_declares_its_length() {
        let text = std::str::from_utf8(super::FULL).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let declared = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap();
        assert_eq!(declared.parse::<usize>().unwrap(), body.len());
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }
}
