//! Interoperability with the official MCP Python SDK (mcp==2.3.0): its stdio client drives
//! `conformance-server --stdio` in the handshake era ("legacy"), in the stateless era
//! ("2026-07-28", pinned) and with version discovery ("auto", which picks 2026-07-28).
//!
//! `scripts/setup-interop.sh` makes the virtual environment (`target/interop-venv`) on
//! first use; that needs `python3` and access to PyPI. Set `FASTMCP_SKIP_INTEROP=1` to
//! skip these tests.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// What every run of the script must print, in order.
mod interop;
use interop::{repo_root, run_with_timeout, skipped};

const CHECKS: &[&str] = &[
    "connect",
    "list_tools",
    "call_simple_text",
    "call_typed_arguments",
    "call_structured_output",
    "call_error_handling",
    "read_static_resource",
    "read_template_resource",
    "get_prompt_with_arguments",
    "progress_notifications",
    "log_notifications",
    "complete_prompt_argument",
    "elicitation",
];

const SCRIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// Run the setup script once per test process; the venv's python.
fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let r = PYTHON.get_or_init(|| {
        let root = repo_root();
        let out = Command::new("bash")
            .arg(root.join("scripts/setup-interop.sh"))
            .output()
            .map_err(|e| format!("cannot run scripts/setup-interop.sh: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "scripts/setup-interop.sh failed ({}):\n{}{}",
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(root.join("target/interop-venv/bin/python"))
    });
    match r {
        Ok(p) => p,
        Err(e) => panic!("{e}\n(set FASTMCP_SKIP_INTEROP=1 to skip the interop tests)"),
    }
}

fn interop(mode: &str) {
    interop_with(env!("CARGO_BIN_EXE_conformance-server"), mode);
}

/// `target` is the server binary (stdio) or a Streamable HTTP URL.
fn interop_with(target: &str, mode: &str) {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the Python interop test ({mode})");
        return;
    }
    let python = venv_python();
    let script = repo_root().join("conformance/tests/python/stdio_client.py");
    let out = run_with_timeout(
        Command::new(python).arg(&script).arg(target).arg(mode),
        SCRIPT_TIMEOUT,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("OK "))
        .collect();
    let missing: Vec<&&str> = CHECKS.iter().filter(|c| !seen.contains(c)).collect();
    assert!(
        out.status.success() && missing.is_empty(),
        "python client ({mode}) failed: {}\nmissing checks: {missing:?}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}",
        out.status
    );
    assert_eq!(seen, CHECKS, "checks out of order ({mode})");
}

// The Python SDK's client through our proxy (`conformance-proxy --stdio`, in front of
// `conformance-server --stdio`): every check passes through, in each era.

#[test]
fn python_sdk_through_the_proxy_legacy() {
    interop_with(env!("CARGO_BIN_EXE_conformance-proxy"), "legacy");
}

#[test]
fn python_sdk_through_the_proxy_2026_07_28() {
    interop_with(env!("CARGO_BIN_EXE_conformance-proxy"), "2026-07-28");
}

/// The Python SDK's client through our proxy (`conformance-proxy --stdio -- PEER`) in front
/// of another SDK's server (`peers/py_server.py`, `peers/ts_server.cjs`): calls, progress,
/// logs, elicitation, sampling, resources and prompts all pass through.
fn through_the_proxy(mode: &str, peer: &[std::ffi::OsString]) {
    let python = venv_python();
    let script = repo_root().join("conformance/tests/python/proxy_client.py");
    let out = run_with_timeout(
        Command::new(python)
            .arg(&script)
            .arg(mode)
            .arg(env!("CARGO_BIN_EXE_conformance-proxy"))
            .args(["--stdio", "--"])
            .args(peer)
            .env("NODE_CACHE", repo_root().join("target/node-cache")),
        SCRIPT_TIMEOUT,
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seen: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("OK "))
        .collect();
    let expected = [
        "connect",
        "list_tools",
        "call",
        "progress",
        "logs",
        "elicitation",
        "sampling",
        "resources",
        "prompts",
    ];
    assert!(
        out.status.success() && seen == expected,
        "python client through the proxy ({mode}) failed: {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn python_peer() -> Vec<std::ffi::OsString> {
    let peer = repo_root().join("conformance/tests/peers/py_server.py");
    vec![venv_python().into(), peer.into()]
}

/// Node 22 and the TypeScript SDK (scripts/setup-node.sh), running `peers/ts_server.cjs`.
fn typescript_peer() -> Vec<std::ffi::OsString> {
    let out = Command::new("bash")
        .arg(repo_root().join("scripts/setup-node.sh"))
        .output()
        .expect("run scripts/setup-node.sh");
    assert!(
        out.status.success(),
        "setup-node.sh: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bin = String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let peer = repo_root().join("conformance/tests/peers/ts_server.cjs");
    vec![PathBuf::from(bin).join("node").into(), peer.into()]
}

#[test]
fn python_sdk_through_the_proxy_to_the_python_server_legacy() {
    if !skipped() {
        through_the_proxy("legacy", &python_peer());
    }
}

#[test]
fn python_sdk_through_the_proxy_to_the_python_server_2026_07_28() {
    if !skipped() {
        through_the_proxy("2026-07-28", &python_peer());
    }
}

/// The TypeScript SDK serves only the handshake era: a 2026-07-28 client reaches it
/// through the proxy all the same.
#[test]
fn python_sdk_through_the_proxy_to_the_typescript_server() {
    if !skipped() {
        through_the_proxy("legacy", &typescript_peer());
        through_the_proxy("2026-07-28", &typescript_peer());
    }
}

#[test]
fn python_sdk_over_stdio_legacy() {
    interop("legacy");
}

#[test]
fn python_sdk_over_stdio_2026_07_28() {
    interop("2026-07-28");
}

#[test]
fn python_sdk_over_stdio_auto() {
    interop("auto");
}

/// `conformance-server --port N` on a free port, killed on drop.
struct HttpServer {
    child: std::process::Child,
    url: String,
}

impl HttpServer {
    fn start() -> HttpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_conformance-server"))
            .args(["--port", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start conformance-server --port");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        HttpServer {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn python_sdk_over_streamable_http_legacy() {
    let s = HttpServer::start();
    interop_with(&s.url, "legacy");
}

#[test]
fn python_sdk_over_streamable_http_2026_07_28() {
    let s = HttpServer::start();
    interop_with(&s.url, "2026-07-28");
}
