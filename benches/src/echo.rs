//! The echo server written with FastMCP for Rust, shared by `echo-fastmcp` (the
//! implementation under test) and `echo-fastmcp-mw` (the same with middleware installed).

use std::time::Duration;

use fastmcp::core::FnTool;
use fastmcp::prelude::*;
use fastmcp::server::middleware::{Logging, Rate, RateKey, RateLimit, ResponseCache, Stats};
use fastmcp::server::HttpOptions;

use crate::work::{compute_for, compute_part, sleep_part, WORK_REPLY};
use crate::{extra_tool_name, Mode, SLOW_REPLY};

/// Echo the message back.
#[tool]
async fn echo(message: String) -> String {
    message
}

/// Sleep `ms` milliseconds, then answer.
#[tool]
async fn slow(ms: u64) -> String {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    SLOW_REPLY.to_owned()
}

/// Sleep half of `ms` milliseconds, compute for the other half, then answer.
#[tool]
async fn work(ms: u64) -> String {
    tokio::time::sleep(sleep_part(ms)).await;
    compute_for(compute_part(ms));
    WORK_REPLY.to_owned()
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    message: String,
}

/// The echo server with `echo`, `slow`, `work` and `extra` more echo tools.
///
/// `ECHO_INLINE_POLL_MS` sets [`Limits::inline_poll_limit`](fastmcp::server::Limits):
/// `benches/instructions.sh` raises it, as under valgrind the first requests (whose code is
/// translated as it first runs) take longer than the default 2 ms and would turn the
/// stdio connection to a task per request for the rest of the run.
pub fn server(extra: usize) -> Server {
    let mut server = Server::new("echo", "1").tool(echo).tool(slow).tool(work);
    if let Some(ms) = std::env::var("ECHO_INLINE_POLL_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        server = server.limits(fastmcp::server::Limits {
            inline_poll_limit: Duration::from_millis(ms),
            ..Default::default()
        });
    }
    for i in 0..extra {
        server = server.tool(FnTool::typed(
            &extra_tool_name(i),
            "Echo the message back.",
            |_ctx: Context, a: EchoArgs| async move { a.message },
        ));
    }
    server
}

/// Serve `server` as the command line asked.
pub async fn serve(server: Server, mode: Mode) -> anyhow::Result<()> {
    serve_with(server, mode, |o| o).await
}

/// [`serve`], with HTTP options reshaped by `opts` (auth, say).
pub async fn serve_with(
    server: Server,
    mode: Mode,
    opts: impl FnOnce(HttpOptions) -> HttpOptions,
) -> anyhow::Result<()> {
    match mode {
        Mode::Stdio => server.run_stdio().await?,
        Mode::Http { port, stateful } => {
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
            let running = server.start().await?;
            let o = HttpOptions::default()
                .stateless(!stateful)
                .json_response(!stateful);
            running.serve_http(listener, opts(o)).await?;
        }
    }
    Ok(())
}

/// `server` with the usual middleware of `echo-fastmcp-mw`: `Logging` (its events filtered
/// out by the subscriber's level, as at `WARN` in production), `Stats` (timing),
/// `ResponseCache` (lists and reads cached; `echo` is not a cached tool: the cost of a miss)
/// and `RateLimit` (in memory, per network address as a public server would count,
/// never reached: the cost of counting).
pub fn with_middleware(server: Server) -> Server {
    let unreached = Rate::token_bucket(u32::MAX, u32::MAX, Duration::from_secs(1));
    server
        .middleware(Logging::new())
        .stats(Stats::new())
        .middleware(ResponseCache::new())
        .middleware(RateLimit::in_memory(unreached).key(RateKey::ip()))
}
