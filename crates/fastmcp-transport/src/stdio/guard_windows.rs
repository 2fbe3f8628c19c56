//! Windows: standard output kept for the protocol. While at least one [`super::StdoutGuard`]
//! lives, the process's standard output handle (`STD_OUTPUT_HANDLE`) is a duplicate of the
//! standard error handle, so `println!` and `print!` (std looks the handle up on every
//! write) and child processes that inherit it write to stderr; the protocol writes to a
//! duplicate of the original handle taken before. When the last guard drops, the original
//! handle is put back. `SetStdHandle` itself lives in the `stdio-override` crate, whose
//! override we hold here (this crate forbids `unsafe`).

use std::fs::File;
use std::io::{self, Write};
use std::os::windows::io::AsHandle;
use std::sync::{Mutex, MutexGuard, PoisonError};

use stdio_override::StdoutOverride;

/// The override while the standard output handle is redirected, a duplicate of the original
/// handle for the protocol, and how many guards hold them.
struct Redirect {
    active: Option<(StdoutOverride, File)>,
    users: usize,
}

static REDIRECT: Mutex<Redirect> = Mutex::new(Redirect {
    active: None,
    users: 0,
});

fn state() -> MutexGuard<'static, Redirect> {
    REDIRECT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Points the standard output handle at stderr (unless a guard already did) and returns a
/// duplicate of the original standard output for the protocol; the caller [`release`]s it
/// once done. `None` when stdout or stderr cannot be duplicated: nothing is changed.
pub(super) fn acquire() -> Option<File> {
    let mut st = state();
    let proto = match &st.active {
        Some((_, saved)) => saved.try_clone().ok()?,
        None => {
            // Holding std's lock: no `print!` from another thread is half written when
            // the handle changes, and what std buffered still goes to the original stdout.
            let mut out = io::stdout().lock();
            let _ = out.flush();
            let saved = File::from(out.as_handle().try_clone_to_owned().ok()?);
            let proto = saved.try_clone().ok()?;
            let err = File::from(io::stderr().as_handle().try_clone_to_owned().ok()?);
            let over = match StdoutOverride::from_io(err) {
                Ok(over) => over,
                Err(e) => {
                    tracing::debug!("stdout left as it is: cannot point it at stderr: {e}");
                    return None;
                }
            };
            st.active = Some((over, saved));
            proto
        }
    };
    st.users += 1;
    Some(proto)
}

/// Undoes one [`acquire`]: the last one puts the original standard output handle back.
pub(super) fn release() {
    let mut st = state();
    st.users = st.users.saturating_sub(1);
    if st.users > 0 {
        return;
    }
    if let Some((over, _saved)) = st.active.take() {
        // What handlers left in std's buffer goes to stderr, where the rest of their text went.
        let mut out = io::stdout().lock();
        let _ = out.flush();
        if let Err(e) = over.reset() {
            tracing::debug!("cannot point standard output back at the original handle: {e}");
        }
    }
}
