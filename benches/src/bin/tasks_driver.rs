//! Load driver of the task-queue benchmark (`benches/tasks.sh`): submits `--tasks` calls of
//! `crunch(n, ms)` as tasks (2026-07-28 tasks extension, stateless Streamable HTTP,
//! `--concurrency` at once) to the `task_workers` example, then waits until every one has
//! completed. Prints one JSON line: tasks submitted per second (until the last was
//! accepted) and completed per second (from the first submission to the last completion).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use fastmcp::client::tasks::Submitted;
use fastmcp::client::{Client, Mode};
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TASKS_EXTENSION};
use fastmcp::transport::http_client::StreamableHttp;
use futures::StreamExt;
use serde_json::json;

struct Args {
    url: String,
    tasks: u64,
    concurrency: usize,
    ms: u64,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        url: String::new(),
        tasks: 2_000,
        concurrency: 32,
        ms: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().with_context(|| format!("{k} needs a value"))?;
        match k.as_str() {
            "--url" => a.url = v,
            "--tasks" => a.tasks = v.parse()?,
            "--concurrency" => a.concurrency = v.parse()?,
            "--ms" => a.ms = v.parse()?,
            _ => bail!("unknown argument {k}"),
        }
    }
    if a.url.is_empty() {
        bail!("usage: tasks-driver --url URL [--tasks N] [--concurrency C] [--ms MS]");
    }
    Ok(a)
}

async fn submit(c: &Client, n: u64, ms: u64) -> anyhow::Result<String> {
    let args = json!({"n": n, "ms": ms});
    match c.call_tool_as_task("crunch", args, None, |_| {}).await? {
        Submitted::Task(t) => Ok(t.id().to_owned()),
        Submitted::Done(_) => bail!("crunch ran at once: is the server's task queue set?"),
    }
}

async fn completed(c: &Client, id: &str) -> anyhow::Result<Instant> {
    loop {
        let t = c.get_task(id).await?;
        if t.is_terminal() {
            if t.result.is_none() {
                bail!("task {id} ended {:?}: {:?}", t.status, t.status_message);
            }
            return Ok(Instant::now());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let caps = ClientCapabilities {
        extensions: Some([(TASKS_EXTENSION.to_owned(), Default::default())].into()),
        ..Default::default()
    };
    let client = Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .capabilities(caps)
        .connect(StreamableHttp::new(a.url.clone()))
        .await?;
    let start = Instant::now();
    let ids: Vec<String> = futures::stream::iter(0..a.tasks)
        .map(|n| {
            let c = client.clone();
            async move { submit(&c, n, a.ms).await }
        })
        .buffer_unordered(a.concurrency)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let submitted = start.elapsed();
    let mut last = start;
    // Most are done by now; a few polls at a time leave the workers the CPU.
    let ends: Vec<anyhow::Result<Instant>> = futures::stream::iter(ids)
        .map(|id| {
            let c = client.clone();
            async move { completed(&c, &id).await }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    for e in ends {
        last = last.max(e?);
    }
    let done = last - start;
    println!(
        "{}",
        json!({
            "tasks": a.tasks,
            "submitted_per_s": a.tasks as f64 / submitted.as_secs_f64(),
            "completed_per_s": a.tasks as f64 / done.as_secs_f64(),
        })
    );
    Ok(())
}
