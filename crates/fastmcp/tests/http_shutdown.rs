//! Graceful shutdown of `Server::run_http` in a child process: a tool call running when
//! `SIGTERM` or `SIGINT` arrives is answered on its open SSE stream (our client and the official
//! Python SDK, mcp==2.3.0, as callers, in both protocol eras), and an idle server exits
//! at once.
//!
//! The server is this test binary again, running `child_server` with `CHILD_PORT` set.
//! The Python cases need `target/interop-venv` (`scripts/setup-interop.sh` makes it; set
//! `FASTMCP_SKIP_INTEROP=1` to skip them).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, FnTool};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::Server;

const CHILD_PORT: &str = "FASTMCP_SHUTDOWN_CHILD_PORT";
/// The child's shutdown grace, and its cancel grace, in milliseconds (default 10 s and 2 s).
const CHILD_GRACE_MS: &str = "FASTMCP_SHUTDOWN_CHILD_GRACE_MS";
/// How long the `slow` tool runs.
const SLOW: Duration = Duration::from_millis(1500);

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// The server of the tests below, in a child process; without `CHILD_PORT` it does
/// nothing. `slow` prints `STARTED`, and its answer comes after `SLOW`; a silent handler
/// gets an SSE stream after 200 ms, so the answer travels on an open stream.
#[test]
fn child_server() {
    let Ok(port) = std::env::var(CHILD_PORT) else {
        return;
    };
    let grace = std::env::var(CHILD_GRACE_MS)
        .ok()
        .and_then(|g| g.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_millis);
    let cancel_grace = if grace < Duration::from_secs(2) {
        grace
    } else {
        Duration::from_secs(2)
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let server = Server::new("shutdown", "0")
            .shutdown_grace(grace)
            .cancel_grace(cancel_grace)
            .tool(FnTool::typed("slow", "", |_: Context, _: Empty| async {
                println!("STARTED");
                tokio::time::sleep(SLOW).await;
                "slept"
            }));
        let opts = HttpOptions::default().keep_alive(Duration::from_millis(200));
        server
            .run_http_with(&format!("127.0.0.1:{port}"), opts)
            .await
            .unwrap();
    });
    println!("EXITED");
}

struct Child {
    proc: std::process::Child,
    lines: mpsc::Receiver<String>,
    url: String,
}

impl Child {
    fn start() -> Child {
        Child::start_with(&[])
    }

    fn start_with(env: &[(&str, &str)]) -> Child {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut proc = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "child_server", "--nocapture", "--test-threads=1"])
            .env(CHILD_PORT, port.to_string())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = proc.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for l in std::io::BufReader::new(out).lines() {
                let Ok(l) = l else { break };
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Child {
            proc,
            lines,
            url: format!("http://127.0.0.1:{port}/mcp"),
        }
    }

    /// Wait for a line of the server's output.
    fn wait_for(&self, line: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                // libtest may print `test child_server ... ` on the same line.
                Ok(l) if l.trim_end().ends_with(line) => return,
                Ok(_) => {}
                Err(e) => panic!("no {line} from the server: {e}"),
            }
        }
    }

    /// Send `SIGINT` or `SIGTERM` (`sig`: "INT" or "TERM"); when.
    fn signal(&self, sig: &str) -> Instant {
        let at = Instant::now();
        let ok = Command::new("kill")
            .args([&format!("-{sig}"), &self.proc.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{sig} failed");
        at
    }

    /// Wait for the child to exit; how long after `since`.
    fn exited(&mut self, since: Instant, within: Duration) -> Duration {
        loop {
            if let Some(status) = self.proc.try_wait().unwrap() {
                assert!(status.success(), "the server exited with {status}");
                return since.elapsed();
            }
            assert!(
                since.elapsed() < within,
                "the server still runs after {within:?}"
            );
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.proc.kill();
        let _ = self.proc.wait();
    }
}

async fn our_client_is_answered(mode: Mode, sig: &str) {
    let mut child = Child::start();
    let client = Client::builder()
        .mode(mode)
        .timeout(Duration::from_secs(20))
        .connect(StreamableHttp::new(&child.url))
        .await
        .unwrap();
    let call = tokio::spawn(async move {
        let r = client.call_tool("slow", serde_json::json!({})).await;
        (r, client)
    });
    tokio::task::block_in_place(|| child.wait_for("STARTED"));
    let at = child.signal(sig);
    // New connections are not accepted any more.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let addr = child
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/mcp");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "a connection was accepted during shutdown"
    );
    let (r, client) = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .expect("no answer")
        .unwrap();
    let answered = at.elapsed();
    let r = r.unwrap_or_else(|e| panic!("{mode:?}: the call failed at shutdown: {e}"));
    assert_eq!(r.content[0].as_text(), Some("slept"), "{mode:?}");
    let exit = tokio::task::block_in_place(|| child.exited(at, Duration::from_secs(8)));
    eprintln!("ours {mode:?}, SIG{sig}: answered {answered:?} after the signal, server exited after {exit:?}");
    drop(client);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_is_answered_when_stopped_mid_call() {
    for (mode, sig) in [
        (Mode::Handshake(ProtocolVersion::V2025_11_25), "INT"),
        (Mode::Stateless(ProtocolVersion::V2026_07_28), "TERM"),
    ] {
        our_client_is_answered(mode, sig).await;
    }
}

fn venv_python() -> Option<PathBuf> {
    if std::env::var_os("FASTMCP_SKIP_INTEROP").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/interop-venv/bin/python");
    if !python.exists() {
        let ok = Command::new("bash")
            .arg(root.join("scripts/setup-interop.sh"))
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "scripts/setup-interop.sh failed (FASTMCP_SKIP_INTEROP=1 skips this)"
        );
    }
    Some(python)
}

#[test]
fn the_python_sdk_is_answered_when_stopped_mid_call() {
    let Some(python) = venv_python() else {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping");
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/shutdown_client.py");
    for (mode, sig) in [("legacy", "TERM"), ("2026-07-28", "INT")] {
        let mut child = Child::start();
        let py = Command::new(&python)
            .arg(&script)
            .arg(&child.url)
            .arg(mode)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.wait_for("STARTED");
        let at = child.signal(sig);
        let out = py.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.lines().any(|l| l == "RESULT slept"),
            "{mode}: the Python client got no answer:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let answered = at.elapsed();
        let exit = child.exited(at, Duration::from_secs(8));
        eprintln!(
            "python {mode}, SIG{sig}: answered {answered:?} after the signal, server exited after {exit:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_server_exits_at_once() {
    for sig in ["TERM", "INT"] {
        let mut child = Child::start();
        // A client with its session and its GET stream open, idle.
        let client = Client::builder()
            .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
            .connect(StreamableHttp::new(&child.url))
            .await
            .unwrap();
        client.list_tools().await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        let at = child.signal(sig);
        let exit = tokio::task::spawn_blocking(move || child.exited(at, Duration::from_secs(5)))
            .await
            .unwrap();
        eprintln!("idle server, SIG{sig}: exited {exit:?} after the signal");
        assert!(exit < Duration::from_millis(500), "exited after {exit:?}");
        drop(client);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_past_the_grace_is_cut_when_it_ends() {
    let mut child = Child::start_with(&[(CHILD_GRACE_MS, "300")]);
    let client = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .timeout(Duration::from_secs(20))
        .connect(StreamableHttp::new(&child.url))
        .await
        .unwrap();
    let call = tokio::spawn(async move { client.call_tool("slow", serde_json::json!({})).await });
    tokio::task::block_in_place(|| child.wait_for("STARTED"));
    let at = child.signal("TERM");
    let exit = tokio::task::block_in_place(|| child.exited(at, Duration::from_secs(5)));
    eprintln!(
        "shutdown and cancel grace 300 ms each, the call needs {SLOW:?}: server exited {exit:?} after SIGTERM"
    );
    assert!(
        exit >= Duration::from_millis(300),
        "the grace was not given: {exit:?}"
    );
    // The shutdown grace, then the cancel grace of the cancelled call, then the exit.
    assert!(
        exit < Duration::from_millis(1200),
        "the grace was not kept: {exit:?}"
    );
    let r = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap()
        .unwrap();
    assert!(r.is_err(), "{r:?}");
}
