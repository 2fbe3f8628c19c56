//! Standard output kept for the protocol: [`guarded_stdout`] and its [`StdoutGuard`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

use super::{stdout, Writer};

/// This process's standard output kept for the protocol, and the guard that keeps it so.
///
/// On Unix the writer writes to a duplicate of the real stdout (through the reactor where
/// [`stdout`] would), and while the guard lives fd 1 points at stderr (`dup2(2, 1)`, std's
/// `stdout()` flushed first): `println!`, `print!` and child processes that inherit fd 1
/// write to stderr instead of into the protocol stream. Dropping the last guard flushes
/// std's `stdout()` (to stderr) and points fd 1 back at the real stdout. When stderr goes
/// where stdout goes (`2>&1` into one pipe), printed text still reaches the stream. If fd 1
/// or fd 2 cannot be duplicated, nothing is redirected and [`StdoutGuard::is_active`] is
/// false.
///
/// On Windows the same holds for the process's standard output handle: while the guard
/// lives `STD_OUTPUT_HANDLE` is a duplicate of the stderr handle (`SetStdHandle`), which
/// std's `print!` looks up on every write, and the writer writes to a duplicate of the
/// original handle. Elsewhere nothing is redirected: this is [`stdout`] and an inactive
/// guard.
///
/// Call inside a tokio runtime.
///
/// ```no_run
/// # #[tokio::main] async fn main() {
/// use tokio::io::AsyncWriteExt;
/// let (mut out, guard) = fastmcp_transport::stdio::guarded_stdout();
/// println!("this goes to stderr on Unix and Windows");
/// out.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"ping\"}\n").await.unwrap();
/// out.flush().await.unwrap();
/// drop(out);
/// drop(guard); // fd 1 is the real stdout again
/// # }
/// ```
pub fn guarded_stdout() -> (Writer, StdoutGuard) {
    #[cfg(unix)]
    if let Some(fd) = super::guard::acquire() {
        let guard = StdoutGuard { active: true };
        let out = super::reactor::writer(fd).unwrap_or_else(|fd| {
            Box::new(tokio::fs::File::from_std(std::fs::File::from(fd))) as Writer
        });
        return (out, guard);
    }
    #[cfg(windows)]
    if let Some(file) = super::guard::acquire() {
        let out = Box::new(tokio::fs::File::from_std(file)) as Writer;
        return (out, StdoutGuard { active: true });
    }
    (stdout(), StdoutGuard { active: false })
}

/// Keeps fd 1 pointed at stderr while it lives (see [`guarded_stdout`]); the last one
/// dropped points it back at the real standard output.
#[must_use = "fd 1 is pointed back at standard output when the guard drops"]
#[derive(Debug)]
pub struct StdoutGuard {
    active: bool,
}

impl StdoutGuard {
    /// A guard that redirects nothing (for a caller that leaves stdout alone).
    pub fn inactive() -> Self {
        StdoutGuard { active: false }
    }

    /// Whether fd 1 points at stderr for this guard.
    pub fn is_active(&self) -> bool {
        self.active
    }
}

impl Drop for StdoutGuard {
    fn drop(&mut self) {
        #[cfg(any(unix, windows))]
        if self.active {
            super::guard::release();
        }
    }
}

/// A writer that holds a [`StdoutGuard`] until it is dropped (after the writer).
pub(super) struct Guarded {
    pub(super) out: Writer,
    pub(super) _guard: StdoutGuard,
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.out).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.out).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.out.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.out).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.out).poll_shutdown(cx)
    }
}
