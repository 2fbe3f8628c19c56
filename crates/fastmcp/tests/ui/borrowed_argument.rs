use fastmcp::prelude::*;

#[tool]
fn greet(name: &str) -> String {
    format!("Hello {name}")
}

fn main() {
    let _ = Server::new("greeter", "1.0.0").tool(greet);
}
