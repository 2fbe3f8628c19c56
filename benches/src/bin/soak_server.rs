//! The server of the soak and chaos runs (`benches/soak.sh`, driven by `soak-driver`).
//!
//! `soak-server --port N` serves Streamable HTTP (both eras) on `127.0.0.1:N/mcp` with the
//! tools of the workload (sessions idle for a minute end), and prints one line of counters on stdout every second:
//!
//! ```text
//! stats live_tasks=3 running_tasks=0 slow_started=10 slow_cancelled=9 slow_done=1
//! ```

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::HttpOptions;
use serde::{Deserialize, Serialize};

static SLOW_STARTED: AtomicU64 = AtomicU64::new(0);
static SLOW_CANCELLED: AtomicU64 = AtomicU64::new(0);
static SLOW_DONE: AtomicU64 = AtomicU64::new(0);
static TICKS: AtomicU64 = AtomicU64::new(0);

/// How long a session without requests lives.
const IDLE: Duration = Duration::from_secs(60);

/// The resource that changes (subscribers are told every 200 ms).
const TICKER: &str = "soak://ticker";

/// Reports `steps` progress notifications, `ms` apart.
#[tool]
async fn progress(ctx: &Context, steps: u32, ms: u64) -> Result<String, Error> {
    for i in 1..=steps {
        ctx.report_progress(f64::from(i), Some(f64::from(steps)), Some("step"))
            .await?;
        ctx.sleep(Duration::from_millis(ms)).await?;
    }
    Ok(format!("{steps} steps"))
}

/// What `ask` asks the client for.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct Account {
    /// A user name.
    username: String,
    /// An email address.
    email: String,
}

/// Asks the client for an account (`elicitation/create`, or an input request in the
/// stateless era) and answers `username email`.
#[tool]
async fn ask(ctx: &Context, nonce: String) -> Result<String, Error> {
    Ok(
        match ctx.elicit::<Account>(&format!("account {nonce}")).await? {
            Elicited::Accept(a) => format!("{} {}", a.username, a.email),
            Elicited::Decline => "declined".to_owned(),
            Elicited::Cancel => "cancelled".to_owned(),
        },
    )
}

/// The length and the FNV-1a digest of `data` (large arguments).
#[tool]
async fn digest(data: String) -> String {
    format!("{} {:016x}", data.len(), fastmcp_bench::soak::fnv1a(&data))
}

/// Counts a `slow` call that ends without finishing as cancelled, however it ends.
struct SlowGuard {
    done: bool,
}

impl Drop for SlowGuard {
    fn drop(&mut self) {
        let counter = if self.done {
            &SLOW_DONE
        } else {
            &SLOW_CANCELLED
        };
        counter.fetch_add(1, Relaxed);
    }
}

/// Sleeps `ms` milliseconds, ending early when cancelled.
#[tool]
async fn slow(ctx: &Context, ms: u64) -> Result<String, Error> {
    SLOW_STARTED.fetch_add(1, Relaxed);
    let mut guard = SlowGuard { done: false };
    ctx.sleep(Duration::from_millis(ms)).await?;
    guard.done = true;
    Ok("slept".to_owned())
}

/// How many times the ticker changed.
#[resource("soak://ticker", mime_type = "text/plain")]
async fn ticker() -> String {
    TICKS.load(Relaxed).to_string()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    fastmcp_bench::quiet_logs();
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = match args.as_slice() {
        [_, flag, port] if flag == "--port" => port.parse()?,
        _ => anyhow::bail!("usage: soak-server --port N"),
    };
    let server = Server::new("soak", "1").components((progress, ask, digest, slow, ticker));
    let handle = server.handle();
    let running = server.start().await?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_millis(200));
        loop {
            every.tick().await;
            TICKS.fetch_add(1, Relaxed);
            handle.notify_resource_updated(TICKER);
        }
    });
    let stats = running.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            println!(
                "stats live_tasks={} running_tasks={} slow_started={} slow_cancelled={} slow_done={}",
                stats.live_tasks(),
                stats.running_tasks(),
                SLOW_STARTED.load(Relaxed),
                SLOW_CANCELLED.load(Relaxed),
                SLOW_DONE.load(Relaxed),
            );
        }
    });
    // Sessions whose clients vanished (a chaos run cuts connections) end after a minute.
    let opts = HttpOptions::default().session_idle_timeout(IDLE);
    running.serve_http(listener, opts).await?;
    Ok(())
}
