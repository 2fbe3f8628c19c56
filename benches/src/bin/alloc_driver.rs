//! Allocations per request of our echo server (`echo-fastmcp-alloc`, whose allocator
//! counts), on stdio and on Streamable HTTP (stateless, JSON responses; and with sessions
//! and SSE responses).
//!
//! `alloc-driver [--calls N]`: for each transport, starts the server, makes 1,000 echo
//! calls to warm it, reads its counts, makes N more (default 20,000) and reads them
//! again; what reading the counts itself costs is measured the same way and taken off.
//! Prints allocations, reallocations and bytes allocated per request.

use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::ChildTransport;
use serde_json::json;

/// The counts the server answered: allocations, reallocations, bytes.
async fn counts(c: &Client) -> anyhow::Result<[u64; 3]> {
    let r = c.call_tool("alloc_stats", json!({})).await?;
    let v = serde_json::to_value(&r.content)?;
    let text = v[0]["text"].as_str().unwrap_or_default();
    let n: Vec<u64> = text
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    anyhow::ensure!(n.len() == 3, "alloc_stats answered {text:?}");
    Ok([n[0], n[1], n[2]])
}

async fn echo(c: &Client, n: usize) -> anyhow::Result<()> {
    for _ in 0..n {
        let r = c.call_tool("echo", json!({"message": "hello"})).await?;
        anyhow::ensure!(r.is_error != Some(true), "echo failed");
    }
    Ok(())
}

/// Per-request allocations, reallocations and bytes over `calls` echo calls.
async fn measure(c: &Client, calls: usize) -> anyhow::Result<[f64; 3]> {
    echo(c, 1000).await?;
    let a = counts(c).await?;
    echo(c, calls).await?;
    let b = counts(c).await?;
    let d = counts(c).await?; // What one read of the counts costs.
    let mut out = [0.0; 3];
    for i in 0..3 {
        let read = d[i] - b[i];
        out[i] = (b[i] - a[i]).saturating_sub(read) as f64 / calls as f64;
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calls = match args.as_slice() {
        [] => 20_000,
        [flag, n] if flag == "--calls" => n.parse()?,
        _ => anyhow::bail!("usage: alloc-driver [--calls N]"),
    };
    let server = std::env::current_exe()?.with_file_name("echo-fastmcp-alloc");
    println!(
        "{:<28} {:>8} {:>11} {:>13} {:>10}",
        "transport", "calls", "allocs/req", "reallocs/req", "bytes/req"
    );
    let stdio = Client::connect(ChildTransport::new(&server).arg("stdio")).await?;
    report("stdio", calls, measure(&stdio, calls).await?);
    drop(stdio);
    for (name, stateful) in [
        ("http (stateless, JSON)", false),
        ("http (sessions, SSE)", true),
    ] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut cmd = tokio::process::Command::new(&server);
        cmd.args(["http", "--port", &port.to_string()])
            .kill_on_drop(true);
        if stateful {
            cmd.arg("--stateful");
        }
        let _child = cmd.spawn()?;
        let url = format!("http://127.0.0.1:{port}/mcp");
        let c = connect(&url).await?;
        report(name, calls, measure(&c, calls).await?);
    }
    Ok(())
}

/// Connect once the server listens.
async fn connect(url: &str) -> anyhow::Result<Client> {
    for _ in 0..100 {
        match Client::connect(StreamableHttp::new(url)).await {
            Ok(c) => return Ok(c),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    anyhow::bail!("nothing answers at {url}")
}

fn report(name: &str, calls: usize, [allocs, reallocs, bytes]: [f64; 3]) {
    println!("{name:<28} {calls:>8} {allocs:>11.1} {reallocs:>13.1} {bytes:>10.0}");
}
