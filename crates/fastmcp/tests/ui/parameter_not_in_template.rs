use fastmcp::prelude::*;

#[resource("users://{id}")]
fn user(id: u64, verbose: bool) -> String {
    format!("user {id} {verbose}")
}

fn main() {
    let _ = Server::new("users", "1.0.0").resource(user);
}
