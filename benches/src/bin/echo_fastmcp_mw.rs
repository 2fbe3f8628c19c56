//! The echo server of `echo-fastmcp` with the usual middleware installed: what they cost
//! per request. `Logging` (its events filtered out by the subscriber's level, as a
//! production server logging at `WARN` would: the cost of having it, not of writing logs)
//! `Stats` (timing) and `ResponseCache` (lists and reads cached; `echo` is not a cached tool,
//! so every call passes through it without being stored: the cost of a miss) and
//! `RateLimit` (in memory, per session, a limit no benchmark reaches: the cost of counting).
//!
//! `echo-fastmcp-mw stdio [--tools N]` or `echo-fastmcp-mw http --port N [--stateful] [--tools N]`.

use fastmcp_bench::{echo, ServerArgs};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    fastmcp_bench::quiet_logs();
    echo::serve(echo::with_middleware(echo::server(args.tools)), args.mode).await
}
