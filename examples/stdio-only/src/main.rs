//! A stdio-only MCP server built with FastMCP's default features off
//! (`default-features = false, features = ["server", "macros"]`): one tool, served on stdin
//! and stdout, and no HTTP, TLS or WebSocket code in the binary.
#![forbid(unsafe_code)]

use fastmcp::prelude::*;

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[tokio::main]
async fn main() -> Result<(), fastmcp::Error> {
    Server::new("stdio-only", "1.0.0")
        .instructions("Adds numbers.")
        .tool(add)
        .run_stdio()
        .await
}
