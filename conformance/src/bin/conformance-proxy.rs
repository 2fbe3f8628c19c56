//! Our proxy in front of `conformance-server --stdio` (the binary next to this one, one
//! child per client session): `conformance-proxy --stdio` serves it on stdio,
//! `conformance-proxy --port N` on Streamable HTTP at 127.0.0.1:N. The interop tests drive
//! it with the Python SDK's client.

use std::process::ExitCode;

use fastmcp::client::ServerEntry;
use fastmcp::proxy::Proxy;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match args.as_slice() {
        [flag] if flag == "--stdio" => None,
        [flag, port] if flag == "--port" => match port.parse::<u16>() {
            Ok(p) => Some(p),
            Err(e) => return fail(&format!("bad port {port:?}: {e}")),
        },
        _ => return fail("usage: conformance-proxy --stdio | --port N"),
    };
    let exe = std::env::current_exe().ok();
    let Some(server) = exe
        .as_ref()
        .and_then(|e| e.parent())
        .map(|d| d.join("conformance-server"))
    else {
        return fail("cannot find conformance-server next to this binary");
    };
    let entry = ServerEntry::Stdio {
        command: server.to_string_lossy().into_owned(),
        args: vec!["--stdio".into()],
        env: Default::default(),
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
