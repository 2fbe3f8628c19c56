//! Asking a child to stop before it is killed. On Unix that is SIGTERM; Windows has no such
//! signal, so there a child that outlives its grace period is killed at once.

use tokio::process::Child;

/// Ask the child to exit. Returns whether a request was sent (then it gets another grace
/// period before it is killed).
#[cfg(unix)]
pub(super) fn request_exit(child: &Child) -> bool {
    let Some(pid) = child.id().and_then(|p| i32::try_from(p).ok()) else {
        return false;
    };
    let pid = nix::unistd::Pid::from_raw(pid);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).is_ok()
}

/// Ask the child to exit: nothing to send on this platform.
#[cfg(not(unix))]
pub(super) fn request_exit(_child: &Child) -> bool {
    false
}
