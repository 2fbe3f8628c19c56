use fastmcp::prelude::*;

#[tool]
fn echo<T: std::fmt::Display>(value: T) -> String {
    value.to_string()
}

fn main() {
    let _ = Server::new("echo", "1.0.0").tool(echo);
}
