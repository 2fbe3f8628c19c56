use fastmcp::prelude::*;

#[resource("config://app")]
fn config(section: String, ctx: &Context) -> String {
    let _ = ctx;
    section
}

fn main() {
    let _ = Server::new("app", "1.0.0").resource(config);
}
