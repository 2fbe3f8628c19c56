//! What the end-to-end tests of the `fastmcp` binary share: running it, the servers it is
//! pointed at (our examples, the conformance server, the Python SDK's and the TypeScript
//! reference servers), free ports and processes that end with the test.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The `fastmcp` binary under test.
pub fn fastmcp() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fastmcp"));
    c.env("FASTMCP_NO_BANNER", "1").stdin(Stdio::null());
    c
}

/// A binary of another package of the workspace, built by the workspace build that runs
/// these tests (`cargo test --workspace` builds every binary first).
pub fn workspace_bin(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_BIN_EXE_fastmcp")).parent().unwrap();
    let p = dir.join(name);
    assert!(
        p.is_file(),
        "{} is not built: run `cargo build --workspace --bins` first (cargo test --workspace does)",
        p.display()
    );
    p
}

/// What a run of `fastmcp` printed, and how it ended.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Debug for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl From<Output> for Ran {
    fn from(o: Output) -> Self {
        Ran {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Run `fastmcp args...` to the end (at most two minutes).
pub fn run(args: &[&str]) -> Ran {
    run_with(fastmcp().args(args))
}

/// Run a prepared command to the end (at most two minutes), killing it past that.
pub fn run_with(cmd: &mut Command) -> Ran {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let id = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.unwrap().into(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &id.to_string()]).status();
            panic!("fastmcp did not finish within two minutes: {cmd:?}");
        }
    }
}

/// A free port on the loopback (released for the server that will take it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process that is killed when the test ends, with its stderr lines.
pub struct Served {
    pub child: Child,
    pub stderr: mpsc::Receiver<String>,
    /// Lines read but not yet matched by [`Served::wait_for`].
    unmatched: std::cell::RefCell<Vec<String>>,
}

impl Served {
    /// Start `cmd` with stderr read line by line.
    pub fn start(cmd: &mut Command) -> Served {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = mpsc::channel();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Served {
            child,
            stderr: rx,
            unmatched: Default::default(),
        }
    }

    /// Wait for a stderr line containing `needle` (at most `secs` seconds); the line. A
    /// line is matched once: earlier lines that matched nothing are looked at first.
    pub fn wait_for(&self, needle: &str, secs: u64) -> String {
        let mut unmatched = self.unmatched.borrow_mut();
        if let Some(i) = unmatched.iter().position(|l| l.contains(needle)) {
            return unmatched.remove(i);
        }
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(l) if l.contains(needle) => return l,
                Ok(l) => unmatched.push(l),
                Err(_) => break,
            }
        }
        panic!(
            "no {needle:?} on stderr within {secs}s; saw:\n{}",
            unmatched.join("\n")
        );
    }

    /// The http://127.0.0.1:PORT of the banner `fastmcp run`/`dev` print.
    pub fn http_base(&self, secs: u64) -> String {
        let line = self.wait_for("http://127.0.0.1:", secs);
        let at = line.find("http://127.0.0.1:").unwrap();
        let rest = &line[at..];
        let end = rest[17..]
            .find(|c: char| !c.is_ascii_digit())
            .map(|i| i + 17)
            .unwrap_or(rest.len());
        rest[..end].to_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Wait until something accepts connections on the loopback port.
pub fn wait_port(port: u16) {
    for _ in 0..300 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listens on 127.0.0.1:{port} after 15 s");
}

/// Run a setup script of `scripts/` once per test binary; its stdout.
fn setup(script: &str, cell: &'static OnceLock<String>) -> &'static str {
    cell.get_or_init(|| {
        let out = Command::new(repo().join("scripts").join(script))
            .stderr(Stdio::inherit())
            .output()
            .unwrap();
        assert!(out.status.success(), "scripts/{script} failed");
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
}

/// The interop venv's python, with the official Python SDK (scripts/setup-interop.sh).
pub fn python() -> PathBuf {
    static CELL: OnceLock<String> = OnceLock::new();
    setup("setup-interop.sh", &CELL);
    repo().join("target/interop-venv/bin/python")
}

/// Node 22 of the node cache (scripts/setup-node.sh), with the reference servers.
pub fn node() -> PathBuf {
    static CELL: OnceLock<String> = OnceLock::new();
    let bin = setup("setup-node.sh", &CELL).lines().last().unwrap().trim();
    PathBuf::from(bin).join("node")
}

/// The Python SDK's fixture server of the interop tests.
pub fn py_server() -> PathBuf {
    repo().join("conformance/tests/peers/py_server.py")
}

/// `@modelcontextprotocol/server-everything`'s entry point in the node cache.
pub fn everything() -> PathBuf {
    node();
    let cache = std::env::var_os("NODE_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target/node-cache"));
    cache.join("node_modules/@modelcontextprotocol/server-everything/dist/index.js")
}

/// A preload that makes a Node server listen on 127.0.0.1 only (server-everything binds
/// every interface).
pub fn loopback_preload() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/loopback.cjs")
}
