//! The README's quick start: a calculator server on stdio.
//!
//! Run it under a client, or try `cargo run -p examples --bin demo`, which starts this
//! server as a child process and talks to it.

use fastmcp::prelude::*;

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Divide `a` by `b`.
#[tool(annotations(read_only = true, idempotent = true))]
async fn divide(a: f64, #[arg(description = "must not be zero")] b: f64) -> Result<f64, Error> {
    if b == 0.0 {
        return Err(Error::tool("division by zero"));
    }
    Ok(a / b)
}

#[tokio::main]
async fn main() -> Result<(), fastmcp::Error> {
    Server::new("calc", "1.0.0")
        .instructions("A calculator.")
        .tool(add)
        .tool(divide)
        .run_stdio()
        .await
}
