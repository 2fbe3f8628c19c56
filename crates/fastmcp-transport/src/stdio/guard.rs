//! Unix: standard output kept for the protocol. While at least one [`super::StdoutGuard`] lives,
//! file descriptor 1 points at standard error (`dup2(2, 1)`), so that `println!` and
//! `print!` (and any writer of fd 1, a child process that inherits it included) land on
//! stderr; the protocol writes to a duplicate of the original fd 1 taken before. When the
//! last guard drops, fd 1 points at the original standard output again.

use std::io::{self, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// The original standard output while fd 1 is redirected, and how many guards hold it.
struct Redirect {
    saved: Option<OwnedFd>,
    users: usize,
}

static REDIRECT: Mutex<Redirect> = Mutex::new(Redirect {
    saved: None,
    users: 0,
});

fn state() -> MutexGuard<'static, Redirect> {
    REDIRECT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Points fd 1 at stderr (unless a guard already did) and returns a duplicate of the
/// original standard output for the protocol; the caller [`release`]s it once done.
/// `None` when stdout or stderr cannot be duplicated (closed, say): nothing is changed.
pub(super) fn acquire() -> Option<OwnedFd> {
    let mut st = state();
    let proto = match &st.saved {
        Some(saved) => saved.try_clone().ok()?,
        None => {
            // Holding std's lock: no `print!` from another thread is half written when
            // fd 1 changes, and what std buffered still goes to the original stdout.
            let mut out = io::stdout().lock();
            let _ = out.flush();
            let saved = out.as_fd().try_clone_to_owned().ok()?;
            let proto = saved.try_clone().ok()?;
            if let Err(e) = nix::unistd::dup2_stdout(io::stderr().as_fd()) {
                tracing::debug!("stdout left as it is: cannot point fd 1 at stderr: {e}");
                return None;
            }
            st.saved = Some(saved);
            proto
        }
    };
    st.users += 1;
    Some(proto)
}

/// Undoes one [`acquire`]: the last one points fd 1 back at the original standard output.
pub(super) fn release() {
    let mut st = state();
    st.users = st.users.saturating_sub(1);
    if st.users > 0 {
        return;
    }
    if let Some(saved) = st.saved.take() {
        // What handlers left in std's buffer (a `print!` without a newline) goes to
        // stderr, where the rest of their text went.
        let mut out = io::stdout().lock();
        let _ = out.flush();
        if let Err(e) = nix::unistd::dup2_stdout(&saved) {
            tracing::debug!("cannot point fd 1 back at standard output: {e}");
        }
    }
}
