//! Starting the servers the tests run against (127.0.0.1 only), killed on drop.

#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/debug` of this test binary (it runs from `target/debug/deps`).
fn target_debug() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(|d| d.parent())
        .expect("target/debug")
        .to_path_buf()
}

/// The binary `bin` of package `package`, built with cargo when absent.
pub fn workspace_bin(package: &str, bin: &str) -> PathBuf {
    let debug = target_debug();
    let path = debug.join(bin);
    if !path.exists() {
        let target_dir = debug.parent().expect("target dir");
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", package, "--bin", bin])
            .env("CARGO_TARGET_DIR", target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build");
        assert!(status.success(), "building {bin} failed");
    }
    path
}

/// The `conformance-server` binary.
pub fn conformance_server() -> PathBuf {
    workspace_bin("conformance", "conformance-server")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_listening(port: u16) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// `conformance-server --port N` on a free port, once it accepts connections.
pub fn start_conformance_http() -> Server {
    let bin = conformance_server();
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(&bin)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start conformance-server");
        let server = Server {
            child,
            url: format!("http://127.0.0.1:{port}/mcp"),
        };
        if wait_listening(port) {
            return server;
        }
    }
    panic!("conformance-server did not start listening");
}

/// `broken-server --http`: its first stdout line names its URL.
pub fn start_broken_http() -> Server {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_broken-server"))
        .arg("--http")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start broken-server");
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    std::io::BufReader::new(stdout)
        .read_line(&mut line)
        .expect("read its address");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .expect("an address")
        .to_owned();
    Server { child, url }
}
