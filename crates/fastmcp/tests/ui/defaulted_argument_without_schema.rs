use fastmcp::prelude::*;

#[derive(Default)]
struct Scale {
    factor: i64,
}

#[tool]
fn norm(x: i64, #[arg(default = Scale::default())] scale: Scale) -> i64 {
    x * scale.factor
}

fn main() {
    let _ = Server::new("geo", "1.0.0").tool(norm);
}
