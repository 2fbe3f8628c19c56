use fastmcp::prelude::*;

#[tool(name = "add numbers")]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

fn main() {
    let _ = Server::new("calc", "1.0.0").tool(add);
}
