//! A session over a byte stream of newline-delimited JSON (stdio, a socket), served by
//! one task that reads, runs and writes: a request that does not wait is answered without
//! a task switch, and output is flushed only when no further line is already buffered.
//! Requests that wait run in tasks of their own and hand their output to the loop through
//! a channel. A handler that computes for long before its first await holds the loop up
//! once; the connection then spawns every request (see `channel::on_frame`).

use std::sync::Arc;

use bytes::Bytes;
use fastmcp_core::Session;
use fastmcp_transport::LineReader;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use super::channel::{event_message, on_frame, Ending};
use super::endpoint::{Endpoint, Sink};
use super::keepalive::dead_peer;
use crate::shared::Shared;

/// Messages waiting for the loop, from requests running in tasks of their own.
const QUEUE: usize = 256;

pub(crate) async fn serve_lines<R, W>(shared: Arc<Shared>, mut lines: LineReader<R>, writer: W)
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let ep = Endpoint::new(shared.pipeline.clone(), Session::handshake(None));
    let (tx, mut queue) = mpsc::channel::<Bytes>(QUEUE);
    let sink: Arc<dyn Sink> = Arc::new(tx);
    let mut out = Output::new(writer);
    let mut events = shared.rt.changes.subscribe();
    let requests = TaskTracker::new();
    let dead = dead_peer(&ep, &sink, || true);
    tokio::pin!(dead);
    let mut gone = false;
    while out.open {
        if queue.is_empty() && !lines.has_buffered_line() {
            out.flush().await;
        }
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => break,
            _ = &mut dead => { gone = true; break }
            Some(m) = queue.recv() => out.write(&m).await,
            frame = lines.next_frame() => match frame {
                None => break,
                Some(f) => {
                    if let Some(reply) = on_frame(&ep, &sink, f, &requests).await {
                        // What the request sent before its answer goes out first.
                        while let Ok(m) = queue.try_recv() {
                            out.write(&m).await;
                        }
                        out.write(&reply).await;
                    }
                }
            },
            ev = events.recv() => {
                if let Some(m) = event_message(&ep, ev) {
                    out.write(&m).await;
                }
            }
        }
    }
    requests.close();
    // A client that stopped answering pings reads no answers either.
    let end = Ending::of(&shared, &ep, !gone && out.open);
    if let Some(grace) = end.grace {
        let _ = tokio::time::timeout(grace, out.pump_until(&mut queue, &requests)).await;
    }
    ep.cancel_all(end.reason);
    out.pump_until(&mut queue, &requests).await;
    while let Ok(m) = queue.try_recv() {
        out.write(&m).await;
    }
    out.flush().await;
    ep.close();
}

/// The buffered output; after a write error it is closed and drops what it is given.
struct Output<W> {
    w: BufWriter<W>,
    open: bool,
    dirty: bool,
}

impl<W: AsyncWrite + Unpin> Output<W> {
    fn new(writer: W) -> Self {
        Output {
            w: BufWriter::with_capacity(64 * 1024, writer),
            open: true,
            dirty: false,
        }
    }

    async fn write(&mut self, msg: &[u8]) {
        if self.open {
            self.dirty = true;
            if self.w.write_all(msg).await.is_err() || self.w.write_all(b"\n").await.is_err() {
                self.open = false;
            }
        }
    }

    async fn flush(&mut self) {
        if self.open && self.dirty {
            self.dirty = false;
            if self.w.flush().await.is_err() {
                self.open = false;
            }
        }
    }

    /// Write what the requests send until they have all ended.
    async fn pump_until(&mut self, queue: &mut mpsc::Receiver<Bytes>, requests: &TaskTracker) {
        let done = requests.wait();
        tokio::pin!(done);
        loop {
            if queue.is_empty() {
                self.flush().await;
            }
            tokio::select! {
                biased;
                Some(m) = queue.recv() => self.write(&m).await,
                _ = &mut done => return,
            }
        }
    }
}
