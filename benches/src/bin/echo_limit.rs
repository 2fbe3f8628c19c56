//! The ceiling: a hand-written JSON-RPC echo server with no MCP framework.
//!
//! It answers `initialize`, `ping`, `tools/list` and `tools/call` (`echo`, `slow`, `work`,
//! `tool_N`) with canned shapes, parsing requests with serde_json (borrowed where it can) and
//! writing responses straight into a buffer. stdio: one thread reads lines and answers them,
//! and flushes only when no more input is waiting; `slow` and `work` calls sleep (and compute)
//! on worker threads, one per call in progress. HTTP: hyper 1 directly, stateless with JSON
//! responses or (`--stateful`) with a session table and one-event SSE responses.
//!
//! `echo-limit stdio [--tools N]` or `echo-limit http --port N [--stateful] [--tools N]`.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use fastmcp_bench::work::{compute_for, compute_part, sleep_part, WORK_REPLY};
use fastmcp_bench::{extra_tool_name, Mode, ServerArgs, SLOW_REPLY};
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Response, StatusCode};
use serde::Deserialize;
use serde_json::value::RawValue;

const VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

#[derive(Deserialize)]
struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct CallParams<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct EchoArgs<'a> {
    #[serde(borrow)]
    message: Cow<'a, str>,
}

#[derive(Deserialize)]
struct MsArgs {
    ms: u64,
}

#[derive(Deserialize)]
struct InitParams<'a> {
    #[serde(borrow, rename = "protocolVersion")]
    protocol_version: Cow<'a, str>,
}

/// What to do with one incoming message.
enum Action {
    /// A response was written to the output buffer.
    Replied,
    /// A notification or response: nothing to answer.
    Nothing,
    /// A `slow` or `work` call: answer `id` with `reply` after sleeping, then computing.
    Later {
        id: String,
        sleep: Duration,
        compute: Duration,
        reply: &'static str,
    },
    /// An initialize request was answered (HTTP mints a session for it).
    Initialized,
}

struct Handler {
    tools_list: String,
    extra_tools: usize,
}

impl Handler {
    fn new(extra_tools: usize) -> Handler {
        let mut tools = vec![
            tool_json("echo", "Echo the message back.", "message", "string"),
            tool_json(
                "slow",
                "Sleep `ms` milliseconds, then answer.",
                "ms",
                "integer",
            ),
            tool_json(
                "work",
                "Sleep half of `ms` milliseconds, compute for the other half, then answer.",
                "ms",
                "integer",
            ),
        ];
        for i in 0..extra_tools {
            tools.push(tool_json(
                &extra_tool_name(i),
                "Echo the message back.",
                "message",
                "string",
            ));
        }
        let tools_list = serde_json::json!({ "tools": tools }).to_string();
        Handler {
            tools_list,
            extra_tools,
        }
    }

    fn is_echo_tool(&self, name: &str) -> bool {
        name == "echo"
            || name
                .strip_prefix("tool_")
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n < self.extra_tools)
    }

    /// Handle one JSON-RPC message, appending the response (without a newline) to `out`.
    fn handle(&self, input: &[u8], out: &mut Vec<u8>) -> Action {
        let msg: Message = match serde_json::from_slice(input) {
            Ok(m) => m,
            Err(_) => {
                error(out, "null", -32700, "parse error");
                return Action::Replied;
            }
        };
        let (Some(id), Some(method)) = (msg.id, msg.method) else {
            return Action::Nothing;
        };
        let id = id.get();
        match method.as_ref() {
            "initialize" => {
                let requested = msg
                    .params
                    .and_then(|p| serde_json::from_str::<InitParams>(p.get()).ok())
                    .map(|p| p.protocol_version.into_owned());
                let version = match requested {
                    Some(v) if VERSIONS.contains(&v.as_str()) => v,
                    _ => VERSIONS[0].to_owned(),
                };
                result_start(out, id);
                out.extend_from_slice(b"{\"protocolVersion\":\"");
                out.extend_from_slice(version.as_bytes());
                out.extend_from_slice(
                    b"\",\"capabilities\":{\"tools\":{\"listChanged\":false}},\"serverInfo\":{\"name\":\"echo\",\"version\":\"1\"}}}",
                );
                Action::Initialized
            }
            "ping" => {
                result_start(out, id);
                out.extend_from_slice(b"{}}");
                Action::Replied
            }
            "tools/list" => {
                result_start(out, id);
                out.extend_from_slice(self.tools_list.as_bytes());
                out.push(b'}');
                Action::Replied
            }
            "tools/call" => {
                let Some(call) = msg
                    .params
                    .and_then(|p| serde_json::from_str::<CallParams>(p.get()).ok())
                else {
                    error(out, id, -32602, "invalid params");
                    return Action::Replied;
                };
                let args = call.arguments.map(|a| a.get()).unwrap_or("{}");
                if call.name == "slow" || call.name == "work" {
                    return later(&call.name, id, args, out);
                }
                if !self.is_echo_tool(&call.name) {
                    error(out, id, -32602, "unknown tool");
                    return Action::Replied;
                }
                match serde_json::from_str::<EchoArgs>(args) {
                    Ok(a) => text_result(out, id, &a.message),
                    Err(_) => error(out, id, -32602, "invalid arguments"),
                }
                Action::Replied
            }
            _ => {
                error(out, id, -32601, "method not found");
                Action::Replied
            }
        }
    }
}

/// The `Action::Later` of a `slow` or `work` call (or an error written to `out`).
fn later(name: &str, id: &str, args: &str, out: &mut Vec<u8>) -> Action {
    let Ok(a) = serde_json::from_str::<MsArgs>(args) else {
        error(out, id, -32602, "invalid arguments");
        return Action::Replied;
    };
    let id = id.to_owned();
    if name == "slow" {
        Action::Later {
            id,
            sleep: Duration::from_millis(a.ms),
            compute: Duration::ZERO,
            reply: SLOW_REPLY,
        }
    } else {
        Action::Later {
            id,
            sleep: sleep_part(a.ms),
            compute: compute_part(a.ms),
            reply: WORK_REPLY,
        }
    }
}

fn tool_json(name: &str, description: &str, arg: &str, ty: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "description": description,
        "inputSchema": {
            "type": "object",
            "properties": { arg: { "type": ty } },
            "required": [arg],
        },
    })
}

fn result_start(out: &mut Vec<u8>, id: &str) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(b",\"result\":");
}

fn text_result(out: &mut Vec<u8>, id: &str, text: &str) {
    result_start(out, id);
    out.extend_from_slice(b"{\"content\":[{\"type\":\"text\",\"text\":");
    serde_json::to_writer(&mut *out, text).expect("writing to a Vec");
    out.extend_from_slice(b"}],\"isError\":false}}");
}

fn error(out: &mut Vec<u8>, id: &str, code: i32, message: &str) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    out.extend_from_slice(id.as_bytes());
    out.extend_from_slice(
        format!(",\"error\":{{\"code\":{code},\"message\":\"{message}\"}}}}").as_bytes(),
    );
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads that run `slow` and `work` calls off the stdio loop: a call goes to an idle
/// thread, or to a new one when none is idle. Threads are kept, so that their CPU time stays
/// visible to the driver (it sums `/proc/<pid>/task/*`, which forgets ended threads).
struct Workers {
    tx: mpsc::Sender<Job>,
    rx: Arc<Mutex<mpsc::Receiver<Job>>>,
    /// Threads waiting for a job that no sent job has claimed yet.
    idle: Arc<AtomicUsize>,
}

impl Workers {
    fn new() -> Workers {
        let (tx, rx) = mpsc::channel();
        Workers {
            tx,
            rx: Arc::new(Mutex::new(rx)),
            idle: Arc::new(AtomicUsize::new(0)),
        }
    }

    fn run(&self, job: Job) {
        let claimed = self
            .idle
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
        if claimed.is_err() {
            let (rx, idle) = (self.rx.clone(), self.idle.clone());
            std::thread::spawn(move || loop {
                let job = rx.lock().expect("job queue").recv();
                let Ok(job) = job else { break };
                job();
                idle.fetch_add(1, Ordering::AcqRel);
            });
        }
        self.tx.send(job).expect("workers keep the receiver");
    }
}

fn run_stdio(handler: Handler) -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut input = std::io::BufReader::with_capacity(1 << 16, stdin.lock());
    let output = Arc::new(Mutex::new(std::io::BufWriter::with_capacity(
        1 << 16,
        std::io::stdout(),
    )));
    let mut line = Vec::with_capacity(1 << 12);
    let mut out = Vec::with_capacity(1 << 12);
    let workers = Workers::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        out.clear();
        match handler.handle(trimmed, &mut out) {
            Action::Replied | Action::Initialized => {
                out.push(b'\n');
                output.lock().expect("stdout lock").write_all(&out)?;
            }
            Action::Nothing => {}
            Action::Later {
                id,
                sleep,
                compute,
                reply,
            } => {
                let output = output.clone();
                workers.run(Box::new(move || {
                    std::thread::sleep(sleep);
                    compute_for(compute);
                    let mut out = Vec::new();
                    text_result(&mut out, &id, reply);
                    out.push(b'\n');
                    let mut w = output.lock().expect("stdout lock");
                    let _ = w.write_all(&out).and_then(|_| w.flush());
                }));
            }
        }
        // Flush once no more input is waiting: one write for a burst of pipelined requests.
        if input.buffer().is_empty() {
            output.lock().expect("stdout lock").flush()?;
        }
    }
    let flushed = output.lock().expect("stdout lock").flush();
    flushed
}

struct HttpState {
    handler: Handler,
    stateful: bool,
    sessions: Mutex<HashSet<String>>,
    next_session: AtomicU64,
}

type Body = Full<Bytes>;

fn status(code: StatusCode) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::new()));
    *r.status_mut() = code;
    r
}

async fn serve_request(
    state: Arc<HttpState>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Body>, hyper::Error> {
    if req.uri().path() != "/mcp" {
        return Ok(status(StatusCode::NOT_FOUND));
    }
    let session = req
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match *req.method() {
        Method::POST => {}
        Method::DELETE if state.stateful => {
            let removed = session.is_some_and(|s| state.sessions.lock().expect("lock").remove(&s));
            return Ok(status(if removed {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            }));
        }
        _ => return Ok(status(StatusCode::METHOD_NOT_ALLOWED)),
    }
    let body = req.into_body().collect().await?.to_bytes();
    let mut out = Vec::with_capacity(256);
    let action = state.handler.handle(&body, &mut out);
    let mut new_session = None;
    if state.stateful {
        if matches!(action, Action::Initialized) {
            let n = state.next_session.fetch_add(1, Ordering::Relaxed);
            let sid = format!("{n:016x}");
            state.sessions.lock().expect("lock").insert(sid.clone());
            new_session = Some(sid);
        } else {
            let known = session.is_some_and(|s| state.sessions.lock().expect("lock").contains(&s));
            if !known {
                return Ok(status(StatusCode::NOT_FOUND));
            }
        }
    }
    match action {
        Action::Nothing => return Ok(status(StatusCode::ACCEPTED)),
        Action::Later {
            id,
            sleep,
            compute,
            reply,
        } => {
            tokio::time::sleep(sleep).await;
            compute_for(compute);
            text_result(&mut out, &id, reply);
        }
        Action::Replied | Action::Initialized => {}
    }
    let (content_type, body) = if state.stateful {
        let mut sse = Vec::with_capacity(out.len() + 24);
        sse.extend_from_slice(b"event: message\ndata: ");
        sse.extend_from_slice(&out);
        sse.extend_from_slice(b"\n\n");
        ("text/event-stream", sse)
    } else {
        ("application/json", out)
    };
    let mut builder = Response::builder().header("content-type", content_type);
    if let Some(sid) = new_session {
        builder = builder.header("mcp-session-id", sid);
    }
    Ok(builder
        .body(Full::new(Bytes::from(body)))
        .expect("valid response"))
}

async fn run_http(handler: Handler, port: u16, stateful: bool) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let state = Arc::new(HttpState {
        handler,
        stateful,
        sessions: Mutex::new(HashSet::new()),
        next_session: AtomicU64::new(1),
    });
    loop {
        let (tcp, _) = listener.accept().await?;
        let _ = tcp.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| serve_request(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tcp), svc)
                .await;
        });
    }
}

fn main() -> anyhow::Result<()> {
    let args = ServerArgs::from_env();
    let handler = Handler::new(args.tools);
    match args.mode {
        Mode::Stdio => run_stdio(handler)?,
        Mode::Http { port, stateful } => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(run_http(handler, port, stateful))?,
    }
    Ok(())
}
