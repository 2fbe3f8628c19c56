use fastmcp::{tool, State};

struct Config;

/// `#[arg]` describes an argument; the server's state is not one.
#[tool]
async fn configured(#[arg(description = "the config")] config: State<Config>) -> String {
    let _ = config;
    String::new()
}

fn main() {}
