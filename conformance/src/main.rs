//! `conformance-server --stdio`: the conformance fixtures on stdin/stdout.
//! `conformance-server --port N`: the same at `http://127.0.0.1:N/mcp` (Streamable HTTP,
//! both eras).

use std::process::ExitCode;

const USAGE: &str = "usage: conformance-server --stdio\n       conformance-server --port N";

enum Mode {
    Stdio,
    Http(u16),
}

fn parse(args: &[String]) -> Result<Mode, String> {
    match args {
        [flag] if flag == "--stdio" => Ok(Mode::Stdio),
        [flag, port] if flag == "--port" => port
            .parse()
            .map(Mode::Http)
            .map_err(|_| format!("invalid port: {port}")),
        _ => Err(USAGE.to_owned()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match parse(&args) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("conformance-server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match mode {
        Mode::Stdio => rt.block_on(conformance::build_server().run_stdio()),
        Mode::Http(port) => {
            rt.block_on(conformance::build_server().run_http(&format!("127.0.0.1:{port}")))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("conformance-server: {e}");
            ExitCode::FAILURE
        }
    }
}
