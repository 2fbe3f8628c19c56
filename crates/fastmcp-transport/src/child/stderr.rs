//! The capture of a child's stderr: the last lines kept, each cut at a size limit so that
//! one endless line cannot grow this process.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::io::{AsyncRead, AsyncReadExt};

/// The default longest stderr line kept: 4 KiB (longer lines are cut and marked).
pub const DEFAULT_STDERR_LINE_LIMIT: usize = 4 * 1024;

/// How many of the last lines are kept.
pub(super) const KEPT_LINES: usize = 1000;

/// The lines kept.
pub(super) type Lines = Arc<Mutex<VecDeque<String>>>;

/// Read `err` to its end, keeping the last [`KEPT_LINES`] lines, each of at most `limit`
/// bytes: a longer line keeps its first `limit` bytes followed by
/// ` [... truncated, N bytes in all]`, and the rest is read and thrown away.
pub(super) async fn capture(mut err: impl AsyncRead + Unpin, lines: Lines, limit: usize) {
    let mut buf = vec![0u8; 8 * 1024];
    let mut line: Vec<u8> = Vec::with_capacity(256);
    let mut len = 0usize; // the whole line's length, kept part or not
    loop {
        let n = match err.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let (part, ended) = match memchr::memchr(b'\n', rest) {
                Some(i) => (&rest[..i], Some(i + 1)),
                None => (rest, None),
            };
            let room = limit.saturating_sub(line.len());
            line.extend_from_slice(&part[..part.len().min(room)]);
            len += part.len();
            match ended {
                Some(used) => {
                    keep(&lines, &line, len, limit);
                    line.clear();
                    len = 0;
                    rest = &rest[used..];
                }
                None => rest = &[],
            }
        }
    }
    if len > 0 {
        keep(&lines, &line, len, limit);
    }
}

fn keep(lines: &Lines, kept: &[u8], len: usize, limit: usize) {
    let kept = kept.strip_suffix(b"\r").unwrap_or(kept);
    let mut l = String::from_utf8_lossy(kept).into_owned();
    if len > limit {
        l.push_str(&format!(" [... truncated, {len} bytes in all]"));
    }
    tracing::debug!(target: "fastmcp::child", "{l}");
    let mut q = lines.lock().unwrap_or_else(PoisonError::into_inner);
    if q.len() == KEPT_LINES {
        q.pop_front();
    }
    q.push_back(l);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn long_lines_are_cut_and_marked() {
        let mut input = b"short\r\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', 100_000));
        input.extend(b"\nlast");
        let lines = Lines::default();
        capture(&input[..], lines.clone(), 10).await;
        let got: Vec<String> = lines.lock().unwrap().iter().cloned().collect();
        assert_eq!(
            got,
            [
                "short",
                "xxxxxxxxxx [... truncated, 100000 bytes in all]",
                "last"
            ]
        );
    }
}
