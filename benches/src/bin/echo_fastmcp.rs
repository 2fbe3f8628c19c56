//! The echo server written with FastMCP for Rust (the implementation under test).
//!
//! `echo-fastmcp stdio [--tools N]` or `echo-fastmcp http --port N [--stateful] [--tools N]`.

use fastmcp_bench::{echo, ServerArgs};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    echo::serve(echo::server(args.tools), args.mode).await
}
