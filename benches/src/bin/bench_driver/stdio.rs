//! The stdio client: one server process, newline-delimited JSON-RPC over its pipes, and a
//! closed loop keeping a window of requests in flight.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{ChildStdin, ChildStdout};
use tokio::sync::Semaphore;

use crate::cli::Impl;
use crate::jsonrpc::INITIALIZED;
use crate::jsonrpc::{check_echo, check_init, initialize_body, request, response_id, short};
use crate::process::Server;

pub struct StdioConn {
    pub server: Server,
    /// Server CPU time (ns) at the start of the measured phase.
    pub cpu0: Option<u64>,
    w: BufWriter<ChildStdin>,
    r: BufReader<ChildStdout>,
    line: Vec<u8>,
}

/// How `run_calls` checks answers: the text the answer must hold, in the first response
/// only or in every one.
#[derive(Clone, Copy)]
pub struct Check<'a> {
    pub text: &'a str,
    pub every: bool,
}

/// The shared state of one closed loop: what was sent when, and the window.
struct Flight {
    n: usize,
    first_id: u64,
    sent: Cell<usize>,
    stop: Cell<bool>,
    sem: Semaphore,
    sent_at: RefCell<Vec<Option<Instant>>>,
}

impl StdioConn {
    pub async fn start(imp: &Impl, args: &[String], log: &Path) -> anyhow::Result<StdioConn> {
        let mut server = Server::spawn(imp, args, true, log)?;
        let w = BufWriter::with_capacity(1 << 16, server.child.stdin.take().expect("piped"));
        let r = BufReader::with_capacity(1 << 16, server.child.stdout.take().expect("piped"));
        Ok(StdioConn {
            server,
            cpu0: None,
            w,
            r,
            line: Vec::with_capacity(1 << 12),
        })
    }

    pub async fn send(&mut self, msg: &[u8]) -> anyhow::Result<()> {
        self.w.write_all(msg).await?;
        self.w.write_all(b"\n").await?;
        self.w.flush().await?;
        Ok(())
    }

    /// Read one line (without surrounding whitespace); error at the end of the stream.
    pub async fn read_line(&mut self) -> anyhow::Result<&[u8]> {
        self.line.clear();
        if self.r.read_until(b'\n', &mut self.line).await? == 0 {
            bail!("server closed stdout");
        }
        Ok(self.line.trim_ascii())
    }

    /// Read messages until the response to `id`; return it parsed.
    pub async fn wait_for(&mut self, id: u64) -> anyhow::Result<Value> {
        loop {
            let line = self.read_line().await?;
            if line.is_empty() {
                continue;
            }
            let v: Value = serde_json::from_slice(line).map_err(|e| {
                anyhow!(
                    "unparsable line ({e}): {}",
                    String::from_utf8_lossy(&line[..line.len().min(200)])
                )
            })?;
            if v.get("method").is_none() && v["id"] == json!(id) {
                if v.get("error").is_some() {
                    bail!("error response: {}", short(&v));
                }
                return Ok(v);
            }
        }
    }

    /// Send `initialize` and wait (at most 60 s) for its reply, checked in full.
    pub async fn initialize_request(&mut self) -> anyhow::Result<()> {
        self.send(&initialize_body(0)).await?;
        let v = tokio::time::timeout(Duration::from_secs(60), self.wait_for(0))
            .await
            .map_err(|_| anyhow!("no initialize reply within 60 s"))??;
        check_init(&v)
    }

    pub async fn initialize(&mut self) -> anyhow::Result<()> {
        self.initialize_request().await?;
        self.send(INITIALIZED).await
    }

    /// Closed loop over one connection: `n` calls with at most `window` in flight, ids from
    /// `first_id`. The first response (or every one) is checked against `expected`.
    pub async fn run_calls(
        &mut self,
        window: usize,
        n: usize,
        first_id: u64,
        suffix: &[u8],
        expected: Check<'_>,
        deadline: Instant,
    ) -> anyhow::Result<(Vec<u64>, Duration)> {
        let flight = Flight {
            n,
            first_id,
            sent: Cell::new(0),
            stop: Cell::new(false),
            sem: Semaphore::new(window),
            sent_at: RefCell::new(vec![None; n]),
        };
        let start = Instant::now();
        let writer = write_requests(&flight, &mut self.w, suffix);
        let reader = read_responses(&flight, &mut self.r, &mut self.line, expected, deadline);
        let (wr, rd) = tokio::join!(writer, reader);
        wr?;
        let lat = rd?;
        Ok((lat, start.elapsed()))
    }
}

/// The writing half of `run_calls`: a request whenever the window has room, flushed when the
/// window is full or the last is written.
async fn write_requests(
    f: &Flight,
    w: &mut BufWriter<ChildStdin>,
    suffix: &[u8],
) -> anyhow::Result<()> {
    let mut buf = Vec::with_capacity(suffix.len() + 48);
    while f.sent.get() < f.n {
        f.sem.acquire().await.expect("never closed").forget();
        if f.stop.get() {
            break;
        }
        let i = f.sent.get();
        f.sent.set(i + 1);
        buf.clear();
        request(f.first_id + i as u64, suffix, &mut buf);
        buf.push(b'\n');
        f.sent_at.borrow_mut()[i] = Some(Instant::now());
        w.write_all(&buf).await?;
        if f.sem.available_permits() == 0 || f.sent.get() == f.n {
            w.flush().await?;
        }
    }
    w.flush().await?;
    Ok(())
}

/// The reading half of `run_calls`: each response's latency, in the order they arrive; past
/// `deadline` the writer is stopped and the responses still due are awaited.
async fn read_responses(
    f: &Flight,
    r: &mut BufReader<ChildStdout>,
    line: &mut Vec<u8>,
    expected: Check<'_>,
    deadline: Instant,
) -> anyhow::Result<Vec<u64>> {
    let mut lat = Vec::with_capacity(f.n);
    let mut received = 0usize;
    while received < f.sent.get() || (!f.stop.get() && f.sent.get() < f.n) {
        line.clear();
        if r.read_until(b'\n', line).await? == 0 {
            bail!("server closed stdout after {received} responses");
        }
        let now = Instant::now();
        let msg = line.trim_ascii();
        if msg.is_empty() {
            continue;
        }
        let Some(id) = response_id(msg)? else {
            continue;
        };
        let i = id
            .checked_sub(f.first_id)
            .map(|i| i as usize)
            .filter(|&i| i < f.n)
            .ok_or_else(|| anyhow!("unexpected response id {id}"))?;
        if i == 0 || expected.every {
            let v: Value = serde_json::from_slice(msg)?;
            check_echo(&v, expected.text)?;
        }
        let t = f.sent_at.borrow_mut()[i]
            .take()
            .ok_or_else(|| anyhow!("duplicate response {id}"))?;
        lat.push((now - t).as_nanos() as u64);
        received += 1;
        f.sem.add_permits(1);
        if now >= deadline {
            f.stop.set(true);
        }
    }
    Ok(lat)
}
