//! `fastmcp run`: serve a server given as a command, a cargo project, an MCPConfig entry or
//! a URL, through a proxy, on the transport of the flags.

use std::path::Path;

use fastmcp::client::ServerEntry;
use fastmcp::proxy::Proxy;
use fastmcp::server::{HttpOptions, Server};

use crate::args::{RunArgs, Serve, Transport};
use crate::cargo;
use crate::error::{CliError, CliResult, Exit};
use crate::target::{self, Named};

/// `fastmcp run`.
pub async fn run(a: RunArgs) -> CliResult {
    let named = match a.server.as_deref() {
        Some(w) if !target::is_url(w) && !w.contains(".json") => {
            let Some(manifest) = cargo::manifest(Path::new(w)) else {
                return Err(CliError::usage(format!(
                    "{w:?} is not a URL, an MCPConfig file or a cargo project"
                ))
                .hint(format!(
                    "to start a program, put it after --: fastmcp run -- {w}"
                )));
            };
            let (bin, took) = cargo::build(&manifest, a.bin.as_deref())?;
            eprintln!("built {} in {:.1}s", bin.display(), took.as_secs_f64());
            Named {
                label: bin.display().to_string(),
                entry: ServerEntry::Stdio {
                    command: bin.display().to_string(),
                    args: vec![],
                    env: Default::default(),
                    cwd: None,
                },
            }
        }
        w => target::resolve(w, &a.connect)?,
    };
    let proxy = Proxy::entry(named.entry);
    serve(proxy.into_server("fastmcp-run"), &a.serve, &named.label).await
}

/// The HTTP options of the flags.
pub fn http_options(s: &Serve) -> HttpOptions {
    HttpOptions::default().path(&s.path).stateless(s.stateless)
}

/// Serve `server` on the transport of the flags until Ctrl-C.
async fn serve(server: Server, s: &Serve, label: &str) -> CliResult {
    let served = match s.transport {
        Transport::Stdio => server.run_stdio().await,
        Transport::Http | Transport::Sse | Transport::Ws => {
            let addr = format!("{}:{}", s.host, s.port);
            eprintln!("serving {label}");
            server.run_http_with(&addr, http_options(s)).await
        }
    };
    served.map_err(|e| {
        CliError::new(Exit::Failed, format!("serving: {}", e.message()))
            .hint("is the port in use? pick another with --port, or 0 for a free one")
    })
}
