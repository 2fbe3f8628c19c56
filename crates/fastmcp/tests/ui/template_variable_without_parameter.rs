use fastmcp::prelude::*;

#[resource("users://{id}/posts/{post_id}")]
fn user_post(id: u64) -> String {
    format!("user {id}")
}

fn main() {
    let _ = Server::new("users", "1.0.0").resource(user_post);
}
