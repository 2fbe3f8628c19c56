//! The echo server written with FastMCP for Rust (the implementation under test).
//!
//! `echo-fastmcp stdio [--tools N]` or
//! `echo-fastmcp http --port N [--stateful] [--tools N] [--max-sessions N]`.
//!
//! Its runtime is `RuntimeConfig::for_stdio()` or `for_http()`, unless `FASTMCP_RUNTIME`
//! (`current_thread`, `multi_thread`, `multi_thread:N`) says otherwise: how the runtime
//! rows of `benches/RESULTS.md` are measured.

use fastmcp::RuntimeConfig;
use fastmcp_bench::{echo, Mode, ServerArgs};

fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    let max_sessions = args.max_sessions;
    let runtime = match args.mode {
        Mode::Stdio => RuntimeConfig::for_stdio(),
        Mode::Http { .. } => RuntimeConfig::for_http(),
    };
    runtime.from_env().block_on(echo::serve_with(
        echo::server(args.tools),
        args.mode,
        move |o| match max_sessions {
            Some(n) => o.max_sessions(n),
            None => o,
        },
    ))?
}
