//! Our proxy in front of `conformance-server --stdio` (the binary next to this one, one
//! child per client session), or of any stdio server given after `--`:
//! `conformance-proxy --stdio [-- COMMAND ARGS...]` serves it on stdio,
//! `conformance-proxy --port N [-- COMMAND ARGS...]` on Streamable HTTP at 127.0.0.1:N.
//! The interop tests drive it with the Python SDK's client.

use std::process::ExitCode;

use fastmcp::client::ServerEntry;
use fastmcp::proxy::Proxy;

fn main() -> ExitCode {
    let all: Vec<String> = std::env::args().skip(1).collect();
    let (args, upstream) = match all.iter().position(|a| a == "--") {
        Some(i) => (&all[..i], Some(&all[i + 1..])),
        None => (&all[..], None),
    };
    let port = match args {
        [flag] if flag == "--stdio" => None,
        [flag, port] if flag == "--port" => match port.parse::<u16>() {
            Ok(p) => Some(p),
            Err(e) => return fail(&format!("bad port {port:?}: {e}")),
        },
        _ => return fail("usage: conformance-proxy (--stdio | --port N) [-- COMMAND ARGS...]"),
    };
    let exe = std::env::current_exe().ok();
    let Some(server) = exe
        .as_ref()
        .and_then(|e| e.parent())
        .map(|d| d.join("conformance-server"))
    else {
        return fail("cannot find conformance-server next to this binary");
    };
    let (command, command_args) = match upstream.and_then(|u| u.split_first()) {
        Some((c, rest)) => (c.clone(), rest.to_vec()),
        None => (
            server.to_string_lossy().into_owned(),
            vec!["--stdio".into()],
        ),
    };
    let entry = ServerEntry::Stdio {
        command,
        args: command_args,
        env: std::env::vars()
            .filter(|(k, _)| k == "NODE_CACHE")
            .collect(),
        cwd: None,
    };
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    let server = Proxy::entry(entry).into_server("conformance-proxy");
    let result = match port {
        None => rt.block_on(server.run_stdio()),
        Some(p) => rt.block_on(server.run_http(&format!("127.0.0.1:{p}"))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("conformance-proxy: {message}");
    ExitCode::from(2)
}
