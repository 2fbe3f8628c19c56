//! A proxy in front of a stdio server: `proxy [--http ADDR] -- COMMAND [ARGS...]` starts
//! COMMAND as a child process and serves its tools, resources and prompts on stdio (or on
//! Streamable HTTP, legacy SSE and WebSocket at ADDR with `--http`). Progress, logs,
//! elicitation, sampling and cancellation pass through; each client session gets its own
//! child.
//!
//! ```text
//! cargo run -p examples --bin proxy -- --http 127.0.0.1:8000 -- cargo run -q -p examples --bin quickstart
//! ```

use fastmcp::client::ServerEntry;
use fastmcp::proxy::Proxy;
use fastmcp::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (ours, command) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i + 1..]),
        None => (&args[..0], &args[..]),
    };
    let Some((program, rest)) = command.split_first() else {
        eprintln!("usage: proxy [--http ADDR] -- COMMAND [ARGS...]");
        std::process::exit(2);
    };
    let upstream = ServerEntry::Stdio {
        command: program.clone(),
        args: rest.to_vec(),
        env: Default::default(),
        cwd: None,
    };
    let server = Proxy::entry(upstream).into_server("proxy");
    match ours {
        [flag, addr] if flag == "--http" => server.run_http(addr).await,
        [] => server.run_stdio().await,
        _ => {
            eprintln!("usage: proxy [--http ADDR] -- COMMAND [ARGS...]");
            std::process::exit(2);
        }
    }
}
