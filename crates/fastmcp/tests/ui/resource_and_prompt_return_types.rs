use fastmcp::prelude::*;

struct Config {
    debug: bool,
}

#[resource("config://app")]
fn config() -> Config {
    Config { debug: false }
}

#[prompt]
fn review() -> Config {
    Config { debug: true }
}

fn main() {
    let _ = Server::new("app", "1.0.0").resource(config).prompt(review);
}
