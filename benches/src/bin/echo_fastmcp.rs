//! The echo server written with FastMCP for Rust (the implementation under test).
//!
//! `echo-fastmcp stdio [--tools N]` or
//! `echo-fastmcp http --port N [--stateful] [--tools N] [--max-sessions N]`.

use fastmcp_bench::{echo, ServerArgs};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    let max_sessions = args.max_sessions;
    echo::serve_with(
        echo::server(args.tools),
        args.mode,
        |o| match max_sessions {
            Some(n) => o.max_sessions(n),
            None => o,
        },
    )
    .await
}
