use fastmcp::prelude::*;

#[tool]
fn greet(#[arg(descripton = "Who to greet")] name: String) -> String {
    format!("Hello {name}")
}

fn main() {
    let _ = Server::new("greeter", "1.0.0").tool(greet);
}
