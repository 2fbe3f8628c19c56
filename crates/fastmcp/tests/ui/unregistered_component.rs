#![deny(dead_code)]

use fastmcp::prelude::*;

/// Registered below.
#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Never passed to `.tool(..)`.
#[tool]
fn subtract(a: i64, b: i64) -> i64 {
    a - b
}

/// Kept on purpose.
#[allow(dead_code)]
#[tool]
fn multiply(a: i64, b: i64) -> i64 {
    a * b
}

/// Never passed to `.resource(..)`.
#[resource("config://app")]
fn config() -> String {
    String::new()
}

fn main() {
    let _ = Server::new("calc", "1.0.0").tool(add);
}
