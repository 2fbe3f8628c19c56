//! The load driver of the benchmark: runs every scenario against every implementation and
//! prints one table (see benches/README.md).
//!
//! ```text
//! bench-driver [--quick] --impl NAME=COMMAND... [--path NAME=/p] [--skipped NAME=why]
//!              [--only SCENARIO,...] [--json FILE] [--log-dir DIR] [--driver-threads N]
//! ```
//!
//! `COMMAND` is split on whitespace; the driver appends the server arguments
//! (`stdio [--tools N]` or `http --port N [--stateful]`, see `fastmcp_bench`). The first
//! `--impl` is the reference ("ours"): every other figure is also shown as a ratio to it.
//!
//! The driver speaks raw JSON-RPC: requests are serialized once per scenario (a fixed
//! suffix after the id), responses are parsed only far enough to find their id, except the
//! first of each connection, which is checked in full (the echo text must come back).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, BufWriter};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

const PROTOCOL: &str = "2025-06-18";
const MESSAGE: &str = "hello";
const EXIT_UNSUPPORTED: i32 = fastmcp_bench::EXIT_UNSUPPORTED;

// ---------------------------------------------------------------------------------------------
// Command line

struct Impl {
    name: String,
    cmd: Vec<String>,
    path: String,
}

struct Opts {
    quick: bool,
    impls: Vec<Impl>,
    skipped: Vec<(String, String)>,
    only: Option<Vec<String>>,
    json: Option<PathBuf>,
    log_dir: PathBuf,
    threads: usize,
}

fn parse_opts() -> anyhow::Result<Opts> {
    let mut o = Opts {
        quick: false,
        impls: vec![],
        skipped: vec![],
        only: None,
        json: None,
        log_dir: PathBuf::from("target/bench-results/logs"),
        threads: 1,
    };
    let mut paths = BTreeMap::new();
    let mut it = std::env::args().skip(1);
    let split = |v: String| -> anyhow::Result<(String, String)> {
        let (a, b) = v
            .split_once('=')
            .ok_or_else(|| anyhow!("expected NAME=VALUE: {v}"))?;
        Ok((a.to_owned(), b.to_owned()))
    };
    while let Some(a) = it.next() {
        let mut val = || it.next().ok_or_else(|| anyhow!("{a} needs a value"));
        match a.as_str() {
            "--quick" => o.quick = true,
            "--impl" => {
                let (name, cmd) = split(val()?)?;
                let cmd: Vec<String> = cmd.split_whitespace().map(str::to_owned).collect();
                if cmd.is_empty() {
                    bail!("empty command for {name}");
                }
                o.impls.push(Impl {
                    name,
                    cmd,
                    path: "/mcp".into(),
                });
            }
            "--path" => {
                let (name, p) = split(val()?)?;
                paths.insert(name, p);
            }
            "--skipped" => o.skipped.push(split(val()?)?),
            "--only" => o.only = Some(val()?.split(',').map(str::to_owned).collect()),
            "--json" => o.json = Some(PathBuf::from(val()?)),
            "--log-dir" => o.log_dir = PathBuf::from(val()?),
            "--driver-threads" => o.threads = val()?.parse()?,
            "-h" | "--help" => {
                println!("bench-driver [--quick] --impl NAME=COMMAND... [--path NAME=/p] [--skipped NAME=why] [--only S,...] [--json FILE] [--log-dir DIR] [--driver-threads N]\nscenarios: {}", SCENARIOS.iter().map(|s| s.id).collect::<Vec<_>>().join(","));
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}"),
        }
    }
    for i in &mut o.impls {
        if let Some(p) = paths.get(&i.name) {
            i.path = p.clone();
        }
    }
    if o.impls.is_empty() {
        bail!("no --impl given");
    }
    Ok(o)
}

// ---------------------------------------------------------------------------------------------
// Scenarios and their sizes

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    StdioEcho { window: usize, big: bool },
    Http { conns: usize, stateful: bool },
    ToolsList,
    ColdStart,
    Sessions,
    Slow,
}

struct Scenario {
    id: &'static str,
    title: &'static str,
    kind: Kind,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "stdio-seq",
        title: "stdio, sequential",
        kind: Kind::StdioEcho {
            window: 1,
            big: false,
        },
    },
    Scenario {
        id: "stdio-64",
        title: "stdio, 64 in flight",
        kind: Kind::StdioEcho {
            window: 64,
            big: false,
        },
    },
    Scenario {
        id: "http-1",
        title: "HTTP stateless JSON, 1 conn",
        kind: Kind::Http {
            conns: 1,
            stateful: false,
        },
    },
    Scenario {
        id: "http-32",
        title: "HTTP stateless JSON, 32 conns",
        kind: Kind::Http {
            conns: 32,
            stateful: false,
        },
    },
    Scenario {
        id: "http-128",
        title: "HTTP stateless JSON, 128 conns",
        kind: Kind::Http {
            conns: 128,
            stateful: false,
        },
    },
    Scenario {
        id: "sse-32",
        title: "HTTP stateful SSE, 32 sessions",
        kind: Kind::Http {
            conns: 32,
            stateful: true,
        },
    },
    Scenario {
        id: "tools-list",
        title: "tools/list, 1,000 tools (stdio)",
        kind: Kind::ToolsList,
    },
    Scenario {
        id: "arg-1mb",
        title: "1 MB argument (stdio)",
        kind: Kind::StdioEcho {
            window: 1,
            big: true,
        },
    },
    Scenario {
        id: "cold-start",
        title: "cold start (spawn to initialize reply)",
        kind: Kind::ColdStart,
    },
    Scenario {
        id: "sessions",
        title: "idle HTTP sessions",
        kind: Kind::Sessions,
    },
    Scenario {
        id: "slow-p99",
        title: "fast calls while a slow call runs (stdio)",
        kind: Kind::Slow,
    },
];

/// Request counts of one scenario: warm-up and measured (per connection for HTTP).
#[derive(Clone, Copy)]
struct Counts {
    warm: usize,
    n: usize,
}

struct Sizes {
    quick: bool,
    limit: Duration,
}

impl Sizes {
    fn counts(&self, id: &str) -> Counts {
        let (warm, n, qwarm, qn) = match id {
            "stdio-seq" => (2_000, 20_000, 20, 300),
            "stdio-64" => (5_000, 100_000, 64, 2_000),
            "http-1" => (1_000, 10_000, 5, 100),
            "http-32" => (30, 500, 0, 5),
            "http-128" => (10, 200, 0, 2),
            "sse-32" => (30, 300, 0, 5),
            "tools-list" => (20, 300, 0, 3),
            "arg-1mb" => (5, 100, 0, 3),
            "cold-start" => (1, 20, 0, 2),
            "sessions" => (0, 10_000, 0, 100),
            _ => (100, 0, 10, 0),
        };
        if self.quick {
            Counts { warm: qwarm, n: qn }
        } else {
            Counts { warm, n }
        }
    }

    fn slow_ms(&self) -> u64 {
        if self.quick {
            300
        } else {
            2_000
        }
    }

    fn extra_tools(&self) -> usize {
        1_000
    }
}

// ---------------------------------------------------------------------------------------------
// Results

#[derive(Default, Clone, serde::Serialize)]
struct Outcome {
    /// Completed measured operations.
    ops: usize,
    /// Operations per second over the measured phase.
    throughput: Option<f64>,
    p50_us: Option<f64>,
    p90_us: Option<f64>,
    p99_us: Option<f64>,
    max_us: Option<f64>,
    /// Server CPU time (user + system) per measured operation, µs.
    cpu_us_per_op: Option<f64>,
    /// Server VmHWM at the end (KiB).
    hwm_kib: Option<u64>,
    /// Server VmRSS at the end (KiB).
    rss_kib: Option<u64>,
    /// Scenario-specific figure (sessions: KiB per session; cold start: RSS after init).
    extra: Option<f64>,
    note: Option<String>,
}

#[derive(Clone, serde::Serialize)]
#[serde(tag = "status", content = "detail", rename_all = "lowercase")]
enum Cell2 {
    Ok(Outcome),
    Unsupported(String),
    Failed(String),
}

fn percentiles(mut lat_ns: Vec<u64>, out: &mut Outcome) {
    if lat_ns.is_empty() {
        return;
    }
    lat_ns.sort_unstable();
    let at = |q: f64| {
        let i = ((lat_ns.len() as f64 * q).ceil() as usize).clamp(1, lat_ns.len()) - 1;
        lat_ns[i] as f64 / 1_000.0
    };
    out.p50_us = Some(at(0.50));
    out.p90_us = Some(at(0.90));
    out.p99_us = Some(at(0.99));
    out.max_us = Some(*lat_ns.last().expect("not empty") as f64 / 1_000.0);
}

// ---------------------------------------------------------------------------------------------
// Server processes

/// (VmHWM, VmRSS) in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time of a process in nanoseconds: the sum over its threads of the time on CPU from
/// `/proc/<pid>/task/<tid>/schedstat` (nanosecond resolution). Threads that end during a
/// measurement take their time with them, so this can undercount for servers that start and
/// stop threads per request; `/proc/<pid>/stat` (which keeps it, at 10 ms resolution) is the
/// fallback when schedstat is missing.
fn cpu_ns(pid: u32) -> Option<u64> {
    let mut total = 0u64;
    let mut any = false;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                if let Some(ns) = s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    total += ns;
                    any = true;
                }
            }
        }
    }
    if any {
        return Some(total);
    }
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of proc_pid_stat(5); `rest` starts at field 3.
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000) // USER_HZ is 100 on Linux
}

/// CPU µs per operation between two `cpu_ns` readings.
fn cpu_per_op(before: Option<u64>, after: Option<u64>, ops: usize) -> Option<f64> {
    let (b, a) = (before?, after?);
    (ops > 0).then(|| a.saturating_sub(b) as f64 / 1_000.0 / ops as f64)
}

struct Server {
    child: Child,
    pid: u32,
    log: PathBuf,
}

impl Server {
    fn spawn(imp: &Impl, args: &[String], stdio: bool, log: &Path) -> anyhow::Result<Server> {
        let file = std::fs::File::create(log).with_context(|| format!("creating {log:?}"))?;
        let mut cmd = Command::new(&imp.cmd[0]);
        cmd.args(&imp.cmd[1..])
            .args(args)
            .stderr(file.try_clone()?)
            .kill_on_drop(true);
        if stdio {
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        } else {
            cmd.stdin(Stdio::null()).stdout(file);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", imp.cmd.join(" ")))?;
        let pid = child.id().ok_or_else(|| anyhow!("no pid"))?;
        Ok(Server {
            child,
            pid,
            log: log.to_owned(),
        })
    }

    fn memory(&self) -> Option<(u64, u64)> {
        memory_kib(self.pid)
    }

    fn cpu(&self) -> Option<u64> {
        cpu_ns(self.pid)
    }

    /// Turn an error into the cell to show, looking at how the server ended.
    async fn explain(&mut self, e: anyhow::Error) -> Cell2 {
        let status = tokio::time::timeout(Duration::from_millis(500), self.child.wait()).await;
        if let Ok(Ok(st)) = status {
            if st.code() == Some(EXIT_UNSUPPORTED) {
                return Cell2::Unsupported(log_tail(&self.log));
            }
            return Cell2::Failed(format!(
                "{e:#}; server exited ({st}); {}",
                log_tail(&self.log)
            ));
        }
        Cell2::Failed(format!("{e:#}; {}", log_tail(&self.log)))
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(2)..].join(" | ");
    let tail: String = tail.chars().take(300).collect();
    format!("log {}: {tail}", log.display())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC helpers

fn initialize_body(id: u64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL,
            "capabilities": {},
            "clientInfo": { "name": "bench-driver", "version": "0" }
        }
    }))
    .expect("serializable")
}

const INITIALIZED: &[u8] = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// The part of a request after its id: `,"method":...}`.
fn call_suffix(tool: &str, args: Value) -> Vec<u8> {
    let rest = json!({ "method": "tools/call", "params": { "name": tool, "arguments": args } });
    let mut s = serde_json::to_vec(&rest).expect("serializable");
    s[0] = b','; // `{"method"...` becomes `,"method"...`
    s
}

fn request(id: u64, suffix: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(id.to_string().as_bytes());
    out.extend_from_slice(suffix);
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    error: Option<Value>,
}

/// The id of a response; `None` for notifications and server requests.
fn response_id(line: &[u8]) -> anyhow::Result<Option<u64>> {
    let h: Head = serde_json::from_slice(line).map_err(|e| {
        let start: String = String::from_utf8_lossy(&line[..line.len().min(200)]).into();
        anyhow!("unparsable message ({e}): {start}")
    })?;
    if h.method.is_some() {
        return Ok(None);
    }
    if let Some(err) = h.error {
        bail!("error response: {err}");
    }
    match h.id {
        Some(Value::Number(n)) => Ok(n.as_u64()),
        Some(other) => bail!("unexpected id {other}"),
        None => Ok(None),
    }
}

fn check_init(v: &Value) -> anyhow::Result<()> {
    if v["result"]["protocolVersion"].is_string() {
        Ok(())
    } else {
        bail!("bad initialize response: {}", short(v))
    }
}

fn check_echo(v: &Value, expected: &str) -> anyhow::Result<()> {
    let r = &v["result"];
    let block = &r["content"][0];
    if r["isError"] == json!(true) || block["type"] != "text" {
        bail!("bad tools/call response: {}", short(v));
    }
    match block["text"].as_str() {
        Some(t) if t == expected => Ok(()),
        Some(t) => bail!(
            "echo returned {} bytes ({}), expected {} bytes",
            t.len(),
            t.chars().take(40).collect::<String>(),
            expected.len()
        ),
        None => bail!("bad tools/call response: {}", short(v)),
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(300).collect()
}

// ---------------------------------------------------------------------------------------------
// stdio

struct StdioConn {
    server: Server,
    /// Server CPU time (ns) at the start of the measured phase.
    cpu0: Option<u64>,
    w: BufWriter<ChildStdin>,
    r: BufReader<ChildStdout>,
    line: Vec<u8>,
}

impl StdioConn {
    async fn start(imp: &Impl, args: &[String], log: &Path) -> anyhow::Result<StdioConn> {
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

    async fn send(&mut self, msg: &[u8]) -> anyhow::Result<()> {
        self.w.write_all(msg).await?;
        self.w.write_all(b"\n").await?;
        self.w.flush().await?;
        Ok(())
    }

    /// Read messages until the response to `id`; return it parsed.
    async fn wait_for(&mut self, id: u64) -> anyhow::Result<Value> {
        loop {
            self.line.clear();
            if self.r.read_until(b'\n', &mut self.line).await? == 0 {
                bail!("server closed stdout");
            }
            let line = self.line.trim_ascii();
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

    async fn initialize(&mut self) -> anyhow::Result<()> {
        self.send(&initialize_body(0)).await?;
        let v = tokio::time::timeout(Duration::from_secs(60), self.wait_for(0))
            .await
            .map_err(|_| anyhow!("no initialize reply within 60 s"))??;
        check_init(&v)?;
        self.send(INITIALIZED).await
    }

    /// Closed loop over one connection: `n` echo calls with at most `window` in flight,
    /// ids from `first_id`. The first response is checked against `expected`.
    async fn run_echo(
        &mut self,
        window: usize,
        n: usize,
        first_id: u64,
        suffix: &[u8],
        expected: &str,
        deadline: Instant,
    ) -> anyhow::Result<(Vec<u64>, Duration)> {
        let sent = Cell::new(0usize);
        let stop = Cell::new(false);
        let sem = tokio::sync::Semaphore::new(window);
        let sent_at: RefCell<Vec<Option<Instant>>> = RefCell::new(vec![None; n]);
        let start = Instant::now();
        let (w, r, line) = (&mut self.w, &mut self.r, &mut self.line);

        let writer = async {
            let mut buf = Vec::with_capacity(suffix.len() + 48);
            while sent.get() < n {
                sem.acquire().await.expect("never closed").forget();
                if stop.get() {
                    break;
                }
                let i = sent.get();
                sent.set(i + 1);
                buf.clear();
                request(first_id + i as u64, suffix, &mut buf);
                buf.push(b'\n');
                sent_at.borrow_mut()[i] = Some(Instant::now());
                w.write_all(&buf).await?;
                if sem.available_permits() == 0 || sent.get() == n {
                    w.flush().await?;
                }
            }
            w.flush().await?;
            anyhow::Ok(())
        };

        let reader = async {
            let mut lat = Vec::with_capacity(n);
            let mut received = 0usize;
            while received < sent.get() || (!stop.get() && sent.get() < n) {
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
                    .checked_sub(first_id)
                    .map(|i| i as usize)
                    .filter(|&i| i < n)
                    .ok_or_else(|| anyhow!("unexpected response id {id}"))?;
                if i == 0 {
                    let v: Value = serde_json::from_slice(msg)?;
                    check_echo(&v, expected)?;
                }
                let t = sent_at.borrow_mut()[i]
                    .take()
                    .ok_or_else(|| anyhow!("duplicate response {id}"))?;
                lat.push((now - t).as_nanos() as u64);
                received += 1;
                sem.add_permits(1);
                if now >= deadline {
                    stop.set(true);
                }
            }
            anyhow::Ok(lat)
        };

        let (wr, rd) = tokio::join!(writer, reader);
        wr?;
        let lat = rd?;
        Ok((lat, start.elapsed()))
    }
}

async fn stdio_echo(
    imp: &Impl,
    log: &Path,
    sizes: &Sizes,
    c: Counts,
    window: usize,
    big: bool,
) -> Cell2 {
    let message = if big {
        "x".repeat(1 << 20)
    } else {
        MESSAGE.to_owned()
    };
    let suffix = call_suffix("echo", json!({ "message": message }));
    let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let res = async {
        conn.initialize().await?;
        let far = Instant::now() + sizes.limit;
        if c.warm > 0 {
            conn.run_echo(window, c.warm, 1_000_000, &suffix, &message, far)
                .await
                .context("warm-up")?;
        }
        let deadline = Instant::now() + sizes.limit;
        conn.cpu0 = conn.server.cpu();
        conn.run_echo(window, c.n, 1, &suffix, &message, deadline)
            .await
    }
    .await;
    finish_stdio(conn, res).await
}

async fn finish_stdio(mut conn: StdioConn, res: anyhow::Result<(Vec<u64>, Duration)>) -> Cell2 {
    match res {
        Ok((lat, took)) => {
            let mut o = Outcome {
                ops: lat.len(),
                throughput: Some(lat.len() as f64 / took.as_secs_f64()),
                cpu_us_per_op: cpu_per_op(conn.cpu0, conn.server.cpu(), lat.len()),
                ..Outcome::default()
            };
            if let Some((hwm, rss)) = conn.server.memory() {
                o.hwm_kib = Some(hwm);
                o.rss_kib = Some(rss);
            }
            percentiles(lat, &mut o);
            conn.server.stop().await;
            Cell2::Ok(o)
        }
        Err(e) => {
            let cell = conn.server.explain(e).await;
            conn.server.stop().await;
            cell
        }
    }
}

async fn tools_list(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let tools = sizes.extra_tools();
    let args = vec!["stdio".into(), "--tools".into(), tools.to_string()];
    let mut conn = match StdioConn::start(imp, &args, log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let res = async {
        conn.initialize().await?;
        let mut id = 1u64;
        let mut lat = Vec::with_capacity(c.n);
        let deadline = Instant::now() + sizes.limit + sizes.limit;
        let mut measured_start = Instant::now();
        for round in 0..c.warm + c.n {
            if round == c.warm {
                measured_start = Instant::now();
                conn.cpu0 = conn.server.cpu();
            }
            let t0 = Instant::now();
            let mut cursor: Option<String> = None;
            let mut count = 0usize;
            let mut pages = 0;
            loop {
                let params = match &cursor {
                    Some(cur) => json!({ "cursor": cur }),
                    None => json!({}),
                };
                let req = json!({"jsonrpc":"2.0","id":id,"method":"tools/list","params":params});
                conn.send(&serde_json::to_vec(&req)?).await?;
                let v = conn.wait_for(id).await?;
                id += 1;
                pages += 1;
                count += v["result"]["tools"]
                    .as_array()
                    .ok_or_else(|| anyhow!("bad tools/list response: {}", short(&v)))?
                    .len();
                cursor = v["result"]["nextCursor"].as_str().map(str::to_owned);
                if cursor.is_none() || pages > 10_000 {
                    break;
                }
            }
            if round == 0 && count != tools + 2 {
                bail!("tools/list returned {count} tools, expected {}", tools + 2);
            }
            if round >= c.warm {
                lat.push(t0.elapsed().as_nanos() as u64);
                if Instant::now() > deadline {
                    break;
                }
            }
        }
        Ok((lat, measured_start.elapsed()))
    }
    .await;
    finish_stdio(conn, res).await
}

async fn slow_call(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
        Ok(c) => c,
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let slow_ms = sizes.slow_ms();
    let res = async {
        conn.initialize().await?;
        let suffix = call_suffix("echo", json!({ "message": MESSAGE }));
        let far = Instant::now() + sizes.limit;
        conn.run_echo(1, c.warm.max(1), 1_000_000, &suffix, MESSAGE, far)
            .await
            .context("warm-up")?;
        let slow_id = 999_999u64;
        let mut buf = Vec::new();
        request(
            slow_id,
            &call_suffix("slow", json!({ "ms": slow_ms })),
            &mut buf,
        );
        let slow_start = Instant::now();
        conn.send(&buf).await?;
        let mut lat = Vec::new();
        let mut id = 1u64;
        let mut slow_done = None;
        // Sequential fast calls until the slow one answers.
        while slow_done.is_none() {
            buf.clear();
            request(id, &suffix, &mut buf);
            let t0 = Instant::now();
            conn.send(&buf).await?;
            loop {
                conn.line.clear();
                if conn.r.read_until(b'\n', &mut conn.line).await? == 0 {
                    bail!("server closed stdout");
                }
                let msg = conn.line.trim_ascii();
                match response_id(msg)? {
                    Some(x) if x == slow_id => {
                        let v: Value = serde_json::from_slice(msg)?;
                        check_echo(&v, fastmcp_bench::SLOW_REPLY)?;
                        slow_done = Some(slow_start.elapsed());
                    }
                    Some(x) if x == id => {
                        lat.push(t0.elapsed().as_nanos() as u64);
                        break;
                    }
                    Some(x) => bail!("unexpected response id {x}"),
                    None => {}
                }
            }
            id += 1;
            if slow_start.elapsed() > Duration::from_millis(slow_ms) * 10 + sizes.limit {
                bail!("the slow call did not answer");
            }
        }
        let took = slow_done.expect("set");
        Ok((lat, took))
    }
    .await;
    let cell = finish_stdio(conn, res).await;
    if let Cell2::Ok(mut o) = cell {
        // Throughput here is fast calls per second during the slow call.
        o.note = Some(format!("{} fast calls during a {slow_ms} ms call", o.ops));
        return Cell2::Ok(o);
    }
    cell
}

async fn cold_start(imp: &Impl, log: &Path, c: Counts) -> Cell2 {
    let mut lat = Vec::new();
    let mut rss = Vec::new();
    for round in 0..c.warm + c.n {
        let t0 = Instant::now();
        let mut conn = match StdioConn::start(imp, &["stdio".into()], log).await {
            Ok(c) => c,
            Err(e) => return Cell2::Failed(format!("{e:#}")),
        };
        let res = async {
            conn.send(&initialize_body(0)).await?;
            let v = tokio::time::timeout(Duration::from_secs(60), conn.wait_for(0))
                .await
                .map_err(|_| anyhow!("no initialize reply within 60 s"))??;
            check_init(&v)
        }
        .await;
        let took = t0.elapsed();
        if let Err(e) = res {
            let cell = conn.server.explain(e).await;
            conn.server.stop().await;
            return cell;
        }
        if round >= c.warm {
            lat.push(took.as_nanos() as u64);
            if let Some((_, r)) = conn.server.memory() {
                rss.push(r);
            }
        }
        conn.server.stop().await;
    }
    let mut o = Outcome {
        ops: lat.len(),
        ..Outcome::default()
    };
    percentiles(lat, &mut o);
    rss.sort_unstable();
    if let Some(r) = rss.get(rss.len() / 2) {
        o.rss_kib = Some(*r);
    }
    Cell2::Ok(o)
}

// ---------------------------------------------------------------------------------------------
// HTTP

/// A raw HTTP/1.1 client connection: requests are written as one buffer (the header lines
/// are prepared once), responses parsed with httparse; bodies by Content-Length or chunked.
struct HttpConn {
    addr: SocketAddr,
    stream: Option<tokio::net::TcpStream>,
    authority: String,
    path: String,
    session: Option<String>,
    /// The request head up to (not including) Content-Length, for requests after
    /// initialize.
    head: Vec<u8>,
    out: Vec<u8>,
    buf: Vec<u8>,
}

struct HttpReply {
    status: u16,
    session: Option<String>,
    /// The JSON-RPC message answering the request (from a JSON body or the SSE stream).
    message: Option<Bytes>,
}

impl HttpConn {
    async fn connect(addr: SocketAddr, path: &str) -> anyhow::Result<HttpConn> {
        let mut c = HttpConn {
            addr,
            stream: None,
            authority: addr.to_string(),
            path: path.to_owned(),
            session: None,
            head: Vec::new(),
            out: Vec::with_capacity(1024),
            buf: Vec::with_capacity(1 << 14),
        };
        c.reconnect().await?;
        c.prepare_head(false);
        Ok(c)
    }

    async fn reconnect(&mut self) -> anyhow::Result<()> {
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        tcp.set_nodelay(true)?;
        self.stream = Some(tcp);
        self.buf.clear();
        Ok(())
    }

    fn prepare_head(&mut self, initialized: bool) {
        let mut h = format!(
            "POST {} HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n",
            self.path, self.authority
        );
        if initialized {
            let _ = write!(h, "mcp-protocol-version: {PROTOCOL}\r\n");
        }
        if let Some(s) = &self.session {
            let _ = write!(h, "mcp-session-id: {s}\r\n");
        }
        self.head = h.into_bytes();
    }

    /// Read more bytes into `buf`; error at end of stream.
    async fn fill(&mut self) -> anyhow::Result<()> {
        use tokio::io::AsyncReadExt;
        let stream = self
            .stream
            .as_mut()
            .ok_or_else(|| anyhow!("not connected"))?;
        self.buf.reserve(1 << 14);
        if stream.read_buf(&mut self.buf).await? == 0 {
            bail!("connection closed by the server");
        }
        Ok(())
    }

    async fn post(&mut self, body: &[u8]) -> anyhow::Result<HttpReply> {
        if self.stream.is_none() {
            self.reconnect().await?;
        }
        self.out.clear();
        self.out.extend_from_slice(&self.head);
        let _ = write!(self.out, "content-length: {}\r\n\r\n", body.len());
        self.out.extend_from_slice(body);
        self.stream
            .as_mut()
            .expect("connected")
            .write_all(&self.out)
            .await?;
        tokio::time::timeout(Duration::from_secs(60), self.read_response())
            .await
            .map_err(|_| anyhow!("no complete response within 60 s"))?
    }

    async fn read_response(&mut self) -> anyhow::Result<HttpReply> {
        // Head.
        let (status, head_len, length, chunked, sse, session, close) = loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut resp = httparse::Response::new(&mut headers);
            match resp.parse(&self.buf)? {
                httparse::Status::Complete(n) => {
                    let status = resp.code.unwrap_or(0);
                    let (mut length, mut chunked, mut sse, mut session, mut close) =
                        (None, false, false, None, false);
                    for h in resp.headers.iter() {
                        let v = std::str::from_utf8(h.value).unwrap_or("");
                        if h.name.eq_ignore_ascii_case("content-length") {
                            length = Some(v.trim().parse::<usize>()?);
                        } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                            chunked = v.to_ascii_lowercase().contains("chunked");
                        } else if h.name.eq_ignore_ascii_case("content-type") {
                            sse = v.starts_with("text/event-stream");
                        } else if h.name.eq_ignore_ascii_case("mcp-session-id") {
                            session = Some(v.to_owned());
                        } else if h.name.eq_ignore_ascii_case("connection") {
                            close = v.eq_ignore_ascii_case("close");
                        }
                    }
                    break (status, n, length, chunked, sse, session, close);
                }
                httparse::Status::Partial => self.fill().await?,
            }
        };
        self.buf.drain(..head_len);
        // Body.
        let body: Vec<u8> = if chunked {
            let mut body = Vec::new();
            loop {
                let line_end = loop {
                    if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                        break i;
                    }
                    self.fill().await?;
                };
                let size_text = std::str::from_utf8(&self.buf[..line_end])?;
                let size_text = size_text.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size_text, 16)
                    .map_err(|e| anyhow!("bad chunk size {size_text:?}: {e}"))?;
                while self.buf.len() < line_end + 2 + size + 2 {
                    self.fill().await?;
                }
                if size == 0 {
                    // No trailers expected: the last chunk is `0\r\n\r\n`.
                    self.buf.drain(..line_end + 4);
                    break body;
                }
                body.extend_from_slice(&self.buf[line_end + 2..line_end + 2 + size]);
                self.buf.drain(..line_end + 2 + size + 2);
            }
        } else if let Some(n) = length {
            while self.buf.len() < n {
                self.fill().await?;
            }
            self.buf.drain(..n).collect()
        } else if status == 202 || status == 204 || status == 304 {
            Vec::new()
        } else {
            // Delimited by the end of the connection.
            loop {
                if self.fill().await.is_err() {
                    break std::mem::take(&mut self.buf);
                }
            }
        };
        if close || (length.is_none() && !chunked && status != 202 && status != 204) {
            self.stream = None;
        }
        let message = if body.is_empty() {
            None
        } else if sse {
            sse_message(&body)
        } else {
            Some(Bytes::from(body))
        };
        Ok(HttpReply {
            status,
            session,
            message,
        })
    }

    /// initialize (keeping the session id) and notifications/initialized.
    async fn initialize(&mut self) -> anyhow::Result<()> {
        self.session = None;
        self.prepare_head(false);
        let r = self.post(&initialize_body(0)).await?;
        if !(200..300).contains(&r.status) {
            bail!("initialize: HTTP {}", r.status);
        }
        let msg = r
            .message
            .ok_or_else(|| anyhow!("initialize: empty response"))?;
        check_init(&serde_json::from_slice(&msg)?)?;
        self.session = r.session;
        self.prepare_head(true);
        let r = self.post(INITIALIZED).await?;
        if !(200..300).contains(&r.status) {
            bail!("notifications/initialized: HTTP {}", r.status);
        }
        Ok(())
    }

    /// One echo call; the response is checked in full when `check`.
    async fn call(&mut self, id: u64, suffix: &[u8], check: bool) -> anyhow::Result<()> {
        let mut buf = Vec::with_capacity(suffix.len() + 32);
        request(id, suffix, &mut buf);
        let r = self.post(&buf).await?;
        if r.status != 200 {
            bail!("tools/call: HTTP {}", r.status);
        }
        let msg = r
            .message
            .ok_or_else(|| anyhow!("tools/call: no response message"))?;
        if check {
            check_echo(&serde_json::from_slice(&msg)?, MESSAGE)?;
        }
        match response_id(&msg)? {
            Some(x) if x == id => Ok(()),
            other => bail!("tools/call: response id {other:?}, expected {id}"),
        }
    }
}

/// The first JSON-RPC response (a message with an id and no method) in an SSE body.
fn sse_message(body: &[u8]) -> Option<Bytes> {
    let text = std::str::from_utf8(body).ok()?;
    let mut data = String::new();
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            if !data.is_empty() && matches!(response_id(data.as_bytes()), Ok(Some(_))) {
                return Some(Bytes::from(data));
            }
            data.clear();
        } else if let Some(d) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(d.strip_prefix(' ').unwrap_or(d));
        }
    }
    if !data.is_empty() && matches!(response_id(data.as_bytes()), Ok(Some(_))) {
        return Some(Bytes::from(data));
    }
    None
}

async fn start_http(
    imp: &Impl,
    stateful: bool,
    log: &Path,
) -> anyhow::Result<(Server, SocketAddr)> {
    let port = free_port()?;
    let mut args = vec!["http".to_owned(), "--port".to_owned(), port.to_string()];
    if stateful {
        args.push("--stateful".into());
    }
    let mut server = Server::spawn(imp, &args, false, log)?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let t0 = Instant::now();
    loop {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok((server, addr));
        }
        if let Some(st) = server.child.try_wait()? {
            if st.code() == Some(EXIT_UNSUPPORTED) {
                bail!("unsupported");
            }
            bail!("server exited before listening ({st}); {}", log_tail(log));
        }
        if t0.elapsed() > Duration::from_secs(60) {
            bail!("server not listening after 60 s; {}", log_tail(log));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn http_load(
    imp: &Impl,
    log: &Path,
    sizes: &Sizes,
    c: Counts,
    conns: usize,
    stateful: bool,
) -> Cell2 {
    let (mut server, addr) = match start_http(imp, stateful, log).await {
        Ok(x) => x,
        Err(e) if e.to_string() == "unsupported" => {
            return Cell2::Unsupported(log_tail(log));
        }
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    let suffix = Bytes::from(call_suffix("echo", json!({ "message": MESSAGE })));
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(conns + 1));
    let limit = sizes.limit + sizes.limit;
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..conns {
        let (barrier, suffix, path) = (barrier.clone(), suffix.clone(), imp.path.clone());
        tasks.spawn(async move {
            let prepared = async {
                let mut conn = HttpConn::connect(addr, &path).await?;
                conn.initialize().await?;
                for i in 0..c.warm {
                    conn.call(1_000_000 + i as u64, &suffix, i == 0).await?;
                }
                anyhow::Ok(conn)
            }
            .await;
            // Everyone meets at the barrier, even after a failure, so nobody waits forever.
            barrier.wait().await;
            let mut conn = prepared.with_context(|| format!("connection {k}"))?;
            let deadline = Instant::now() + limit;
            let mut lat = Vec::with_capacity(c.n);
            for i in 0..c.n {
                let t0 = Instant::now();
                conn.call(i as u64 + 1, &suffix, c.warm == 0 && i == 0)
                    .await?;
                lat.push(t0.elapsed().as_nanos() as u64);
                if Instant::now() > deadline {
                    break;
                }
            }
            anyhow::Ok(lat)
        });
    }
    barrier.wait().await;
    let start = Instant::now();
    let cpu0 = server.cpu();
    let mut all = Vec::with_capacity(conns * c.n);
    let mut failure = None;
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(Ok(lat)) => all.extend(lat),
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(e) => {
                failure.get_or_insert(anyhow!("task: {e}"));
            }
        }
    }
    let took = start.elapsed();
    let cpu1 = server.cpu();
    if let Some(e) = failure {
        let cell = server.explain(e).await;
        server.stop().await;
        return cell;
    }
    let mut o = Outcome {
        ops: all.len(),
        throughput: Some(all.len() as f64 / took.as_secs_f64()),
        cpu_us_per_op: cpu_per_op(cpu0, cpu1, all.len()),
        ..Outcome::default()
    };
    if let Some((hwm, rss)) = server.memory() {
        o.hwm_kib = Some(hwm);
        o.rss_kib = Some(rss);
    }
    percentiles(all, &mut o);
    server.stop().await;
    Cell2::Ok(o)
}

/// Open `n` sessions (initialize + initialized, no further traffic) over a few connections
/// and measure the server's memory once they are idle.
async fn sessions(imp: &Impl, log: &Path, sizes: &Sizes, c: Counts) -> Cell2 {
    let (mut server, addr) = match start_http(imp, true, log).await {
        Ok(x) => x,
        Err(e) if e.to_string() == "unsupported" => {
            return Cell2::Unsupported(log_tail(log));
        }
        Err(e) => return Cell2::Failed(format!("{e:#}")),
    };
    // One session first: the baseline includes whatever a first session loads.
    let res = async {
        let mut first = HttpConn::connect(addr, &imp.path).await?;
        first.initialize().await?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (_, base_rss) = server.memory().ok_or_else(|| anyhow!("no /proc status"))?;
        let conns = 16usize.min(c.n.max(1));
        let deadline = Instant::now() + sizes.limit * 4;
        let mut tasks = tokio::task::JoinSet::new();
        for k in 0..conns {
            let path = imp.path.clone();
            let share =
                c.n.saturating_sub(1) / conns + usize::from(k < c.n.saturating_sub(1) % conns);
            tasks.spawn(async move {
                let mut conn = HttpConn::connect(addr, &path).await?;
                let mut made = 0usize;
                for _ in 0..share {
                    conn.initialize().await?;
                    made += 1;
                    if Instant::now() > deadline {
                        break;
                    }
                }
                anyhow::Ok(made)
            });
        }
        let mut made = 1usize;
        while let Some(r) = tasks.join_next().await {
            made += r??;
        }
        tokio::time::sleep(Duration::from_millis(if sizes.quick { 300 } else { 2_000 })).await;
        let (hwm, rss) = server.memory().ok_or_else(|| anyhow!("no /proc status"))?;
        anyhow::Ok((made, base_rss, hwm, rss))
    }
    .await;
    match res {
        Ok((made, base, hwm, rss)) => {
            server.stop().await;
            let per = (rss as f64 - base as f64) / (made.saturating_sub(1).max(1)) as f64;
            Cell2::Ok(Outcome {
                ops: made,
                hwm_kib: Some(hwm),
                rss_kib: Some(rss),
                extra: Some(per),
                note: (made < c.n).then(|| format!("only {made} sessions within the time limit")),
                ..Outcome::default()
            })
        }
        Err(e) => {
            let cell = server.explain(e).await;
            server.stop().await;
            cell
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The table

/// One row of the table: a scenario's metric.
struct Row {
    metric: &'static str,
    higher_is_better: bool,
    get: fn(&Outcome) -> Option<f64>,
    fmt: fn(f64) -> String,
}

fn int(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

fn mib(kib: Option<u64>) -> Option<f64> {
    kib.map(|k| k as f64 / 1024.0)
}

fn rows_for(s: &Scenario) -> Vec<Row> {
    let thr = || Row {
        metric: "req/s",
        higher_is_better: true,
        get: |o| o.throughput,
        fmt: int,
    };
    let p50 = || Row {
        metric: "p50 µs",
        higher_is_better: false,
        get: |o| o.p50_us,
        fmt: int,
    };
    let p99 = || Row {
        metric: "p99 µs",
        higher_is_better: false,
        get: |o| o.p99_us,
        fmt: int,
    };
    let p90 = || Row {
        metric: "p90 µs",
        higher_is_better: false,
        get: |o| o.p90_us,
        fmt: int,
    };
    let cpu = || Row {
        metric: "server CPU µs/req",
        higher_is_better: false,
        get: |o| o.cpu_us_per_op,
        fmt: int,
    };
    let hwm = || Row {
        metric: "server peak RSS MiB",
        higher_is_better: false,
        get: |o| mib(o.hwm_kib),
        fmt: int,
    };
    match s.kind {
        Kind::StdioEcho { .. } | Kind::Http { .. } | Kind::ToolsList => {
            vec![thr(), p50(), p90(), p99(), cpu(), hwm()]
        }
        Kind::ColdStart => vec![
            Row {
                metric: "median ms",
                higher_is_better: false,
                get: |o| o.p50_us.map(|v| v / 1000.0),
                fmt: int,
            },
            Row {
                metric: "RSS after initialize MiB",
                higher_is_better: false,
                get: |o| mib(o.rss_kib),
                fmt: int,
            },
        ],
        Kind::Sessions => vec![
            Row {
                metric: "server RSS MiB",
                higher_is_better: false,
                get: |o| mib(o.rss_kib),
                fmt: int,
            },
            Row {
                metric: "KiB per session",
                higher_is_better: false,
                get: |o| o.extra,
                fmt: int,
            },
        ],
        Kind::Slow => vec![
            Row {
                metric: "fast-call p99 µs",
                higher_is_better: false,
                get: |o| o.p99_us,
                fmt: int,
            },
            Row {
                metric: "fast calls answered",
                higher_is_better: true,
                get: |o| Some(o.ops as f64),
                fmt: |v| format!("{v:.0}"),
            },
        ],
    }
}

fn title_of(id: &str, sizes: &Sizes) -> String {
    let s = SCENARIOS.iter().find(|s| s.id == id).expect("known");
    match s.kind {
        Kind::Sessions => format!("{} ({})", s.title, sizes.counts(id).n),
        Kind::Slow => format!("{} ({} ms)", s.title, sizes.slow_ms()),
        _ => s.title.to_owned(),
    }
}

fn render(
    opts: &Opts,
    sizes: &Sizes,
    scenarios: &[&Scenario],
    results: &BTreeMap<(String, String), Cell2>,
) -> String {
    let mut out = String::new();
    let ours = &opts.impls[0].name;
    let mut header = vec!["scenario".to_owned(), "metric".to_owned()];
    header.extend(opts.impls.iter().map(|i| i.name.clone()));
    let mut lines = vec![header];
    let mut notes: Vec<String> = Vec::new();
    let mut note_of = |text: String| -> usize {
        if let Some(i) = notes.iter().position(|n| *n == text) {
            return i + 1;
        }
        notes.push(text);
        notes.len()
    };
    for s in scenarios {
        for (k, row) in rows_for(s).into_iter().enumerate() {
            let mut line = vec![
                if k == 0 {
                    title_of(s.id, sizes)
                } else {
                    String::new()
                },
                format!(
                    "{} {}",
                    row.metric,
                    if row.higher_is_better { "↑" } else { "↓" }
                ),
            ];
            let base = match results.get(&(s.id.to_owned(), ours.clone())) {
                Some(Cell2::Ok(o)) => (row.get)(o),
                _ => None,
            };
            for imp in &opts.impls {
                let cell = match results.get(&(s.id.to_owned(), imp.name.clone())) {
                    None => "–".to_owned(),
                    Some(Cell2::Unsupported(_) | Cell2::Failed(_)) if k > 0 => "–".to_owned(),
                    Some(Cell2::Unsupported(why)) => {
                        format!(
                            "n/a [{}]",
                            note_of(format!("{}: unsupported; {why}", imp.name))
                        )
                    }
                    Some(Cell2::Failed(why)) => {
                        format!(
                            "FAIL [{}]",
                            note_of(format!("{} {}: {why}", imp.name, s.id))
                        )
                    }
                    Some(Cell2::Ok(o)) => {
                        let mut c = match (row.get)(o) {
                            Some(v) => match base {
                                Some(b) if b > 0.0 && imp.name != *ours => {
                                    format!("{} ({:.2}×)", (row.fmt)(v), v / b)
                                }
                                _ => (row.fmt)(v),
                            },
                            None => "–".to_owned(),
                        };
                        if k == 0 {
                            if let Some(n) = &o.note {
                                if !matches!(s.kind, Kind::Slow) {
                                    let _ = write!(
                                        c,
                                        " [{}]",
                                        note_of(format!("{} {}: {n}", imp.name, s.id))
                                    );
                                }
                            }
                        }
                        c
                    }
                };
                line.push(cell);
            }
            lines.push(line);
        }
    }
    let widths: Vec<usize> = (0..lines[0].len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (i, l) in lines.iter().enumerate() {
        out.push('|');
        for (c, cell) in l.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c < 2 {
                let _ = write!(out, " {cell}{} |", " ".repeat(pad));
            } else {
                let _ = write!(out, " {}{cell} |", " ".repeat(pad));
            }
        }
        out.push('\n');
        if i == 0 {
            out.push('|');
            for (c, w) in widths.iter().enumerate() {
                if c < 2 {
                    let _ = write!(out, "{}|", "-".repeat(w + 2));
                } else {
                    let _ = write!(out, "{}:|", "-".repeat(w + 1));
                }
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\nRatios are value / {ours}'s value for the same row (↑: higher is better, ↓: lower is better)."
    );
    for (name, why) in &opts.skipped {
        let _ = writeln!(out, "{name}: skipped ({why})");
    }
    for (i, n) in notes.iter().enumerate() {
        let _ = writeln!(out, "[{}] {n}", i + 1);
    }
    out
}

// ---------------------------------------------------------------------------------------------

async fn run(opts: Opts) -> anyhow::Result<()> {
    let sizes = Sizes {
        quick: opts.quick,
        limit: if opts.quick {
            Duration::from_secs(3)
        } else {
            Duration::from_secs(30)
        },
    };
    std::fs::create_dir_all(&opts.log_dir)?;
    let scenarios: Vec<&Scenario> = SCENARIOS
        .iter()
        .filter(|s| {
            opts.only
                .as_ref()
                .is_none_or(|o| o.iter().any(|x| x == s.id))
        })
        .collect();
    if scenarios.is_empty() {
        bail!("no scenario selected");
    }
    let mut results = BTreeMap::new();
    let t_all = Instant::now();
    for s in &scenarios {
        for imp in &opts.impls {
            let log = opts.log_dir.join(format!("{}-{}.log", imp.name, s.id));
            let c = sizes.counts(s.id);
            let t0 = Instant::now();
            let cell = match s.kind {
                Kind::StdioEcho { window, big } => {
                    stdio_echo(imp, &log, &sizes, c, window, big).await
                }
                Kind::Http { conns, stateful } => {
                    http_load(imp, &log, &sizes, c, conns, stateful).await
                }
                Kind::ToolsList => tools_list(imp, &log, &sizes, c).await,
                Kind::ColdStart => cold_start(imp, &log, c).await,
                Kind::Sessions => sessions(imp, &log, &sizes, c).await,
                Kind::Slow => slow_call(imp, &log, &sizes, c).await,
            };
            let planned = match s.kind {
                Kind::StdioEcho { .. } | Kind::ToolsList => Some(c.n),
                Kind::Http { conns, .. } => Some(c.n * conns),
                _ => None,
            };
            let cell = match (cell, planned) {
                (Cell2::Ok(mut o), Some(p)) if o.ops < p => {
                    o.note = Some(format!("time limit: {} of {p} requests measured", o.ops));
                    Cell2::Ok(o)
                }
                (cell, _) => cell,
            };
            let summary = match &cell {
                Cell2::Ok(o) => format!(
                    "ok: {} ops{}{}",
                    o.ops,
                    o.throughput
                        .map(|t| format!(", {t:.0}/s"))
                        .unwrap_or_default(),
                    o.p50_us
                        .map(|p| format!(", p50 {p:.0} µs"))
                        .unwrap_or_default()
                ),
                Cell2::Unsupported(_) => "n/a (unsupported)".into(),
                Cell2::Failed(e) => format!("FAILED: {}", e.chars().take(200).collect::<String>()),
            };
            eprintln!(
                "  {:<11} {:<8} {:>6.1}s  {summary}",
                s.id,
                imp.name,
                t0.elapsed().as_secs_f64()
            );
            results.insert((s.id.to_owned(), imp.name.clone()), cell);
        }
    }
    eprintln!("all scenarios: {:.1}s", t_all.elapsed().as_secs_f64());
    let table = render(&opts, &sizes, &scenarios, &results);
    println!("{table}");
    if let Some(path) = &opts.json {
        let mut j = serde_json::Map::new();
        for ((s, i), cell) in &results {
            j.entry(s.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("object")
                .insert(i.clone(), serde_json::to_value(cell)?);
        }
        let doc = json!({
            "quick": opts.quick,
            "impls": opts.impls.iter().map(|i| json!({"name": i.name, "command": i.cmd.join(" "), "path": i.path})).collect::<Vec<_>>(),
            "skipped": opts.skipped.iter().map(|(n, w)| json!({"name": n, "why": w})).collect::<Vec<_>>(),
            "results": j,
            "table": table,
        });
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, serde_json::to_vec_pretty(&doc)?)?;
    }
    // A peer's failure is a finding shown in the table; our own is a bug.
    let ours_failed: Vec<&str> = results
        .iter()
        .filter(|((_, i), cell)| i == "ours" && matches!(cell, Cell2::Failed(_)))
        .map(|((s, _), _)| s.as_str())
        .collect();
    if !ours_failed.is_empty() {
        bail!("ours failed in: {}", ours_failed.join(", "));
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let opts = parse_opts()?;
    let rt = if opts.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(run(opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_makes_a_valid_request() {
        let mut buf = Vec::new();
        request(7, &call_suffix("echo", json!({"message": "hi"})), &mut buf);
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["params"]["arguments"]["message"], "hi");
    }

    #[test]
    fn finds_the_response_in_an_sse_body() {
        let body = b"id: 1\ndata: \n\nevent: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\ndata: {\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{}}\n\n";
        let m = sse_message(body).unwrap();
        assert_eq!(response_id(&m).unwrap(), Some(3));
    }

    #[test]
    fn percentiles_pick_ranks() {
        let mut o = Outcome::default();
        percentiles((1..=100).map(|x| x * 1000).collect(), &mut o);
        assert_eq!(o.p50_us, Some(50.0));
        assert_eq!(o.p99_us, Some(99.0));
        assert_eq!(o.max_us, Some(100.0));
    }
}
