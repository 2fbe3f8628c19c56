//! What a stdio server does with the kinds of stdin and stdout it may be given: pipes and
//! sockets are served through the reactor (their shared file descriptions are switched to
//! non-blocking while it runs) and are put back in blocking mode when it exits; stdout
//! that stderr shares stays blocking; a regular file as stdin is read to its end.
#![cfg(unix)]

use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use nix::fcntl::{fcntl, FcntlArg, OFlag};
use serde_json::Value;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"0"}}}"#;
const CALL: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add","arguments":{"a":2,"b":3}}}"#;

fn nonblocking(fd: impl AsFd) -> bool {
    let flags = fcntl(fd, FcntlArg::F_GETFL).expect("F_GETFL");
    OFlag::from_bits_truncate(flags).contains(OFlag::O_NONBLOCK)
}

fn quickstart(
    stdin: impl Into<Stdio>,
    stdout: impl Into<Stdio>,
    stderr: impl Into<Stdio>,
) -> Child {
    Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .stdin(stdin)
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("spawn quickstart")
}

/// The server's output, line by line, read on a thread so that a stuck server fails the
/// test instead of hanging it.
fn lines(out: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

fn next(rx: &mpsc::Receiver<String>) -> Value {
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a line within 10 s");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"))
}

fn exchange(input: &mut impl Write, rx: &mpsc::Receiver<String>) {
    writeln!(input, "{INIT}").unwrap();
    assert_eq!(next(rx)["result"]["serverInfo"]["name"], "calc");
    writeln!(input, "{CALL}").unwrap();
    let r = next(rx);
    assert_eq!(r["id"], 2);
    assert_eq!(r["result"]["structuredContent"]["result"], 5, "{r}");
}

fn wait(mut child: Child) {
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("the server did not exit at the end of its input");
}

#[test]
fn pipes_are_served_by_the_reactor_and_restored_at_exit() {
    let (in_r, mut in_w) = std::io::pipe().unwrap();
    let (out_r, out_w) = std::io::pipe().unwrap();
    // Same file descriptions as the server's stdin and stdout.
    let (in_probe, out_probe) = (in_r.try_clone().unwrap(), out_w.try_clone().unwrap());
    assert!(!nonblocking(&in_probe) && !nonblocking(&out_probe));
    let child = quickstart(in_r, out_w, Stdio::null());
    let rx = lines(out_r);
    exchange(&mut in_w, &rx);
    assert!(nonblocking(&in_probe), "stdin is read through the reactor");
    assert!(
        nonblocking(&out_probe),
        "stdout is written through the reactor"
    );
    drop(in_w);
    wait(child);
    assert!(!nonblocking(&in_probe), "stdin is blocking again");
    assert!(!nonblocking(&out_probe), "stdout is blocking again");
}

#[test]
fn a_socket_as_stdin_is_served_and_restored() {
    let (mut ours, theirs) = UnixStream::pair().unwrap();
    let probe = theirs.try_clone().unwrap();
    let (out_r, out_w) = std::io::pipe().unwrap();
    let child = quickstart(OwnedFd::from(theirs), out_w, Stdio::null());
    let rx = lines(out_r);
    exchange(&mut ours, &rx);
    assert!(nonblocking(&probe));
    ours.shutdown(std::net::Shutdown::Write).unwrap();
    wait(child);
    assert!(!nonblocking(&probe));
}

#[test]
fn stdout_shared_with_stderr_stays_blocking() {
    let (in_r, mut in_w) = std::io::pipe().unwrap();
    let (out_r, out_w) = std::io::pipe().unwrap();
    let (err_w, probe) = (out_w.try_clone().unwrap(), out_w.try_clone().unwrap());
    let child = quickstart(in_r, out_w, err_w);
    let rx = lines(out_r);
    exchange(&mut in_w, &rx);
    assert!(
        !nonblocking(&probe),
        "a blocking writer of stderr shares it"
    );
    drop(in_w);
    wait(child);
}

#[test]
fn a_regular_file_as_stdin_is_read_to_its_end() {
    let dir = std::env::temp_dir().join(format!("fastmcp-stdio-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("requests.jsonl");
    std::fs::write(&path, format!("{INIT}\n{CALL}\n")).unwrap();
    let (out_r, out_w) = std::io::pipe().unwrap();
    let child = quickstart(std::fs::File::open(&path).unwrap(), out_w, Stdio::null());
    let rx = lines(out_r);
    assert_eq!(next(&rx)["id"], 1);
    assert_eq!(next(&rx)["result"]["structuredContent"]["result"], 5);
    wait(child);
    std::fs::remove_dir_all(&dir).unwrap();
}
