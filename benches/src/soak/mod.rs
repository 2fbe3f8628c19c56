//! Soak and chaos runs (`benches/soak.sh`): a mixed workload against `soak-server` for
//! minutes, memory and descriptors sampled as it runs, and a verdict at the end.
//!
//! The workload: calls with progress, elicitation round trips, subscriptions, large
//! arguments (64 KiB to 1 MiB) and cancelled calls, from resilient clients of both eras.
//! A soak run must end with every answer right, nothing hung, the server's memory at the
//! end within 10% of its memory after warm-up, and its connections, sessions and tasks
//! back to where they started once the clients are gone. A chaos run also kills
//! connections at random (through a proxy) and the server itself (SIGKILL, restarted on
//! the same port); clients must recover, no answer may be wrong, nothing may hang, and
//! once the chaos stops every call must succeed again.

mod procs;
mod proxy;
mod run;
mod server;
mod tally;
mod verdict;
mod workload;

pub use run::{run, Options};

/// The FNV-1a digest of a text (what `digest` answers, so the driver can check it).
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
