//! Tasks run by worker processes through Redis. One binary, two roles: `serve ADDR` answers
//! MCP over Streamable HTTP and queues the tasks it creates; `work` runs them. Start as
//! many of each as you like against one Redis:
//!
//! ```text
//! redis-server --port 6379 --appendonly yes &
//! REDIS_URL=redis://127.0.0.1:6379 cargo run -p examples --bin task_workers -- serve 127.0.0.1:8000 &
//! REDIS_URL=redis://127.0.0.1:6379 cargo run -p examples --bin task_workers -- work &
//! ```
//!
//! Environment: `REDIS_URL` (required), `PREFIX` (of every key, default `task_workers:`),
//! `VISIBILITY_MS` (how long a task stays with a silent worker, default 30000),
//! `MAX_ATTEMPTS` (deliveries before a task fails, default 3), `CONCURRENCY` (tasks a
//! worker runs at once, default 16), `TASK_TTL_MS` (how long tasks are kept, default one
//! hour), `TASK_LOG` (a file to which every run appends `start`, `end` or `cancelled`
//! with `n`, its process id and the task id: what at-least-once delivery looks like).

use std::io::Write;
use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::{RedisTaskQueue, RedisTaskStore, WorkerOptions};

fn log(ctx: &Context, what: &str, n: u64) {
    let Ok(path) = std::env::var("TASK_LOG") else {
        return;
    };
    // One short write with O_APPEND: lines of several processes never mix.
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
    {
        let task = ctx.task_id().unwrap_or_default();
        let line = format!("{what} {n} {} {task}\n", std::process::id());
        let _ = f.write_all(line.as_bytes());
    }
}

/// Crunch the number `n` for `ms` milliseconds, reporting progress four times.
#[tool(task = "optional")]
async fn crunch(ctx: &Context, n: u64, ms: u64) -> Result<String, Error> {
    log(ctx, "start", n);
    for step in 1..=4 {
        if let Err(e) = ctx.sleep(Duration::from_millis(ms / 4)).await {
            log(ctx, "cancelled", n);
            return Err(e);
        }
        ctx.report_progress(step as f64, Some(4.0), None).await?;
    }
    log(ctx, "end", n);
    Ok(format!("crunched {n}"))
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("REDIS_URL")
        .map_err(|_| Error::invalid_params("set REDIS_URL, e.g. redis://127.0.0.1:6379"))?;
    let prefix = std::env::var("PREFIX").unwrap_or_else(|_| "task_workers:".into());
    let store = RedisTaskStore::new(&url)?.prefix(&format!("{prefix}tasks:"));
    let queue = RedisTaskQueue::new(&url)?
        .prefix(&format!("{prefix}queue:"))
        .visibility_timeout(Duration::from_millis(env_u64("VISIBILITY_MS", 30_000)))
        .max_attempts(env_u64("MAX_ATTEMPTS", 3) as u32);
    let server = Server::new("task_workers", "1.0.0")
        .tool(crunch)
        .task_store(store)
        .task_queue(queue)
        .task_ttl(Some(Duration::from_millis(env_u64(
            "TASK_TTL_MS",
            3_600_000,
        ))))
        .task_poll_interval(Duration::from_millis(100));
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (Some("serve"), Some(addr)) => server.run_http(&addr).await,
        (Some("work"), _) => {
            let concurrency = env_u64("CONCURRENCY", 16) as usize;
            server
                .run_worker(WorkerOptions::new().concurrency(concurrency))
                .await
        }
        _ => Err(Error::invalid_params(
            "usage: task_workers serve ADDR | task_workers work",
        )),
    }
}
