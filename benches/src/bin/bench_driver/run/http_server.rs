//! Starting an HTTP server and waiting until it listens.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::cli::Impl;
use crate::outcome::Cell2;
use crate::process::{free_port, log_tail, Server, EXIT_UNSUPPORTED};

/// Spawn `imp` in HTTP mode on a free port and wait (at most 60 s) until it accepts
/// connections, with `extra` arguments after the usual ones. A server that exits with
/// `EXIT_UNSUPPORTED` gives `Cell2::Unsupported`.
pub async fn start_http(
    imp: &Impl,
    stateful: bool,
    extra: &[String],
    log: &Path,
) -> Result<(Server, SocketAddr), Cell2> {
    match start(imp, stateful, extra, log).await {
        Ok(x) => Ok(x),
        Err(e) if e.to_string() == "unsupported" => Err(Cell2::Unsupported(log_tail(log))),
        Err(e) => Err(Cell2::Failed(format!("{e:#}"))),
    }
}

async fn start(
    imp: &Impl,
    stateful: bool,
    extra: &[String],
    log: &Path,
) -> anyhow::Result<(Server, SocketAddr)> {
    let port = free_port()?;
    let mut args = vec!["http".to_owned(), "--port".to_owned(), port.to_string()];
    if stateful {
        args.push("--stateful".into());
    }
    args.extend_from_slice(extra);
    let mut server = Server::spawn(imp, &args, false, log)?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let t0 = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok((server, addr));
        }
        if let Some(st) = server.child.try_wait()? {
            if st.code() == Some(EXIT_UNSUPPORTED) {
                bail!("unsupported");
            }
            bail!("server exited before listening ({st}); {}", log_tail(log));
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("server not listening after 60 s; {}", log_tail(log));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
