//! Load driver of the replicas benchmark (`benches/replicas.sh`): `--clients` handshake-era
//! sessions (2025-11-25, Streamable HTTP), each making `--calls` calls of the `whoami` tool
//! one after another. Prints one JSON line: calls per second over all sessions, and how
//! many distinct replicas answered.

use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::{bail, Context as _};
use fastmcp::client::{Client, Mode};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::transport::http_client::StreamableHttp;
use serde_json::json;

fn args() -> anyhow::Result<(String, usize, usize)> {
    let (mut url, mut clients, mut calls) = (String::new(), 32, 200);
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().with_context(|| format!("{k} needs a value"))?;
        match k.as_str() {
            "--url" => url = v,
            "--clients" => clients = v.parse()?,
            "--calls" => calls = v.parse()?,
            _ => bail!("unknown argument {k}"),
        }
    }
    if url.is_empty() {
        bail!("usage: sessions-driver --url URL [--clients C] [--calls N]");
    }
    Ok((url, clients, calls))
}

async fn session(url: String, calls: usize) -> anyhow::Result<BTreeSet<String>> {
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(StreamableHttp::new(url))
        .await?;
    let mut who = BTreeSet::new();
    for _ in 0..calls {
        let r = c.call_tool("whoami", json!({})).await?;
        let v = serde_json::to_value(&r.content)?;
        who.insert(v[0]["text"].as_str().unwrap_or_default().to_owned());
    }
    Ok(who)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (url, clients, calls) = args()?;
    let start = Instant::now();
    let runs: Vec<_> = (0..clients)
        .map(|_| tokio::spawn(session(url.clone(), calls)))
        .collect();
    let mut replicas = BTreeSet::new();
    for r in runs {
        replicas.extend(r.await??);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({
            "calls_per_s": (clients * calls) as f64 / secs,
            "replicas": replicas.len(),
        })
    );
    Ok(())
}
