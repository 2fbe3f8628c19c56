//! Statistics and console (S16): `Server::stats` counts requests, failures and latencies
//! per method and per component (in memory and over Streamable HTTP in both eras), readable
//! from the handle and as Prometheus text at `/metrics`; hostile names are escaped and
//! capped. `run_stdio` prints its banner on stderr (stdout stays the protocol's), which
//! `FASTMCP_NO_BANNER` hides, and `FASTMCP_LOG` logs to stderr.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use fastmcp::core::Error;
use fastmcp::server::middleware::{ComponentKind, Logging, Stats, OTHER};
use fastmcp::server::HttpOptions;
use fastmcp::{resource, tool, Server};
use serde_json::{json, Value};
use support::{modes, Recorder};

/// Says hello.
#[tool]
async fn hello() -> String {
    "hello".into()
}

/// Always fails (a tool error: `isError: true`).
#[tool]
async fn broken() -> Result<String, Error> {
    Err(Error::tool("broken on purpose"))
}

/// A note.
#[resource(uri = "note://one")]
async fn note() -> String {
    "one".into()
}

fn server(stats: &Stats) -> Server {
    Server::new("stats", "0")
        .stats(stats.clone())
        .tool(hello)
        .tool(broken)
        .resource(note)
}

#[tokio::test]
async fn requests_are_counted_per_method_and_component_on_every_transport() {
    let stats = Stats::new();
    let s = server(&stats).start().await.unwrap();
    let clients = support::memory_and_http_clients(&s).await;
    let before = stats.snapshot();
    let calls_before = before.method("tools/call").map_or(0, |m| m.count);
    for (_, c) in &clients {
        c.call_tool("hello", json!({})).await.unwrap();
        c.call_tool("hello", json!({})).await.unwrap();
        let r = c.call_tool("broken", json!({})).await.unwrap();
        assert_eq!(r.is_error, Some(true));
        c.read_resource("note://one").await.unwrap();
        assert!(c.read_resource("note://missing").await.is_err());
    }
    let n = clients.len() as u64;
    let snap = s.stats().expect("installed").snapshot();
    let calls = snap.method("tools/call").unwrap();
    assert_eq!(calls.count - calls_before, 3 * n, "{snap:?}");
    assert_eq!(calls.errors, n, "the isError results: {snap:?}");
    let reads = snap.method("resources/read").unwrap();
    assert_eq!((reads.count, reads.errors), (2 * n, n));
    let ok = snap.component(ComponentKind::Tool, "hello").unwrap();
    assert_eq!((ok.count, ok.errors), (2 * n, 0));
    assert!(ok.p50 <= ok.p90 && ok.p90 <= ok.p99 && ok.p99 <= ok.max);
    let failing = snap.component(ComponentKind::Tool, "broken").unwrap();
    assert_eq!((failing.count, failing.errors), (n, n));
    let missing = snap
        .component(ComponentKind::Resource, "note://missing")
        .unwrap();
    assert_eq!(missing.errors, n);
    // The handshake of the handshake-era clients was counted too.
    assert!(snap.method("initialize").is_some_and(|m| m.count >= 2));
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn metrics_are_served_as_prometheus_text_with_hostile_names_escaped() {
    let stats = Stats::new();
    let s = server(&stats).start().await.unwrap();
    let addr = support::serve_http(&s, HttpOptions::default().metrics("/metrics")).await;
    let c = support::client(&s, modes()[0], Recorder::default()).await;
    c.call_tool("hello", json!({})).await.unwrap();
    let hostile = "evil\"} 1\nfastmcp_fake 9";
    assert!(c.call_tool(hostile, json!({})).await.is_err());

    let r = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("fastmcp_requests_total{method=\"tools/call\"} 2"),
        "{text}"
    );
    assert!(text.contains("fastmcp_request_errors_total{method=\"tools/call\"} 1"));
    assert!(text.contains("fastmcp_component_calls_total{kind=\"tool\",name=\"hello\"} 1"));
    assert!(text
        .contains("fastmcp_request_duration_seconds_bucket{method=\"tools/call\",le=\"+Inf\"} 2"));
    assert!(text.contains("# TYPE fastmcp_request_duration_seconds histogram"));
    // The hostile name stays inside its label: no line of its own.
    assert!(
        text.contains("name=\"evil\\\"} 1\\nfastmcp_fake 9\""),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("fastmcp_fake")),
        "{text}"
    );
    // Every sample line is `name{labels} value` with a number for value.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let value = line.rsplit(' ').next().unwrap();
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }

    // Without metrics in the options there is no route.
    let plain = support::serve_http(&s, HttpOptions::default()).await;
    let r = reqwest::get(format!("http://{plain}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_flood_of_distinct_names_is_capped() {
    let stats = Stats::new();
    let s = server(&stats).start().await.unwrap();
    let c = support::client(&s, modes()[0], Recorder::default()).await;
    for i in 0..1100 {
        let _ = c.read_resource(&format!("note://flood/{i}")).await;
    }
    let snap = stats.snapshot();
    assert!(snap.components.len() <= 1025, "{}", snap.components.len());
    let other = snap.component(ComponentKind::Resource, OTHER).unwrap();
    assert!(other.count >= 1100 - 1024, "{}", other.count);
    assert_eq!(snap.method("resources/read").unwrap().count, 1100);
    s.shutdown().await.unwrap();
}

/// The server of the console tests, run when `CONSOLE_CHILD` is set.
#[test]
fn child_stdio_server() {
    if std::env::var_os("CONSOLE_CHILD").is_none() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        Server::new("console-child", "7.0")
            .middleware(Logging::new())
            .tool(hello)
            .resource(note)
            .run_stdio()
            .await
            .unwrap()
    });
}

/// Run the child server with `env`, send it `initialize` and a tool call, close its stdin;
/// the first JSON line of stdout and everything on stderr.
fn run_child(env: &[(&str, &str)]) -> (Value, String) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(support::CHILD_ARGS)
        .env("CONSOLE_CHILD", "1")
        .env_remove("FASTMCP_NO_BANNER")
        .env_remove("FASTMCP_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    writeln!(stdin, "{init}").unwrap();
    writeln!(
        stdin,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .unwrap();
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {"name": "hello", "arguments": {}}});
    writeln!(stdin, "{call}").unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut answers = vec![];
    while answers.len() < 2 {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "stdout ended");
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            answers.push(v);
        } else {
            // Only the test harness's own lines may be there.
            assert!(
                line.trim().is_empty() || line.starts_with("running") || line.contains("test"),
                "a line that is not the protocol's on stdout: {line:?}"
            );
        }
    }
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success());
    (answers.swap_remove(0), stderr)
}

#[test]
fn the_banner_is_on_stderr_and_stdout_stays_the_protocols() {
    let (first, stderr) = run_child(&[]);
    assert_eq!(
        first["id"], 1,
        "the first JSON on stdout is the answer: {first}"
    );
    assert_eq!(first["result"]["serverInfo"]["name"], "console-child");
    assert!(stderr.contains("FastMCP for Rust"), "{stderr}");
    assert!(stderr.contains("server \"console-child\" 7.0"), "{stderr}");
    assert!(stderr.contains("transport  stdio"), "{stderr}");
    assert!(
        stderr.contains("1 tools · 1 resources · 0 templates · 0 prompts"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("fastmcp::request"),
        "no logs without FASTMCP_LOG"
    );
}

#[test]
fn fastmcp_no_banner_hides_it_and_fastmcp_log_logs_to_stderr() {
    let (first, stderr) = run_child(&[("FASTMCP_NO_BANNER", "1"), ("FASTMCP_LOG", "info")]);
    assert_eq!(first["id"], 1);
    assert!(!stderr.contains("FastMCP for Rust"), "{stderr}");
    let call = stderr
        .lines()
        .find(|l| l.contains("fastmcp::request") && l.contains("method=tools/call"))
        .unwrap_or_else(|| panic!("a log line of the call: {stderr}"));
    assert!(call.contains("name=hello"), "{call}");
    assert!(call.contains("INFO"), "{call}");
    // An invalid filter is reported, and the server still serves.
    let (first, stderr) = run_child(&[("FASTMCP_NO_BANNER", "0"), ("FASTMCP_LOG", "[=")]);
    assert_eq!(first["id"], 1);
    assert!(stderr.contains("not a valid filter"), "{stderr}");
    assert!(
        stderr.contains("FastMCP for Rust"),
        "0 does not hide: {stderr}"
    );
}
