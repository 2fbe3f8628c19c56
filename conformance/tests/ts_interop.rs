//! Interoperability with the official MCP TypeScript SDK (`@modelcontextprotocol/sdk`): its
//! `Client` drives `conformance-server --port N` over HTTP (`conformance/tests/ts/interop.cjs`)
//! with `StreamableHTTPClientTransport` (`/mcp`) and with the legacy `SSEClientTransport`
//! (`/sse`, HTTP+SSE of 2024-11-05): tools (arguments, structured output, errors, progress,
//! logging, sampling, elicitation), resources, prompts and completion.
//!
//! `scripts/setup-node.sh` installs Node 22 and the SDK into `target/node-cache` on first
//! use; that needs `npm` and access to the npm registry. Set `FASTMCP_SKIP_INTEROP=1` to
//! skip this test.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What every run of the script must print, in order (the first word after "OK").
mod interop;
use interop::{repo_root, run_with_timeout, skipped};

const CHECKS: &[&str] = &[
    "connect",
    "list_tools",
    "call_tool_with_arguments",
    "call_structured_output",
    "call_tool_error",
    "progress",
    "logging",
    "sampling",
    "elicitation",
    "read_resource",
    "read_resource_template",
    "get_prompt",
    "complete",
    "close",
];

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Run scripts/setup-node.sh; the bin directory it prints (node 22 is in it).
fn node_bin() -> PathBuf {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/setup-node.sh"))
        .stdin(Stdio::null())
        .output()
        .expect("run scripts/setup-node.sh");
    assert!(
        out.status.success(),
        "scripts/setup-node.sh failed ({}):\n{}{}\n(set FASTMCP_SKIP_INTEROP=1 to skip the interop tests)",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let dir = stdout.lines().last().unwrap_or_default().trim();
    PathBuf::from(dir)
}

/// `conformance-server --port N` on a free port, killed on drop.
struct HttpServer {
    child: Child,
    port: u16,
}

impl HttpServer {
    fn start() -> HttpServer {
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .expect("find a free port")
                .port();
            let mut child = Command::new(env!("CARGO_BIN_EXE_conformance-server"))
                .args(["--port", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn conformance-server");
            let addr = SocketAddr::from(([127, 0, 0, 1], port));
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    break; // exited: the port was taken meanwhile; try another
                }
                if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                    return HttpServer { child, port };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            child.kill().ok();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                e.read_to_string(&mut err).ok();
            }
            child.wait().ok();
            eprintln!("conformance-server did not come up on port {port}: {err}");
        }
        panic!("conformance-server --port never came up");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn interop(transport: &str, path: &str) {
    if skipped() {
        eprintln!(
            "FASTMCP_SKIP_INTEROP is set: skipping the TypeScript interop test ({transport})"
        );
        return;
    }
    let bin = node_bin();
    let cache = bin
        .parent()
        .and_then(Path::parent)
        .expect("the bin dir is <cache>/node_modules/.bin")
        .to_path_buf();
    let server = HttpServer::start();
    let script = repo_root().join("conformance/tests/ts/interop.cjs");
    let out = run_with_timeout(
        Command::new(bin.join("node"))
            .arg(&script)
            .args(["--url", &server.url(path), "--transport", transport])
            .env("NODE_CACHE", &cache),
        SCRIPT_TIMEOUT,
    );
    drop(server);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("OK "))
        .map(|l| l.split_whitespace().next().unwrap_or_default())
        .collect();
    let missing: Vec<&&str> = CHECKS.iter().filter(|c| !seen.contains(c)).collect();
    assert!(
        out.status.success() && missing.is_empty(),
        "TypeScript client ({transport}) failed: {}\nmissing checks: {missing:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    assert_eq!(seen, CHECKS, "checks out of order ({transport})");
}

#[test]
fn typescript_sdk_over_streamable_http() {
    interop("streamable", "/mcp");
}

#[test]
fn typescript_sdk_over_legacy_sse() {
    interop("sse", "/sse");
}
