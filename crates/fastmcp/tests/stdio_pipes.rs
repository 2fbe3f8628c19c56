//! On Linux a stdio server grows the pipes it was given (stdin and stdout) to 1 MiB, so that
//! a large message (a list of a thousand tools, a megabyte argument) crosses in one system
//! call instead of one per 64 KiB; large messages still cross whole, both ways. The server
//! is this test binary again, as a child process (`child_stdio_server`).
#![cfg(target_os = "linux")]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::os::fd::AsFd;
use std::process::{Command, Stdio};

use fastmcp::{tool, Server};
use nix::fcntl::{fcntl, FcntlArg};
use serde_json::{json, Value};

const CHILD: &str = "STDIO_PIPES_CHILD";

/// Returns `text`.
#[tool]
async fn echo(text: String) -> String {
    text
}

#[test]
fn child_stdio_server() {
    support::serve_stdio_when(CHILD, || Server::new("pipes", "1.0.0").tool(echo));
}

/// The size the server's pipes should reach: 1 MiB, unless the system allows less to a
/// user who is not root (then they stay as they were).
fn expected() -> Option<i32> {
    let max: i32 = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let root = std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    (root || max >= 1 << 20).then_some(1 << 20)
}

#[test]
fn the_pipes_of_a_stdio_server_hold_a_mebibyte_and_large_messages_cross_whole() {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(support::CHILD_ARGS)
        .env(CHILD, "1")
        .env("FASTMCP_NO_BANNER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let init = json!({"protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"}});
    let r = ask(&mut input, &mut output, 1, "initialize", init);
    assert_eq!(r["result"]["serverInfo"]["name"], "pipes");
    // Both ends of each pipe see its size; the server grew them when it started.
    let sizes = [
        fcntl(input.as_fd(), FcntlArg::F_GETPIPE_SZ).unwrap(),
        fcntl(output.get_ref().as_fd(), FcntlArg::F_GETPIPE_SZ).unwrap(),
    ];
    if let Some(want) = expected() {
        assert_eq!(sizes, [want, want]);
    }
    // Three quarters of a mebibyte each way, in one line each.
    let text = "x".repeat(3 << 18);
    let args = json!({"name": "echo", "arguments": {"text": text}});
    let r = ask(&mut input, &mut output, 2, "tools/call", args);
    assert_eq!(r["result"]["content"][0]["text"].as_str(), Some(&*text));
    drop(input);
    assert!(child.wait().unwrap().success());
}

/// Send request `id` and read its answer, one line each.
fn ask(
    input: &mut impl Write,
    output: &mut impl BufRead,
    id: u64,
    method: &str,
    params: Value,
) -> Value {
    let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
    writeln!(input, "{msg}").unwrap();
    // Lines before the answer are the test harness's own (`running 1 test`).
    loop {
        let mut line = String::new();
        assert!(output.read_line(&mut line).unwrap() > 0, "no answer {id}");
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["id"] == id {
                return v;
            }
        }
    }
}
