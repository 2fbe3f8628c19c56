//! Unix: stdin and stdout through tokio's reactor when they are pipes or sockets, made
//! blocking again when dropped (the file description is shared with the parent).

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tokio::net::UnixStream;

use super::{Reader, Writer};

/// What a standard stream is, as far as the reactor is concerned.
enum Kind {
    Fifo,
    Socket,
    Other,
}

fn kind(fd: &OwnedFd) -> Kind {
    match fd_metadata(fd) {
        Some(m) if m.file_type().is_fifo() => Kind::Fifo,
        Some(m) if m.file_type().is_socket() => Kind::Socket,
        _ => Kind::Other,
    }
}

fn fd_metadata(fd: &OwnedFd) -> Option<std::fs::Metadata> {
    let file = File::from(fd.try_clone().ok()?);
    file.metadata().ok()
}

/// This process's stdin, through the reactor when it is a pipe or a socket.
pub(super) fn stdin() -> Option<Reader> {
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    match kind(&fd) {
        Kind::Fifo => {
            grow_pipe(&fd);
            Some(Box::new(Restoring(Some(
                pipe::Receiver::from_owned_fd(fd).ok()?,
            ))))
        }
        Kind::Socket => Some(Box::new(Restoring(Some(socket(fd)?)))),
        Kind::Other => None,
    }
}

/// This process's stdout, through the reactor when it is a pipe or a socket that stderr
/// does not share.
pub(super) fn stdout() -> Option<Writer> {
    let out = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    writer(out).ok()
}

/// A writer of `fd` (standard output or a duplicate of it) through the reactor when it is
/// a pipe or a socket that stderr does not share; `fd` back otherwise.
pub(super) fn writer(fd: OwnedFd) -> Result<Writer, OwnedFd> {
    let err = std::io::stderr().as_fd().try_clone_to_owned().ok();
    let shares_stderr = match &err {
        Some(e) => match (fd_metadata(&fd), fd_metadata(e)) {
            (Some(o), Some(e)) => o.dev() == e.dev() && o.ino() == e.ino(),
            _ => true,
        },
        None => false,
    };
    if shares_stderr {
        return Err(fd);
    }
    let kind = kind(&fd);
    if matches!(kind, Kind::Other) {
        return Err(fd);
    }
    let Ok(dup) = fd.try_clone() else {
        return Err(fd);
    };
    if matches!(kind, Kind::Fifo) {
        grow_pipe(&dup);
    }
    let w: Option<Writer> = match kind {
        Kind::Fifo => pipe::Sender::from_owned_fd(dup)
            .ok()
            .map(|s| Box::new(Restoring(Some(s))) as Writer),
        Kind::Socket => socket(dup).map(|s| Box::new(Restoring(Some(s))) as Writer),
        Kind::Other => None,
    };
    w.ok_or(fd)
}

/// What a pipe of standard input or output is grown to: a large message (a list of a
/// thousand tools, a megabyte argument) then crosses in one system call and one wake-up
/// instead of one per 64 KiB, the default. The kernel allocates the pages as they fill.
#[cfg(any(target_os = "linux", target_os = "android"))]
const PIPE_SIZE: i32 = 1 << 20;

/// Grow the pipe `fd` to [`PIPE_SIZE`] if it is smaller; where the system allows less
/// (`/proc/sys/fs/pipe-max-size`, or the user's pipe quota), it stays as it is.
fn grow_pipe(fd: &OwnedFd) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use nix::fcntl::{fcntl, FcntlArg};
        if fcntl(fd, FcntlArg::F_GETPIPE_SZ).is_ok_and(|n| n < PIPE_SIZE) {
            let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = fd;
}

fn socket(fd: OwnedFd) -> Option<UnixStream> {
    let s = std::os::unix::net::UnixStream::from(fd);
    s.set_nonblocking(true).ok()?;
    UnixStream::from_std(s).ok()
}

/// Puts a stream's file description back in blocking mode.
trait IntoBlocking {
    fn into_blocking(self);
}

impl IntoBlocking for pipe::Receiver {
    fn into_blocking(self) {
        let _ = self.into_blocking_fd();
    }
}

impl IntoBlocking for pipe::Sender {
    fn into_blocking(self) {
        let _ = self.into_blocking_fd();
    }
}

impl IntoBlocking for UnixStream {
    fn into_blocking(self) {
        if let Ok(s) = self.into_std() {
            let _ = s.set_nonblocking(false);
        }
    }
}

/// A reactor-driven standard stream that is made blocking again when dropped.
struct Restoring<T: IntoBlocking>(Option<T>);

impl<T: IntoBlocking> Restoring<T> {
    fn inner(&mut self) -> Pin<&mut T>
    where
        T: Unpin,
    {
        Pin::new(self.0.as_mut().expect("present until dropped"))
    }
}

impl<T: IntoBlocking> Drop for Restoring<T> {
    fn drop(&mut self) {
        if let Some(s) = self.0.take() {
            s.into_blocking();
        }
    }
}

impl<T: IntoBlocking + AsyncRead + Unpin> AsyncRead for Restoring<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.inner().poll_read(cx, buf)
    }
}

impl<T: IntoBlocking + AsyncWrite + Unpin> AsyncWrite for Restoring<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.inner().poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.inner().poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.as_ref().is_some_and(|s| s.is_write_vectored())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.inner().poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // Shutting a socket down would end the parent's side of a shared stream; the
        // description is closed with the process instead.
        self.inner().poll_flush(cx)
    }
}
