//! The stdio transport: newline-delimited JSON on stdin and stdout (logs go to stderr).
//!
//! On Unix, when stdin or stdout is a pipe or a socket (how MCP hosts start servers), it is read or
//! written through tokio's reactor: a message costs no hand-off to a blocking thread. The
//! file description is shared with the parent, so it is put back in blocking mode when the
//! transport drops it. A terminal, a file or `/dev/null` goes through tokio's blocking
//! `stdin`/`stdout`, and so does stdout when stderr shares it (`2>&1` into one pipe): a
//! non-blocking description would make blocking writers of stderr fail when the pipe is full.
//!
//! On Windows (and any platform other than Unix) stdin and stdout always go through tokio's
//! blocking `stdin`/`stdout`.
//!
//! Standard output kept for the protocol ([`guarded_stdout`], used by [`channel`] and by
//! the server's `run_stdio`): on Unix, fd 1 is pointed at stderr while the protocol writes
//! to a duplicate of the real stdout, so that `println!` in a handler cannot land among the
//! frames. On Windows the standard output handle is swapped for a duplicate of stderr's
//! (`SetStdHandle`, through the `stdio-override` crate) the same way.

#[cfg(unix)]
mod guard;
#[cfg(windows)]
#[path = "stdio/guard_windows.rs"]
mod guard;
mod guarded;
#[cfg(unix)]
mod reactor;

pub use guarded::{guarded_stdout, StdoutGuard};

use tokio::io::{AsyncRead, AsyncWrite};

use crate::channel::Channel;
use crate::lines::{line_channel_with_writer, LineOptions};
use guarded::Guarded;

/// A channel over this process's stdin and stdout, stdout kept for the protocol while
/// the channel's writer lives (see [`guarded_stdout`]).
pub fn channel(opts: LineOptions) -> Channel {
    channel_with_writer(opts).0
}

/// A channel over stdin and stdout, and the task writing stdout: await it after the
/// session ends so that every answer is flushed before the process exits. Stdout is kept
/// for the protocol until that task ends (see [`guarded_stdout`]); for a channel that
/// leaves fd 1 alone, give [`stdin`] and [`stdout`] to
/// [`line_channel_with_writer`].
pub fn channel_with_writer(opts: LineOptions) -> (Channel, tokio::task::JoinHandle<()>) {
    let (out, guard) = guarded_stdout();
    line_channel_with_writer(stdin(), Guarded { out, _guard: guard }, opts)
}

/// This process's stdin, read through the reactor where it can be.
pub type Reader = Box<dyn AsyncRead + Send + Unpin>;
/// This process's stdout, written through the reactor where it can be.
pub type Writer = Box<dyn AsyncWrite + Send + Unpin>;

/// This process's stdin (see the module documentation). Call inside a tokio runtime.
pub fn stdin() -> Reader {
    #[cfg(unix)]
    if let Some(r) = reactor::stdin() {
        return r;
    }
    Box::new(tokio::io::stdin())
}

/// This process's stdout (see the module documentation), shared with every other writer
/// of fd 1 (`println!` included). Call inside a tokio runtime.
pub fn stdout() -> Writer {
    #[cfg(unix)]
    if let Some(w) = reactor::stdout() {
        return w;
    }
    Box::new(tokio::io::stdout())
}
