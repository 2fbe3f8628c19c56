use fastmcp::prelude::*;

#[resource("users://{id")]
fn user(id: u64) -> String {
    format!("user {id}")
}

fn main() {
    let _ = Server::new("users", "1.0.0").resource(user);
}
