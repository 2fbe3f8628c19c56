//! What `run_stdio` and `run_http` print for a person at a terminal: a log subscriber on
//! stderr when `FASTMCP_LOG` asks for one, and a startup banner on stderr (never stdout:
//! on stdio that is the protocol's), unless `FASTMCP_NO_BANNER` is set.

use std::fmt::Write;

use fastmcp_protocol::ProtocolVersion;

use crate::provider::Provider;
use crate::running::RunningServer;

/// Whether an environment flag is on (set, and neither empty, `0` nor `false`).
fn flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// With `FASTMCP_LOG` set (a `tracing` filter: `info`, `debug`, `fastmcp=debug,warn`...),
/// install a subscriber that writes to stderr, unless the program installed one already.
/// An invalid filter is reported on stderr and ignored.
pub(crate) fn init_logging() {
    let Ok(filter) = std::env::var("FASTMCP_LOG") else {
        return;
    };
    if filter.trim().is_empty() {
        return;
    }
    match tracing_subscriber::EnvFilter::try_new(&filter) {
        Ok(f) => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(f)
                .with_writer(std::io::stderr)
                .with_ansi(false)
                .try_init();
        }
        Err(e) => eprintln!("FASTMCP_LOG={filter:?} is not a valid filter ({e}); no logs"),
    }
}

/// Whether stderr goes where stdout goes (`2>&1` into one pipe or file) without being a
/// terminal: then a banner would land in the protocol's stream.
fn stderr_joins_stdout() -> bool {
    #[cfg(unix)]
    {
        use std::io::IsTerminal;
        use std::os::unix::fs::MetadataExt;
        let id = |p: &str| std::fs::metadata(p).ok().map(|m| (m.dev(), m.ino()));
        let same = matches!((id("/dev/fd/1"), id("/dev/fd/2")), (Some(a), Some(b)) if a == b);
        same && !std::io::stderr().is_terminal()
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Print the startup banner on stderr, unless `FASTMCP_NO_BANNER` is set, or (on stdio)
/// stderr shares stdout's pipe or file.
pub(crate) async fn banner(running: &RunningServer, transport: &str) {
    if flag("FASTMCP_NO_BANNER") || (transport == "stdio" && stderr_joins_stdout()) {
        return;
    }
    eprint!("{}", banner_text(running, transport).await);
}

async fn count<T>(
    page: impl std::future::Future<Output = Result<crate::provider::Page<T>, fastmcp_core::Error>>,
) -> String {
    match page.await {
        Ok(p) if p.next_cursor.is_some() => format!("{}+", p.items.len()),
        Ok(p) => p.items.len().to_string(),
        Err(_) => "?".into(),
    }
}

async fn banner_text(running: &RunningServer, transport: &str) -> String {
    let rt = &running.shared.rt;
    let cfg = &rt.config;
    let c = &rt.catalog;
    let versions = ProtocolVersion::ALL;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "FastMCP for Rust {} · server {:?} {}",
        env!("CARGO_PKG_VERSION"),
        cfg.info.name,
        cfg.info.version
    );
    let _ = writeln!(out, "  transport  {transport}");
    let _ = writeln!(
        out,
        "  protocol   {} to {}",
        versions[0].as_str(),
        versions[versions.len() - 1].as_str()
    );
    let _ = writeln!(
        out,
        "  serving    {} tools · {} resources · {} templates · {} prompts",
        count(c.list_tools(None)).await,
        count(c.list_resources(None)).await,
        count(c.list_templates(None)).await,
        count(c.list_prompts(None)).await,
    );
    let _ = writeln!(
        out,
        "  FASTMCP_LOG=info logs requests here · FASTMCP_NO_BANNER=1 hides this"
    );
    out
}
