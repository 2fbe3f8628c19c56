//! Load on 127.0.0.1, bounded in time: 1,000 concurrent Streamable HTTP sessions with 100
//! requests in flight each all complete, none lost; once the sessions end, the live heap
//! returns to its baseline.
//!
//! The live heap is counted by an instrumented global allocator (`stats_alloc`), which is
//! exact where RSS is not (the C allocator keeps freed pages).

use std::alloc::System;
use std::net::SocketAddr;
use std::time::Duration;

use fastmcp::core::{Context, FnTool};
use fastmcp::server::HttpOptions;
use fastmcp::Server;
use serde_json::{json, Value};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const SESSIONS: usize = 1_000;
const IN_FLIGHT: usize = 100;
const CONNECTIONS: usize = 8;

fn live_heap() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Work {
    n: u64,
}

async fn start() -> (SocketAddr, fastmcp::server::RunningServer) {
    let running = Server::new("load", "0")
        .tool(FnTool::typed(
            "work",
            "",
            |_: Context, w: Work| async move {
                tokio::time::sleep(Duration::from_millis(2)).await;
                w.n * 2
            },
        ))
        .start()
        .await
        .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let r = running.clone();
    tokio::spawn(async move {
        r.serve_http(l, HttpOptions::default().max_sessions(SESSIONS + 10))
            .await
    });
    (addr, running)
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .http2_prior_knowledge()
        .build()
        .unwrap()
}

async fn post(
    c: &reqwest::Client,
    addr: SocketAddr,
    sid: Option<&str>,
    body: Value,
) -> (Option<String>, Value) {
    let mut req = c
        .post(format!("http://{addr}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream");
    if let Some(s) = sid {
        req = req
            .header("mcp-session-id", s)
            .header("mcp-protocol-version", "2025-06-18");
    }
    let r = req
        .body(body.to_string())
        .send()
        .await
        .expect("request sent");
    let sid = r
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = r.text().await.unwrap();
    (
        sid,
        if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        },
    )
}

async fn session(c: reqwest::Client, addr: SocketAddr, index: usize) -> usize {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "load", "version": "0"}}});
    let (sid, _) = post(&c, addr, None, init).await;
    let sid = sid.expect("a session id");
    post(
        &c,
        addr,
        Some(&sid),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    )
    .await;
    let calls = (0..IN_FLIGHT).map(|i| {
        let (c, sid) = (c.clone(), sid.clone());
        let n = (index * IN_FLIGHT + i) as u64;
        async move {
            let body = json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call",
                "params": {"name": "work", "arguments": {"n": n}}});
            let (_, r) = post(&c, addr, Some(&sid), body).await;
            assert_eq!(r["id"], json!(i + 1), "{r}");
            assert_eq!(
                r["result"]["structuredContent"]["result"],
                json!(n * 2),
                "{r}"
            );
        }
    });
    futures::future::join_all(calls).await;
    let del = c
        .delete(format!("http://{addr}/mcp"))
        .header("mcp-session-id", &sid)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status().as_u16(), 200);
    IN_FLIGHT
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sessions_with_a_hundred_requests_in_flight_each() {
    let (addr, running) = start().await;
    let clients: Vec<_> = (0..CONNECTIONS).map(|_| client()).collect();
    // Warm up, so lazily built state is not counted as growth.
    session(clients[0].clone(), addr, 0).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let baseline = live_heap();

    let run = async {
        let tasks: Vec<_> = (0..SESSIONS)
            .map(|i| tokio::spawn(session(clients[i % CONNECTIONS].clone(), addr, i)))
            .collect();
        let mut done = 0;
        for t in tasks {
            done += t.await.expect("session task");
        }
        done
    };
    let done = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .expect("load finished in time");
    assert_eq!(done, SESSIONS * IN_FLIGHT, "every request answered");

    // The sessions are over and the clients close their connections (HTTP/2 buffers of a
    // live connection are not session state); give both sides a moment to drop them.
    drop(clients);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let after = live_heap();
    let growth = after - baseline;
    eprintln!("live heap: baseline {baseline} B, after {after} B, growth {growth} B");
    assert!(
        growth < 2 * 1024 * 1024,
        "live heap grew by {growth} bytes after the sessions ended"
    );
    running.shutdown().await.unwrap();
}
