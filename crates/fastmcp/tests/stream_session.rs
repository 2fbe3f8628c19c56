//! A session over a byte stream (`RunningServer::serve_stream`, what `run_stdio` uses):
//! one task reads, runs and writes. What an inline request sends comes before its answer,
//! a request that waits does not hold up the others, and at the end of input the requests
//! still running are answered and flushed before `serve_stream` returns.

use std::time::Duration;

use fastmcp::core::{Context, FnTool};
use fastmcp::Server;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Ms {
    ms: u64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn server() -> Server {
    Server::new("stream", "0")
        .tool(FnTool::typed(
            "chatty",
            "",
            |ctx: Context, _: Empty| async move {
                for i in 0..3 {
                    ctx.info(format!("line {i}")).await?;
                }
                Ok::<_, fastmcp::Error>("done")
            },
        ))
        .tool(FnTool::typed("busy", "", |_: Context, a: Ms| async move {
            // Computes (here: blocks) before any await.
            std::thread::sleep(Duration::from_millis(a.ms));
            "busy"
        }))
        .tool(FnTool::typed("big", "", |_: Context, a: Ms| async move {
            // `ms` pieces that JSON escapes.
            "\"é\n".repeat(a.ms as usize)
        }))
        .tool(FnTool::typed("slow", "", |_: Context, a: Ms| async move {
            tokio::time::sleep(Duration::from_millis(a.ms)).await;
            "slept"
        }))
}

fn request(id: u64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string() + "\n"
}

fn call(id: u64, tool: &str, args: Value) -> String {
    request(id, "tools/call", json!({"name": tool, "arguments": args}))
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":100,"method":"logging/setLevel","params":{"level":"info"}}
"#;

/// Serve one stream session; returns the client's ends and the session's task.
async fn start() -> (
    tokio::io::WriteHalf<tokio::io::DuplexStream>,
    tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
    tokio::task::JoinHandle<()>,
) {
    let (client, server_side) = tokio::io::duplex(64 * 1024);
    let running = server().start().await.unwrap();
    let (r, w) = tokio::io::split(server_side);
    let session = tokio::spawn(async move { running.serve_stream(r, w, 1 << 20).await });
    let (cr, mut cw) = tokio::io::split(client);
    cw.write_all(INIT.as_bytes()).await.unwrap();
    let mut lines = BufReader::new(cr).lines();
    for id in [0, 100] {
        assert_eq!(next(&mut lines).await["id"], id);
    }
    (cw, lines, session)
}

async fn next(
    lines: &mut tokio::io::Lines<BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>>,
) -> Value {
    let line = tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("a line within 10 s")
        .unwrap()
        .expect("the session is still open");
    serde_json::from_str(&line).unwrap()
}

#[tokio::test]
async fn what_a_request_sends_comes_before_its_answer() {
    let (mut w, mut lines, _session) = start().await;
    w.write_all(call(1, "chatty", json!({})).as_bytes())
        .await
        .unwrap();
    for i in 0..3 {
        let m = next(&mut lines).await;
        assert_eq!(m["method"], "notifications/message", "{m}");
        assert_eq!(m["params"]["data"], format!("line {i}"));
    }
    let r = next(&mut lines).await;
    assert_eq!(r["id"], 1);
    assert_eq!(r["result"]["content"][0]["text"], "done");
}

#[tokio::test]
async fn a_request_that_waits_does_not_hold_up_the_next() {
    let (mut w, mut lines, _session) = start().await;
    let both = call(1, "slow", json!({"ms": 3_000})) + &call(2, "chatty", json!({}));
    w.write_all(both.as_bytes()).await.unwrap();
    let mut seen = vec![];
    while seen.last() != Some(&json!(2)) {
        let m = next(&mut lines).await;
        seen.push(m["id"].clone());
    }
    assert!(!seen.contains(&json!(1)), "the slow call is still running");
}

#[tokio::test]
async fn buffered_lines_mixing_waiting_and_in_place_requests_are_all_answered() {
    // One write: the loop finds the lines already buffered and answers them one after the
    // other; the waiting ones take their box into a task, the next in-place one gets a
    // new box, and after it finishes its box serves the one after.
    let (mut w, mut lines, _session) = start().await;
    let mut all = String::new();
    for id in 1..=30u64 {
        all += &match id % 3 {
            0 => call(id, "slow", json!({"ms": 20})),
            1 => call(id, "chatty", json!({})),
            _ => request(id, "ping", json!({})),
        };
    }
    w.write_all(all.as_bytes()).await.unwrap();
    let mut answered = std::collections::BTreeMap::new();
    let mut logged = std::collections::HashSet::new();
    while answered.len() < 30 {
        let m = next(&mut lines).await;
        if m["method"] == "notifications/message" {
            logged.insert(m["params"]["data"].as_str().unwrap().to_owned());
            continue;
        }
        let id = m["id"].as_u64().unwrap();
        assert!(
            answered.insert(id, m.clone()).is_none(),
            "answered twice: {m}"
        );
    }
    assert_eq!(logged.len(), 3);
    for (id, m) in answered {
        match id % 3 {
            0 => assert_eq!(m["result"]["content"][0]["text"], "slept", "{m}"),
            1 => assert_eq!(m["result"]["content"][0]["text"], "done", "{m}"),
            _ => assert_eq!(m["result"], json!({}), "{m}"),
        }
    }
}

#[tokio::test]
async fn large_and_small_results_are_whole_lines_in_order() {
    // A result past 16 KiB is written from where it is, between its envelope's ends.
    let (mut w, mut lines, _session) = start().await;
    let sizes = [100_000u64, 1, 20_000, 0, 300_000];
    let mut all = String::new();
    for (i, n) in sizes.iter().enumerate() {
        all += &call(i as u64 + 1, "big", json!({ "ms": n }));
    }
    w.write_all(all.as_bytes()).await.unwrap();
    for (i, n) in sizes.iter().enumerate() {
        let r = next(&mut lines).await;
        assert_eq!(r["jsonrpc"], "2.0");
        assert_eq!(r["id"], i as u64 + 1);
        let text = r["result"]["content"][0]["text"].as_str().unwrap();
        assert_eq!(text, "\"é\n".repeat(*n as usize));
    }
}

#[tokio::test]
async fn requests_running_at_end_of_input_are_answered_and_flushed() {
    let (mut w, mut lines, session) = start().await;
    w.write_all(call(7, "slow", json!({"ms": 200})).as_bytes())
        .await
        .unwrap();
    w.shutdown().await.unwrap();
    let r = next(&mut lines).await;
    assert_eq!(r["id"], 7);
    assert_eq!(r["result"]["content"][0]["text"], "slept");
    tokio::time::timeout(Duration::from_secs(10), session)
        .await
        .expect("serve_stream returns after its input ended")
        .unwrap();
    assert!(lines.next_line().await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_handler_computes_long_requests_are_spawned() {
    let (mut w, mut lines, _session) = start().await;
    // Run in place (nothing tells the loop it will compute): answered, and from now on the
    // connection spawns its requests.
    w.write_all(call(1, "busy", json!({"ms": 50})).as_bytes())
        .await
        .unwrap();
    assert_eq!(next(&mut lines).await["id"], 1);
    // A second computing call no longer holds up the fast one behind it.
    let both = call(2, "busy", json!({"ms": 1_000})) + &call(3, "chatty", json!({}));
    w.write_all(both.as_bytes()).await.unwrap();
    let mut seen = vec![];
    while !seen.contains(&json!(2)) {
        seen.push(next(&mut lines).await["id"].clone());
    }
    let fast = seen.iter().position(|id| *id == json!(3));
    assert!(
        fast.is_some_and(|i| i < seen.len() - 1),
        "the fast call is answered before the busy one: {seen:?}"
    );
}

#[tokio::test]
async fn a_duplicate_of_a_running_request_is_not_answered() {
    let (mut w, mut lines, _session) = start().await;
    // The same id twice while the first runs: one answer, the real one.
    let twice = call(9, "slow", json!({"ms": 150})).repeat(2);
    w.write_all(twice.as_bytes()).await.unwrap();
    w.write_all(request(10, "ping", json!({})).as_bytes())
        .await
        .unwrap();
    let mut answers = vec![];
    while answers.last().map(|m: &Value| m["id"].clone()) != Some(json!(9)) {
        answers.push(next(&mut lines).await);
    }
    let nines: Vec<&Value> = answers.iter().filter(|m| m["id"] == 9).collect();
    assert_eq!(nines.len(), 1, "{answers:?}");
    assert_eq!(nines[0]["result"]["content"][0]["text"], "slept");
    // Once it has finished, the id may be used again (it is a new request).
    w.write_all(call(9, "slow", json!({"ms": 1})).as_bytes())
        .await
        .unwrap();
    assert_eq!(
        next(&mut lines).await["result"]["content"][0]["text"],
        "slept"
    );
}
