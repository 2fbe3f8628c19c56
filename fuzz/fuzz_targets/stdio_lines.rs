//! The line framing of stdio (`fastmcp_transport::LineReader`): newline-delimited
//! messages with a size limit, read from a stream that delivers arbitrary chunks.
//!
//! Checks: nothing panics; every frame is non-blank UTF-8 of at most the limit with no
//! newline (only one `\r` before a newline is dropped: `\r\r\n` leaves one); the frames
//! are the same however the input is chunked (compared with a reader that gets all of it
//! at once, and with a simple model of the framing rules).
#![no_main]

use arbitrary::Arbitrary;
use fastmcp_transport::{FrameError, LineReader};
use libfuzzer_sys::fuzz_target;
use tokio::io::AsyncRead;

#[derive(Arbitrary, Debug)]
struct Input {
    /// The size limit, 1 to 256 bytes.
    max: u8,
    /// The chunks the stream delivers.
    chunks: Vec<Vec<u8>>,
}

type Frame = Result<Vec<u8>, FrameError>;

/// Read every frame of `reader` (a current-thread runtime: no task is spawned).
fn frames<R: AsyncRead + Unpin>(reader: R, max: usize) -> Vec<Frame> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mut r = LineReader::new(reader, max);
        let mut out = Vec::new();
        while let Some(f) = r.next_frame().await {
            out.push(f.map(|b| b.to_vec()));
        }
        out
    })
}

/// The framing rules, written plainly.
fn model(all: &[u8], max: usize) -> Vec<Frame> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = all.split(|b| *b == b'\n').collect();
    if all.last() == Some(&b'\n') || all.is_empty() {
        lines.pop();
    }
    for line in lines {
        if line.len() > max {
            out.push(Err(FrameError::TooLarge { limit: max }));
            continue;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        out.push(match std::str::from_utf8(line) {
            Ok(_) => Ok(line.to_vec()),
            Err(_) => Err(FrameError::InvalidUtf8),
        });
    }
    out
}

fuzz_target!(|input: Input| {
    let max = usize::from(input.max) + 1;
    let all = input.chunks.concat();
    let mut builder = tokio_test_io::Builder::default();
    for c in &input.chunks {
        builder.read(c);
    }
    let chunked = frames(builder.build(), max);
    let whole = frames(&all[..], max);
    for f in chunked.iter().flatten() {
        assert!(f.len() <= max, "a frame over the limit");
        assert!(!f.contains(&b'\n'), "a frame with a newline");
        assert!(std::str::from_utf8(f).is_ok(), "a frame of invalid UTF-8");
    }
    assert_eq!(chunked, whole, "chunked and whole input frame differently");
    assert_eq!(whole, model(&all, max), "the reader and the model disagree");
});

/// A reader that hands out its chunks one per read (a minimal `tokio_test::io`).
mod tokio_test_io {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, ReadBuf};

    /// Collects the chunks.
    #[derive(Default)]
    pub struct Builder(VecDeque<Vec<u8>>);

    impl Builder {
        /// One more chunk (empty ones are skipped: an empty read is end of stream).
        pub fn read(&mut self, c: &[u8]) {
            if !c.is_empty() {
                self.0.push_back(c.to_vec());
            }
        }
        /// The reader.
        pub fn build(self) -> Chunks {
            Chunks(self.0)
        }
    }

    /// Reads chunk by chunk.
    pub struct Chunks(VecDeque<Vec<u8>>);

    impl AsyncRead for Chunks {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if let Some(mut c) = self.0.pop_front() {
                let n = c.len().min(buf.remaining());
                buf.put_slice(&c[..n]);
                if n < c.len() {
                    self.0.push_front(c.split_off(n));
                }
            }
            Poll::Ready(Ok(()))
        }
    }
}
