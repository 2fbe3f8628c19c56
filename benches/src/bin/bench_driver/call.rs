//! The tool call a load scenario repeats, and the answer it must get.

use serde_json::{json, Value};

use crate::jsonrpc::{call_suffix, MESSAGE};

/// Milliseconds of `work` per call in the work scenarios.
pub const WORK_MS: u64 = 1;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `echo` with a short message.
    Echo,
    /// `echo` with a 1 MiB message.
    EchoMiB,
    /// `work(ms: WORK_MS)`: half asleep, half computing, answered `"worked"`.
    Work,
}

impl Call {
    fn tool_and_args(self) -> (&'static str, Value) {
        match self {
            Call::Echo => ("echo", json!({ "message": MESSAGE })),
            Call::EchoMiB => ("echo", json!({ "message": "x".repeat(1 << 20) })),
            Call::Work => ("work", json!({ "ms": WORK_MS })),
        }
    }

    /// The request after its id (see `jsonrpc::call_suffix`).
    pub fn suffix(self) -> Vec<u8> {
        let (tool, args) = self.tool_and_args();
        call_suffix(tool, args)
    }

    /// The text the answer must hold.
    pub fn expected(self) -> String {
        match self {
            Call::Echo => MESSAGE.to_owned(),
            Call::EchoMiB => "x".repeat(1 << 20),
            Call::Work => fastmcp_bench::work::WORK_REPLY.to_owned(),
        }
    }

    /// Whether every answer is checked in full, not only the first of each connection: a
    /// `work` answer is small and the call takes a millisecond, so checking costs nothing
    /// that shows.
    pub fn check_every(self) -> bool {
        self == Call::Work
    }
}
