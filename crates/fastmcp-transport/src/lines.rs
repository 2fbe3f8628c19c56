//! Newline-delimited JSON over any byte stream, with a message size limit.

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};
use tokio::sync::mpsc;

use crate::channel::{Channel, FrameError, Inbound, Outbound};

/// The most one read of a [`LineReader`] brings in.
const READ_CHUNK: usize = 64 * 1024;

/// The default largest message: 4 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 4 * 1024 * 1024;

/// Options of a line transport.
#[derive(Debug, Clone, Copy)]
pub struct LineOptions {
    /// The largest inbound message in bytes; longer lines are discarded and reported.
    pub max_message_size: usize,
    /// Channel capacity in messages.
    pub capacity: usize,
}

impl Default for LineOptions {
    fn default() -> Self {
        LineOptions {
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            capacity: 256,
        }
    }
}

/// A channel over a reader and a writer of newline-delimited JSON. Spawns a reader task
/// and a writer task (buffered; flushed whenever no message is waiting).
pub fn line_channel<R, W>(reader: R, writer: W, opts: LineOptions) -> Channel
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    line_channel_with_writer(reader, writer, opts).0
}

/// Like [`line_channel`], also returning the writer task: it ends once every
/// [`Outbound`] is dropped and everything sent has been written and flushed. Await it
/// before the process exits so the last answers are not lost.
pub fn line_channel_with_writer<R, W>(
    reader: R,
    writer: W,
    opts: LineOptions,
) -> (Channel, tokio::task::JoinHandle<()>)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (itx, irx) = mpsc::channel::<Inbound>(opts.capacity);
    let (otx, orx) = mpsc::channel::<Bytes>(opts.capacity);
    tokio::spawn(read_lines(reader, itx, opts.max_message_size));
    let writer = tokio::spawn(write_lines(writer, orx));
    let ch = Channel {
        inbound: irx,
        outbound: Outbound::new(otx),
    };
    (ch, writer)
}

async fn read_lines<R: AsyncRead + Unpin>(reader: R, tx: mpsc::Sender<Inbound>, max: usize) {
    let mut lines = LineReader::new(reader, max);
    while let Some(f) = lines.next_frame().await {
        if tx.send(f).await.is_err() {
            return;
        }
    }
}

/// Reads newline-delimited frames from a byte stream, enforcing a size limit: a longer
/// line is discarded and reported once as [`FrameError::TooLarge`]; blank lines are
/// skipped; a `\r` before the newline is dropped.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use fastmcp_transport::LineReader;
/// let mut r = LineReader::new(&b"{\"a\":1}\n\n{}"[..], 1024);
/// assert_eq!(r.next_frame().await.unwrap().unwrap(), &b"{\"a\":1}"[..]);
/// assert_eq!(r.next_frame().await.unwrap().unwrap(), &b"{}"[..]);
/// assert!(r.next_frame().await.is_none());
/// # }
/// ```
pub struct LineReader<R> {
    reader: R,
    /// What was read and not yet taken into `line`: refilled only once empty. Its room is
    /// reserved, not zeroed, so a reader costs only the pages its input fills (a zeroed
    /// buffer's 64 KiB were all written when the reader was made).
    buf: BytesMut,
    line: BytesMut,
    too_large: bool,
    max: usize,
    eof: bool,
    /// Where [`LineReader::has_buffered_line`] found the next newline in the buffer, for
    /// the [`LineReader::next_frame`] after it (the buffer is not searched twice).
    newline: Option<usize>,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    /// A reader of lines of at most `max` bytes.
    pub fn new(reader: R, max: usize) -> Self {
        LineReader {
            reader,
            buf: BytesMut::new(),
            line: BytesMut::with_capacity(8 * 1024),
            too_large: false,
            max,
            eof: false,
            newline: None,
        }
    }

    /// Whether a whole line is already buffered (the next [`LineReader::next_frame`]
    /// will not wait for input).
    pub fn has_buffered_line(&mut self) -> bool {
        self.newline = memchr(&self.buf);
        self.newline.is_some()
    }

    /// The next frame; `None` at end of stream (or after a read error). Cancel-safe:
    /// a partly read line stays buffered for the next call.
    pub async fn next_frame(&mut self) -> Option<Inbound> {
        let max = self.max;
        while !self.eof {
            let (done, used) = {
                if self.buf.is_empty() {
                    self.buf.reserve(READ_CHUNK);
                    if let Err(e) = self.reader.read_buf(&mut self.buf).await {
                        tracing::debug!("read error: {e}");
                        self.eof = true;
                        return None;
                    }
                }
                let buf = &self.buf[..];
                // A newline found in the buffer is still where it was: the buffer is
                // only refilled once empty, and it is consumed only below.
                let newline = self.newline.take();
                if buf.is_empty() {
                    self.eof = true;
                    (!self.line.is_empty() || self.too_large, 0)
                } else if let Some(i) = newline.or_else(|| memchr(buf)) {
                    if !self.too_large && self.line.len() + i <= max {
                        self.line.extend_from_slice(&buf[..i]);
                    } else {
                        self.too_large = true;
                    }
                    (true, i + 1)
                } else {
                    if !self.too_large && self.line.len() + buf.len() <= max {
                        self.line.extend_from_slice(buf);
                    } else {
                        self.too_large = true;
                        self.line.clear();
                    }
                    (false, buf.len())
                }
            };
            self.buf.advance(used);
            if done {
                let too_large = std::mem::take(&mut self.too_large);
                if let Some(f) = frame(&mut self.line, too_large, max) {
                    return Some(f);
                }
            }
        }
        None
    }
}

fn memchr(buf: &[u8]) -> Option<usize> {
    memchr::memchr(b'\n', buf)
}

fn frame(line: &mut BytesMut, too_large: bool, max: usize) -> Option<Inbound> {
    if too_large {
        line.clear();
        return Some(Err(FrameError::TooLarge { limit: max }));
    }
    let mut bytes = line.split().freeze();
    if bytes.last() == Some(&b'\r') {
        bytes.truncate(bytes.len() - 1);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return Some(Err(FrameError::InvalidUtf8));
    }
    Some(Ok(bytes))
}

async fn write_lines<W: AsyncWrite + Unpin>(writer: W, mut rx: mpsc::Receiver<Bytes>) {
    let mut w = BufWriter::with_capacity(64 * 1024, writer);
    while let Some(msg) = rx.recv().await {
        if w.write_all(&msg).await.is_err() || w.write_all(b"\n").await.is_err() {
            return;
        }
        while let Ok(msg) = rx.try_recv() {
            if w.write_all(&msg).await.is_err() || w.write_all(b"\n").await.is_err() {
                return;
            }
        }
        if w.flush().await.is_err() {
            return;
        }
    }
    let _ = w.shutdown().await;
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncBufReadExt, BufReader};

    use super::*;

    async fn frames(input: &'static [u8], max: usize) -> Vec<Inbound> {
        let (_w, sink) = tokio::io::duplex(1024);
        let opts = LineOptions {
            max_message_size: max,
            capacity: 16,
        };
        let mut ch = line_channel(input, sink, opts);
        let mut out = vec![];
        while let Some(f) = ch.inbound.recv().await {
            out.push(f);
        }
        out
    }

    #[tokio::test]
    async fn splits_lines_and_reports_bad_frames() {
        let got = frames(
            b"{\"a\":1}\r\n\n  \n{\"b\":2}\n\xff\xfe\n0123456789ABCDEF\n{}",
            10,
        )
        .await;
        assert_eq!(
            got,
            vec![
                Ok(Bytes::from_static(b"{\"a\":1}")),
                Ok(Bytes::from_static(b"{\"b\":2}")),
                Err(FrameError::InvalidUtf8),
                Err(FrameError::TooLarge { limit: 10 }),
                Ok(Bytes::from_static(b"{}")),
            ]
        );
    }

    #[tokio::test]
    async fn oversized_line_across_buffers_is_one_error() {
        let big: &'static [u8] = Box::leak(
            [vec![b'x'; 200_000], b"\n{}\n".to_vec()]
                .concat()
                .into_boxed_slice(),
        );
        let got = frames(big, 1000).await;
        assert_eq!(
            got,
            vec![
                Err(FrameError::TooLarge { limit: 1000 }),
                Ok(Bytes::from_static(b"{}"))
            ]
        );
    }

    /// `has_buffered_line` remembers where the newline is for the `next_frame` after it:
    /// frames read that way are the same, across a line split between two reads, a blank
    /// line and a line too large, and a frame read without asking first stays right.
    #[tokio::test]
    async fn asking_for_a_buffered_line_first_reads_the_same_frames() {
        let (mut w, r) = tokio::io::duplex(64);
        let mut lines = LineReader::new(r, 10);
        use tokio::io::AsyncWriteExt;
        w.write_all(b"{\"a\":1}\n\n{\"b\"").await.unwrap();
        assert!(
            !lines.has_buffered_line(),
            "nothing is read before the first frame"
        );
        assert_eq!(
            lines.next_frame().await.unwrap().unwrap(),
            &b"{\"a\":1}"[..]
        );
        // The buffer holds "\n{\"b\"": a newline (the blank line) is there.
        assert!(lines.has_buffered_line());
        w.write_all(b":2}\n0123456789AB\n{}\n").await.unwrap();
        // The blank line is skipped and the split line is joined from the next read.
        assert_eq!(
            lines.next_frame().await.unwrap().unwrap(),
            &b"{\"b\":2}"[..]
        );
        assert!(lines.has_buffered_line());
        assert_eq!(
            lines.next_frame().await.unwrap(),
            Err(FrameError::TooLarge { limit: 10 })
        );
        assert!(lines.has_buffered_line());
        assert_eq!(lines.next_frame().await.unwrap().unwrap(), &b"{}"[..]);
        assert!(!lines.has_buffered_line());
        drop(w);
        assert!(lines.next_frame().await.is_none());
    }

    #[tokio::test]
    async fn writes_one_message_per_line() {
        let (client, server) = tokio::io::duplex(1024);
        let (r, w) = tokio::io::split(server);
        let ch = line_channel(r, w, LineOptions::default());
        ch.outbound.send(&b"{\"x\":1}"[..]).await.unwrap();
        ch.outbound.send(&b"{}"[..]).await.unwrap();
        let mut lines = BufReader::new(client).lines();
        assert_eq!(lines.next_line().await.unwrap().unwrap(), "{\"x\":1}");
        assert_eq!(lines.next_line().await.unwrap().unwrap(), "{}");
    }
}
