use fastmcp::prelude::*;

async fn fetch() -> i64 {
    1
}

#[tool]
fn latest() -> i64 {
    fetch().await
}

fn main() {
    let _ = Server::new("feed", "1.0.0").tool(latest);
}
