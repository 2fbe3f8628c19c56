use fastmcp::prelude::*;

struct Point {
    x: i64,
}

#[tool]
fn norm(point: Point, scale: Option<i64>) -> i64 {
    point.x * scale.unwrap_or(1)
}

fn main() {
    let _ = Server::new("geo", "1.0.0").tool(norm);
}
