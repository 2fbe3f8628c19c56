//! `echo-fastmcp` with every allocation counted (`stats_alloc` wraps the system allocator)
//! and one more tool, `alloc_stats`, that answers the counts so far:
//! `allocations reallocations bytes` (whole process, every thread). `alloc-driver` reads
//! it before and after a run of echo calls to get allocations per request.
//!
//! `echo-fastmcp-alloc stdio` or `echo-fastmcp-alloc http --port N [--stateful]`.

use fastmcp::prelude::*;
use fastmcp_bench::{echo, ServerArgs};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// The allocations of the process so far: `allocations reallocations bytes`.
#[tool]
async fn alloc_stats() -> String {
    let s = GLOBAL.stats();
    format!(
        "{} {} {}",
        s.allocations, s.reallocations, s.bytes_allocated
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    echo::serve(echo::server(args.tools).tool(alloc_stats), args.mode).await
}
