//! One replica of a server meant to run several times behind a load balancer, without
//! session affinity: handshake-era sessions, resumable streams and tasks live in Redis, so
//! any replica serves any request. The stateless era (2026-07-28) needs none of it.
//!
//! ```text
//! redis-server --port 6379 &
//! export REDIS_URL=redis://127.0.0.1:6379 STATE_KEY="$(openssl rand -hex 32)"
//! cargo run -p examples --bin replicas -- 127.0.0.1:8001 &
//! cargo run -p examples --bin replicas -- 127.0.0.1:8002 &
//! ```
//!
//! Then a load balancer in front (README: "Running several replicas"). Environment:
//! `REDIS_URL` (without it: sessions in the process's memory, enough for one replica, or
//! for several that serve only the stateless era), `STATE_KEY` (the secret that seals the stateless era's
//! `requestState`: the same on every replica, 32 bytes or more), `PREFIX` (of every key,
//! default `replicas:`), `REPLICA` (a name that the `whoami` tool answers, default the
//! address).

use std::sync::Arc;
use std::time::Duration;

use fastmcp::prelude::*;
use fastmcp::server::{HttpOptions, RedisEventStore, RedisSessionStore, RedisTaskStore};

/// The replica that answered.
struct Name(String);

/// Which replica answered this call.
#[tool]
async fn whoami(name: State<Name>) -> String {
    name.0.clone()
}

/// Count to `n`, one progress notification per step (`ms` apart).
#[tool]
async fn count(ctx: &Context, n: u64, ms: u64) -> Result<String, Error> {
    for i in 1..=n {
        ctx.sleep(Duration::from_millis(ms)).await?;
        ctx.report_progress(i as f64, Some(n as f64), None).await?;
    }
    Ok(format!("counted to {n}"))
}

/// Ask the user's name, then greet them.
#[tool]
async fn greet(ctx: &Context) -> Result<String, Error> {
    let form = serde_json::json!({
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "required": ["name"],
    });
    let answer = ctx.keyed("who").elicit_raw("Your name?", form).await?;
    let name = answer
        .content
        .as_ref()
        .and_then(|c| c.get("name"))
        .and_then(|v| v.as_str())
        .unwrap_or("stranger")
        .to_owned();
    Ok(format!("Hello, {name}!"))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8000".into());
    let name = std::env::var("REPLICA").unwrap_or_else(|_| addr.clone());
    let mut server = Server::new("replicas", "1.0.0")
        .state(Name(name))
        .tool(whoami)
        .tool(count)
        .tool(greet);
    // A round of input (elicitation) in the stateless era is sealed by one replica and
    // opened by another: they share the key. It is all the stateless era needs.
    let key = std::env::var("STATE_KEY").ok();
    if let Some(key) = &key {
        server = server.request_state_key(key.clone().into_bytes());
    }
    // Without Redis: sessions in this process's memory (one replica, or several serving
    // the stateless era only).
    let Ok(url) = std::env::var("REDIS_URL") else {
        return server.run_http(&addr).await;
    };
    if key.is_none() {
        return Err(Error::invalid_params(
            "set STATE_KEY, the replicas' shared secret",
        ));
    }
    let prefix = std::env::var("PREFIX").unwrap_or_else(|_| "replicas:".into());
    let events = RedisEventStore::new(&url)?.prefix(&format!("{prefix}events:"));
    let opts = HttpOptions::default()
        .session_store(RedisSessionStore::new(&url)?.prefix(&format!("{prefix}sessions:")))
        .event_store(Some(Arc::new(events)));
    server
        .task_store(RedisTaskStore::new(&url)?.prefix(&format!("{prefix}tasks:")))
        .run_http_with(&addr, opts)
        .await
}
