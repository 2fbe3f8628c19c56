//! The child-process transport stops its server and leaves neither zombie nor orphan.
//! Linux only: it reads process states from /proc and relies on SIGTERM, `sh` and `cat`.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use fastmcp_transport::{ChildTransport, StderrMode};

/// The state letter of a process from /proc (`None` once it is gone).
fn state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim().chars().next()
}

async fn gone(pid: u32) -> bool {
    for _ in 0..200 {
        if state(pid).is_none() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn a_server_that_exits_on_eof_stops_when_stdin_closes() {
    let (ch, child) = ChildTransport::new("cat").spawn().unwrap();
    let pid = child.id().unwrap();
    drop(ch);
    let status = child.shutdown().await.unwrap();
    assert!(status.success());
    assert!(gone(pid).await, "reaped: no zombie left");
}

#[tokio::test]
async fn a_server_ignoring_sigterm_is_killed_after_the_grace_period() {
    let t = ChildTransport::new("sh")
        .args(["-c", "trap '' TERM; while true; do sleep 0.05; done"])
        .grace(Duration::from_millis(200))
        .stderr(StderrMode::Null);
    let (ch, child) = t.spawn().unwrap();
    let pid = child.id().unwrap();
    drop(ch);
    let start = Instant::now();
    let status = child.shutdown().await.unwrap();
    let took = start.elapsed();
    assert!(!status.success(), "killed, not exited: {status:?}");
    assert!(
        took >= Duration::from_millis(400),
        "stdin grace then SIGTERM grace: {took:?}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert!(gone(pid).await, "reaped: no zombie left");
}

#[tokio::test]
async fn dropping_the_process_kills_and_reaps_it() {
    let (ch, child) = ChildTransport::new("sleep").arg("60").spawn().unwrap();
    let pid = child.id().unwrap();
    drop(ch);
    drop(child);
    assert!(gone(pid).await, "killed and reaped after drop");
}

#[tokio::test]
async fn stderr_is_captured_without_blocking_the_child() {
    // 200 KiB on stderr would fill a pipe nobody reads; the child must still finish.
    let t = ChildTransport::new("sh").args(["-c", "i=0; while [ $i -lt 4000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx >&2; i=$((i+1)); done; echo done >&2"]);
    let (ch, child) = t.spawn().unwrap();
    drop(ch);
    let status = child_wait(child).await;
    assert!(status.0.success());
    assert_eq!(status.1.last().map(String::as_str), Some("done"));
    assert!(status.1.len() <= 1000, "only the last lines are kept");
}

async fn child_wait(
    child: fastmcp_transport::ChildProcess,
) -> (std::process::ExitStatus, Vec<String>) {
    // Let the stderr reader catch up before reading the lines.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines = child.stderr_lines();
    (child.shutdown().await.unwrap(), lines)
}

#[tokio::test]
async fn env_and_cwd_reach_the_child() {
    let dir = std::env::temp_dir();
    let t = ChildTransport::new("sh")
        .args([
            "-c",
            "echo \"{\\\"cwd\\\":\\\"$(pwd)\\\",\\\"v\\\":\\\"$FASTMCP_TEST_VAR\\\"}\"",
        ])
        .env("FASTMCP_TEST_VAR", "hello")
        .current_dir(&dir);
    let (mut ch, child) = t.spawn().unwrap();
    let line = ch.inbound.recv().await.unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(v["v"], "hello");
    assert_eq!(
        std::path::Path::new(v["cwd"].as_str().unwrap()),
        dir.canonicalize().unwrap()
    );
    drop(ch);
    child.shutdown().await.unwrap();
}
