//! A stdio server keeps stdout for the protocol: text a handler prints with `println!` or
//! `print!` goes to the process's stderr, never among the JSON-RPC frames, and stdout is
//! the real one again once the server has stopped. `Server::stdout_guard(false)` turns
//! that off: the text then reaches the stream. Every server here is this test binary
//! again, as a child process (`child_stdio_server`).
#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fastmcp::client::Client;
use fastmcp::{tool, Server};
use serde_json::{json, Value};

const CHILD: &str = "STDOUT_GUARD_CHILD";
/// Set in a child's environment: its server runs with `stdout_guard(false)`.
const OFF: &str = "STDOUT_GUARD_OFF";
/// Set in a child's environment: it serves through `stdio::channel_with_writer` instead of
/// `run_stdio`.
const CHANNEL: &str = "STDOUT_GUARD_CHANNEL";
/// What the child prints on stdout after its server has returned.
const AFTER: &str = "printed after the server stopped";

/// Prints `text` on stdout (followed by a newline when `newline`) and returns it.
#[tool]
async fn say(text: String, newline: bool) -> String {
    if newline {
        println!("{text}");
    } else {
        print!("{text}");
    }
    text
}

fn server() -> Server {
    Server::new("printer", "1.0.0")
        .tool(say)
        .stdout_guard(std::env::var_os(OFF).is_none())
}

/// The server of the tests below, run when `STDOUT_GUARD_CHILD` is set; prints [`AFTER`]
/// once the server has returned.
#[test]
fn child_stdio_server() {
    if std::env::var_os(CHANNEL).is_some() {
        serve_stdio_channel();
    } else {
        support::serve_stdio_when(CHILD, server);
    }
    if std::env::var_os(CHILD).is_some() {
        println!("{AFTER}");
    }
}

/// Serves one session over `stdio::channel_with_writer` until stdin ends, then waits for
/// its writer (which holds the stdout guard) to finish.
fn serve_stdio_channel() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let running = server().start().await.unwrap();
        let (channel, writer) = fastmcp::transport::stdio::channel_with_writer(Default::default());
        running.spawn(channel).await.unwrap();
        writer.await.unwrap();
        running.shutdown().await.unwrap();
    });
}

async fn say_on(c: &Client, text: &str, newline: bool) {
    let r = c
        .call_tool("say", json!({"text": text, "newline": newline}))
        .await
        .unwrap_or_else(|e| panic!("say {text:?}: {e}"));
    assert_eq!(json!(r.content)[0]["text"], text);
}

#[tokio::test]
async fn printed_text_goes_to_stderr_and_a_real_client_keeps_working() {
    let (channel, child) = support::child_server(CHILD)
        .env("FASTMCP_NO_BANNER", "1")
        .spawn()
        .unwrap();
    let c = Client::connect(channel).await.unwrap();
    for i in 0..5 {
        say_on(&c, &format!("line {i}"), true).await;
    }
    // `print!` without a newline: kept in std's buffer until the newline, which then
    // sends the three pieces to stderr together.
    say_on(&c, "bare-a", false).await;
    say_on(&c, "bare-b", false).await;
    say_on(&c, "-end", true).await;
    say_on(&c, "still speaking", true).await;
    let want: Vec<String> = (0..5)
        .map(|i| format!("line {i}"))
        .chain(["bare-abare-b-end".into(), "still speaking".into()])
        .collect();
    let started = Instant::now();
    while !want.iter().all(|w| child.stderr_lines().contains(w)) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "printed text not on stderr: {:?}",
            child.stderr_lines()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    c.close().await.unwrap();
    child.shutdown().await.unwrap();
}

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn call(id: u64, text: &str) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "say", "arguments": {"text": text, "newline": true}}})
    .to_string()
}

/// What a child server wrote, once it has exited: its stdout and stderr, line by line.
struct Output {
    stdout: Vec<String>,
    stderr: Vec<String>,
}

/// Runs the child server (with `env` set besides `STDOUT_GUARD_CHILD`) over raw pipes: the
/// handshake, then `say` for each of `texts` (request ids from 2), each answer awaited
/// and checked; then closes its stdin and collects what it wrote.
fn run_raw(env: &[&str], texts: &[&str]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(support::CHILD_ARGS)
        .env(CHILD, "1")
        .env("FASTMCP_NO_BANNER", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for k in env {
        cmd.env(k, "1");
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut err = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let mut stdout = Vec::new();
    let mut answer = |id: u64| -> Value {
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|_| panic!("no answer {id} within 30 s; stdout: {stdout:?}"));
            stdout.push(line.clone());
            if let Ok(v) = serde_json::from_str::<Value>(&line) {
                if v["id"] == id {
                    return v;
                }
            }
        }
    };
    writeln!(input, "{INIT}").unwrap();
    assert_eq!(answer(1)["result"]["serverInfo"]["name"], "printer");
    writeln!(input, "{INITIALIZED}").unwrap();
    for (i, text) in texts.iter().enumerate() {
        let id = 2 + i as u64;
        writeln!(input, "{}", call(id, text)).unwrap();
        let r = answer(id);
        assert_eq!(r["result"]["content"][0]["text"], *text, "{r}");
    }
    drop(input);
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            panic!("the server did not exit at the end of its input");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}");
    reader.join().unwrap();
    stdout.extend(rx.try_iter());
    let stderr = err_reader.join().unwrap();
    Output {
        stdout,
        stderr: stderr.lines().map(str::to_owned).collect(),
    }
}

#[test]
fn the_protocol_stream_carries_no_printed_text_and_stdout_is_restored_at_exit() {
    clean_stream_then_restored(&[]);
}

/// The same through `stdio::channel_with_writer`: its writer holds the guard.
#[test]
fn a_stdio_channel_keeps_stdout_for_the_protocol_until_its_writer_ends() {
    clean_stream_then_restored(&[CHANNEL]);
}

fn clean_stream_then_restored(env: &[&str]) {
    let o = run_raw(env, &["first print", "second print"]);
    for text in ["first print", "second print"] {
        assert!(
            !o.stdout
                .iter()
                .any(|l| l.contains(text) && !l.starts_with('{')),
            "{text:?} reached stdout: {:?}",
            o.stdout
        );
        assert!(
            o.stderr.iter().any(|l| l == text),
            "{text:?} not on stderr: {:?}",
            o.stderr
        );
    }
    assert!(
        o.stdout.iter().any(|l| l == AFTER),
        "stdout is the real one again after the server: {:?}",
        o.stdout
    );
    assert!(!o.stderr.iter().any(|l| l == AFTER), "{:?}", o.stderr);
}

#[test]
fn with_the_guard_off_printed_text_lands_among_the_frames() {
    let o = run_raw(&[OFF], &["first print", "second print"]);
    for text in ["first print", "second print"] {
        assert!(
            o.stdout.iter().any(|l| l == text),
            "{text:?} is a line of the protocol stream: {:?}",
            o.stdout
        );
        assert!(!o.stderr.iter().any(|l| l == text), "{:?}", o.stderr);
    }
}

/// Stdout a regular file (written through a blocking writer, not the reactor): the file
/// gets the frames and nothing printed, stderr gets the printed text.
#[test]
fn a_regular_file_as_stdout_gets_only_frames() {
    let dir = std::env::temp_dir().join(format!("fastmcp-stdout-guard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (input, output) = (dir.join("in.jsonl"), dir.join("out.jsonl"));
    let requests = format!("{INIT}\n{INITIALIZED}\n{}\n", call(2, "into a file"));
    std::fs::write(&input, requests).unwrap();
    let done = Command::new(std::env::current_exe().unwrap())
        .args(support::CHILD_ARGS)
        .env(CHILD, "1")
        .env("FASTMCP_NO_BANNER", "1")
        .stdin(std::fs::File::open(&input).unwrap())
        .stdout(std::fs::File::create(&output).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", done.status);
    let written = std::fs::read_to_string(&output).unwrap();
    let frames: Vec<Value> = written
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let answer = frames.iter().find(|v| v["id"] == 2).expect("answer 2");
    assert_eq!(answer["result"]["content"][0]["text"], "into a file");
    assert!(
        !written.lines().any(|l| l == "into a file"),
        "printed text in the file: {written}"
    );
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(stderr.lines().any(|l| l == "into a file"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
