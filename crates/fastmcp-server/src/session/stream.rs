//! A session over a byte stream of newline-delimited JSON (stdio, a socket), served by
//! one task that reads, runs and writes: a request that does not wait is answered without
//! a task switch, and output is flushed only when no further line is already buffered.
//! Requests that wait run in tasks of their own and hand their output to the loop through
//! a channel. A handler that computes for long before its first await holds the loop up
//! once; the connection then spawns every request (see `channel::on_frame`).

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Session};
use fastmcp_protocol::Message;
use fastmcp_transport::{Inbound, LineReader};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;
use tokio_util::task::TaskTracker;

use super::channel::{event_messages, on_frame, Ending};
use super::endpoint::Endpoint;
use super::keepalive::dead_peer;
use super::requests::{requests, Requests};
use super::sink::Sink;
use crate::shared::Shared;

/// Messages waiting for the loop, from requests running in tasks of their own.
const QUEUE: usize = 256;

pub(crate) async fn serve_lines<R, W>(shared: Arc<Shared>, mut lines: LineReader<R>, writer: W)
where
    R: AsyncRead + Unpin + Send,
    W: AsyncWrite + Unpin + Send,
{
    let ep = Endpoint::new(shared.pipeline.clone(), Session::handshake(None));
    let (tx, mut queue) = mpsc::channel::<Out>(QUEUE);
    let sink: Arc<dyn Sink> = Arc::new(LoopSink(tx));
    ep.set_sink(&sink);
    let mut out = Output::new(writer);
    let mut events = shared.rt.changes.subscribe();
    let mut requests = requests();
    let dead = dead_peer(&ep, &sink, || true);
    tokio::pin!(dead);
    let mut gone = false;
    while out.open {
        let buffered = lines.has_buffered_line();
        if queue.is_empty() {
            if !buffered {
                out.flush().await;
            } else if !shared.shutdown.is_cancelled() {
                // A line is already read and nothing else waits to be written: it is
                // answered without the select below, whose futures (the shutdown token's,
                // the events') register a waiter and take it back on every pass. The
                // other branches are looked at again once the buffered lines are done
                // (a buffer's worth at most).
                match lines.next_frame().await {
                    None => break,
                    Some(f) => on_line(&ep, &sink, f, &mut requests, &mut queue, &mut out).await,
                }
                continue;
            }
        }
        tokio::select! {
            biased;
            _ = shared.shutdown.cancelled() => break,
            _ = &mut dead => { gone = true; break }
            Some(m) = queue.recv() => out.put(m).await,
            frame = lines.next_frame() => match frame {
                None => break,
                Some(f) => on_line(&ep, &sink, f, &mut requests, &mut queue, &mut out).await,
            },
            ev = events.recv() => {
                for m in event_messages(&ep, &ev) {
                    out.write(&m).await;
                }
            }
        }
    }
    let requests = requests.tracker;
    requests.close();
    // A client that stopped answering pings reads no answers either.
    let end = Ending::of(&shared, &ep, !gone && out.open);
    if let Some(grace) = end.grace {
        let _ = tokio::time::timeout(grace, out.pump_until(&mut queue, &requests)).await;
    }
    ep.cancel_all(end.reason);
    out.pump_until(&mut queue, &requests).await;
    while let Ok(m) = queue.try_recv() {
        out.put(m).await;
    }
    out.flush().await;
    ep.close();
}

/// Handle one line read: a reply owed at once is written after what the request sent
/// before it.
async fn on_line<F, W>(
    ep: &Arc<Endpoint>,
    sink: &Arc<dyn Sink>,
    frame: Inbound,
    requests: &mut Requests<F>,
    queue: &mut mpsc::Receiver<Out>,
    out: &mut Output<W>,
) where
    F: Future<Output = Option<Message>> + Send + 'static,
    W: AsyncWrite + Unpin,
{
    if let Some(reply) = on_frame(ep, sink, frame, requests).await {
        while let Ok(m) = queue.try_recv() {
            out.put(m).await;
        }
        out.write_message(&reply).await;
    }
}

/// What requests running in tasks of their own hand the loop: bytes (what a handler
/// sends), or a response the loop serializes itself.
enum Out {
    Bytes(Bytes),
    Message(Message),
}

/// The loop's end of that queue, as the requests' [`Sink`].
struct LoopSink(mpsc::Sender<Out>);

impl Sink for LoopSink {
    fn send(&self, msg: Bytes) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move { self.0.send(Out::Bytes(msg)).await.map_err(|_| ()) })
    }

    fn try_send(&self, msg: Bytes) {
        let _ = self.0.try_send(Out::Bytes(msg));
    }

    fn send_message(&self, m: Message) -> BoxFuture<'_, Result<(), ()>> {
        Box::pin(async move { self.0.send(Out::Message(m)).await.map_err(|_| ()) })
    }
}

/// The buffered output; after a write error it is closed and drops what it is given.
struct Output<W> {
    w: BufWriter<W>,
    open: bool,
    dirty: bool,
    /// Where a message answered in place is serialized: kept from one to the next, so
    /// a large answer does not cost a new allocation (and its page faults) each time.
    scratch: Vec<u8>,
}

/// From this size on, a result is written from where it is (see `write_message`).
const LARGE_RESULT: usize = 16 * 1024;

/// Past this capacity, the scratch buffer is given back after use.
const SCRATCH_KEPT: usize = 1 << 20;

impl<W: AsyncWrite + Unpin> Output<W> {
    fn new(writer: W) -> Self {
        Output {
            w: BufWriter::with_capacity(64 * 1024, writer),
            open: true,
            dirty: false,
            scratch: Vec::new(),
        }
    }

    async fn put(&mut self, o: Out) {
        match o {
            Out::Bytes(b) => self.write(&b).await,
            Out::Message(m) => self.write_message(&m).await,
        }
    }

    async fn write_message(&mut self, m: &Message) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        match m {
            // A large result (a long list, a big answer) is written from where it is,
            // between its envelope's two ends, instead of being copied next to them first.
            Message::Response(r) if r.result.get().len() >= LARGE_RESULT => {
                r.write_head(&mut buf);
                self.write_parts(&[&buf, r.result.get().as_bytes(), b"}"])
                    .await;
            }
            _ => {
                m.write_to(&mut buf);
                buf.push(b'\n');
                self.write_bytes(&buf).await;
            }
        }
        if buf.capacity() <= SCRATCH_KEPT {
            self.scratch = buf;
        }
    }

    async fn write(&mut self, msg: &[u8]) {
        self.write_parts(&[msg]).await
    }

    /// Write one message made of `parts`, and its newline.
    async fn write_parts(&mut self, parts: &[&[u8]]) {
        for p in parts.iter().chain([&&b"\n"[..]]) {
            self.write_bytes(p).await;
        }
    }

    /// Write `bytes` (a message and its newline, or a part of one) unless the output is
    /// closed.
    async fn write_bytes(&mut self, bytes: &[u8]) {
        if !self.open {
            return;
        }
        self.dirty = true;
        if self.w.write_all(bytes).await.is_err() {
            self.open = false;
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
    async fn pump_until(&mut self, queue: &mut mpsc::Receiver<Out>, requests: &TaskTracker) {
        let done = requests.wait();
        tokio::pin!(done);
        loop {
            if queue.is_empty() {
                self.flush().await;
            }
            tokio::select! {
                biased;
                Some(m) = queue.recv() => self.put(m).await,
                _ = &mut done => return,
            }
        }
    }
}
