use fastmcp::prelude::*;

#[tool(task = "sometimes")]
fn a(x: i64) -> i64 {
    x
}

#[tool(task_start = "detach")]
fn b(x: i64) -> i64 {
    x
}

fn main() {
    let _ = Server::new("calc", "1.0.0").tool(a).tool(b);
}
