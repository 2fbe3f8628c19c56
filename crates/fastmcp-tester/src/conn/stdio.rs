//! A child process speaking newline-delimited JSON-RPC on stdin/stdout.

use std::collections::HashSet;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;

use super::{classify, id_key, note_of, refuse, Kind, Notes, Reply};
use crate::text::clip;

/// The longest line accepted (longer ones are a finding and are dropped).
const MAX_LINE: usize = 16 * 1024 * 1024;
/// How much of the child's stderr is kept.
const STDERR_TAIL: usize = 2000;
/// How long a response with an unexpected id waits for the expected one.
const GRACE: Duration = Duration::from_millis(150);

/// What the reader task hands over.
enum Line {
    Text(String),
    TooLong(usize),
    Eof,
}

/// The connection: the child, its stdin, the lines of its stdout.
pub(crate) struct StdioConn {
    child: Child,
    stdin: tokio::sync::Mutex<ChildStdin>,
    lines: tokio::sync::Mutex<mpsc::Receiver<Line>>,
    stderr: Arc<Mutex<String>>,
    pub(super) notes: Notes,
}

impl StdioConn {
    /// Start the program.
    pub fn spawn(program: &str, args: &[String], env: &[(String, String)]) -> Result<Self, String> {
        let mut child = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("could not start {program}: {e}"))?;
        let (stdin, stdout, stderr) =
            match (child.stdin.take(), child.stdout.take(), child.stderr.take()) {
                (Some(i), Some(o), Some(e)) => (i, o, e),
                _ => return Err("the child's stdio was not piped".into()),
            };
        let (tx, rx) = mpsc::channel(64);
        tokio::spawn(read_lines(stdout, tx));
        let tail = Arc::new(Mutex::new(String::new()));
        tokio::spawn(keep_tail(stderr, tail.clone()));
        Ok(StdioConn {
            child,
            stdin: tokio::sync::Mutex::new(stdin),
            lines: tokio::sync::Mutex::new(rx),
            stderr: tail,
            notes: Notes::default(),
        })
    }

    /// Write one message as one line.
    pub async fn send(&self, msg: &Value) -> Result<(), String> {
        self.send_text(&msg.to_string()).await
    }

    /// Write one line as is (it may be anything: the tester sends malformed input too).
    pub async fn send_text(&self, text: &str) -> Result<(), String> {
        let mut stdin = self.stdin.lock().await;
        let line = format!("{text}\n");
        let write = async {
            stdin.write_all(line.as_bytes()).await?;
            stdin.flush().await
        };
        match tokio::time::timeout(Duration::from_secs(5), write).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!(
                "writing to the server's stdin failed: {e}{}",
                self.tail()
            )),
            Err(_) => Err("the server does not read its stdin (write blocked 5 s)".into()),
        }
    }

    /// The response to the request with id `expected`. Responses to `stale` ids are
    /// skipped, server requests refused, notifications skipped, garbage noted. A
    /// response with another id is held for a short grace: when the expected one follows,
    /// the other was a stray (noted); otherwise it is the answer (the caller judges ids).
    pub async fn receive(
        &self,
        expected: &Value,
        stale: &HashSet<String>,
        timeout: Duration,
    ) -> Result<Reply, String> {
        let mut deadline = tokio::time::Instant::now() + timeout;
        let mut held: Option<Reply> = None;
        let mut lines = self.lines.lock().await;
        loop {
            let line = match tokio::time::timeout_at(deadline, lines.recv()).await {
                Err(_) => return held.ok_or_else(|| format!("no response within {timeout:?}")),
                Ok(None | Some(Line::Eof)) => {
                    return held
                        .ok_or_else(|| format!("the server closed its stdout{}", self.tail()))
                }
                Ok(Some(Line::TooLong(n))) => {
                    self.notes.push(format!("a line over {n} bytes (dropped)"));
                    continue;
                }
                Ok(Some(Line::Text(t))) => t,
            };
            let Some(v) = self.parse(&line) else { continue };
            match classify(&v) {
                Kind::Response => {
                    let id = v.get("id").cloned().unwrap_or(Value::Null);
                    if stale.contains(&id_key(&id)) {
                        continue;
                    }
                    let reply = Reply {
                        message: Some(v),
                        body: clip(&line, 2000),
                        ..Reply::default()
                    };
                    if &id == expected {
                        if held.is_some() {
                            self.notes
                                .push(note_of("a response to no pending request", &line));
                        }
                        return Ok(reply);
                    }
                    if held.is_none() {
                        held = Some(reply);
                        deadline = deadline.min(tokio::time::Instant::now() + GRACE);
                    }
                }
                Kind::ServerRequest => self.send(&refuse(&v)).await?,
                Kind::Notification => {}
                Kind::Invalid => self.notes.push(note_of("not a JSON-RPC message", &line)),
            }
        }
    }

    /// A line as JSON (blank lines skipped, others noted).
    fn parse(&self, line: &str) -> Option<Value> {
        if line.trim().is_empty() {
            return None;
        }
        let v = serde_json::from_str::<Value>(line);
        if v.is_err() {
            self.notes.push(note_of("a line that is not JSON", line));
        }
        v.ok()
    }

    /// The tail of the child's stderr, as a diagnostic suffix.
    fn tail(&self) -> String {
        let t = self.stderr.lock().unwrap_or_else(PoisonError::into_inner);
        if t.trim().is_empty() {
            String::new()
        } else {
            format!("; stderr tail: {}", clip(t.trim(), 500))
        }
    }

    /// Kill the child and reap it.
    pub async fn close(mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
    }
}

/// Split stdout into lines, bounded in length.
async fn read_lines(mut out: impl AsyncRead + Unpin, tx: mpsc::Sender<Line>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut dropping = false;
    loop {
        let n = match out.read(&mut chunk).await {
            Ok(0) | Err(_) => {
                let _ = tx.send(Line::Eof).await;
                return;
            }
            Ok(n) => n,
        };
        for &b in &chunk[..n] {
            if b == b'\n' {
                if !dropping {
                    let text = String::from_utf8_lossy(&buf).into_owned();
                    if tx.send(Line::Text(text)).await.is_err() {
                        return;
                    }
                }
                buf.clear();
                dropping = false;
            } else if !dropping {
                buf.push(b);
                if buf.len() > MAX_LINE {
                    dropping = true;
                    buf.clear();
                    let _ = tx.send(Line::TooLong(MAX_LINE)).await;
                }
            }
        }
    }
}

/// Keep the last bytes of stderr (reading it so that the child never blocks on it).
async fn keep_tail(mut err: impl AsyncRead + Unpin, tail: Arc<Mutex<String>>) {
    let mut chunk = vec![0u8; 8192];
    while let Ok(n) = err.read(&mut chunk).await {
        if n == 0 {
            return;
        }
        let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
        t.push_str(&String::from_utf8_lossy(&chunk[..n]));
        if t.len() > STDERR_TAIL * 2 {
            let mut cut = t.len() - STDERR_TAIL;
            while !t.is_char_boundary(cut) {
                cut += 1;
            }
            t.replace_range(..cut, "");
        }
    }
}
