use fastmcp::prelude::*;

#[tool]
fn echo(echo: String) -> String {
    echo
}

fn main() {
    let _ = Server::new("echo", "1.0.0").tool(echo);
}
