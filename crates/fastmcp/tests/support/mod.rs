//! Shared pieces of the integration tests.
#![allow(dead_code)]

pub mod redis;
pub mod tools;

use std::sync::{Arc, Mutex};

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{BoxFuture, Error};
use fastmcp::protocol::{
    CreateMessageRequestParams, CreateMessageResult, ElicitAction, ElicitRequestParams,
    ElicitResult, ListRootsResult, LoggingMessageNotificationParams, ProgressNotificationParams,
    ProtocolVersion,
};
use fastmcp::server::RunningServer;
use serde_json::value::RawValue;

/// A client handler that records notifications and accepts elicitations with fixed content.
#[derive(Default, Clone)]
pub struct Recorder {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParams>>>,
    pub logs: Arc<Mutex<Vec<LoggingMessageNotificationParams>>>,
    pub other: Arc<Mutex<Vec<String>>>,
    pub elicitations: Arc<Mutex<Vec<String>>>,
    pub answer: serde_json::Map<String, serde_json::Value>,
}

impl ClientHandler for Recorder {
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            sampling: true,
            roots: true,
        }
        .capabilities()
    }

    fn elicit(&self, params: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        let msg = match &params {
            ElicitRequestParams::Form(f) => f.message.clone(),
            ElicitRequestParams::Url(u) => u.message.clone(),
        };
        self.elicitations.lock().unwrap().push(msg);
        let content = self.answer.clone();
        Box::pin(async move {
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content: Some(content),
                ..Default::default()
            })
        })
    }

    fn sample(
        &self,
        p: CreateMessageRequestParams,
    ) -> BoxFuture<'_, Result<CreateMessageResult, Error>> {
        let n = p.messages.len();
        Box::pin(async move {
            Ok(serde_json::from_value(serde_json::json!({
                "role": "assistant",
                "content": {"type": "text", "text": format!("sampled {n} message(s)")},
                "model": "test-model",
                "stopReason": "endTurn"
            }))
            .unwrap())
        })
    }

    fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
        Box::pin(async {
            Ok(serde_json::from_value(serde_json::json!({
                "roots": [{"uri": "file:///work", "name": "work"}]
            }))
            .unwrap())
        })
    }

    fn on_progress(&self, p: ProgressNotificationParams) {
        self.progress.lock().unwrap().push(p);
    }

    fn on_log(&self, p: LoggingMessageNotificationParams) {
        self.logs.lock().unwrap().push(p);
    }

    fn on_notification(&self, method: &str, _: Option<&RawValue>) {
        self.other.lock().unwrap().push(method.to_owned());
    }
}

/// The names of the tools `c` lists, sorted.
pub async fn tool_names(c: &Client) -> Vec<String> {
    let mut names: Vec<_> = c
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    names.sort();
    names
}

/// Both eras, for tests that run once per era.
pub fn modes() -> [Mode; 2] {
    [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ]
}

/// A client of `server` over the in-memory transport.
pub async fn client(server: &RunningServer, mode: Mode, handler: Recorder) -> Client {
    Client::builder()
        .mode(mode)
        .handler(handler)
        .log_level(fastmcp::protocol::LoggingLevel::Debug)
        .connect(server.connect_in_memory())
        .await
        .expect("connect")
}

/// Serve `running` over HTTP (every transport) on a fresh port of 127.0.0.1.
pub async fn serve_http(
    running: &RunningServer,
    opts: fastmcp::server::HttpOptions,
) -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let r = running.clone();
    tokio::spawn(async move { r.serve_http(l, opts).await });
    addr
}

/// This process's resident set in KiB (0 where /proc is not available).
pub fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One in-memory and one Streamable HTTP client (on a fresh HTTP listener of `server`) per
/// era, each with a name for assertion messages.
pub async fn memory_and_http_clients(server: &RunningServer) -> Vec<(String, Client)> {
    let addr = serve_http(server, Default::default()).await;
    let mut out = vec![];
    for mode in modes() {
        out.push((
            format!("in-memory {mode:?}"),
            client(server, mode, Recorder::default()).await,
        ));
        let http = Client::builder()
            .mode(mode)
            .connect(fastmcp::transport::http_client::StreamableHttp::new(
                format!("http://{addr}/mcp"),
            ))
            .await
            .unwrap();
        out.push((format!("HTTP {mode:?}"), http));
    }
    out
}

/// The arguments that run only the test `child_stdio_server` of this test binary, quietly.
pub const CHILD_ARGS: [&str; 5] = [
    "--exact",
    "child_stdio_server",
    "--nocapture",
    "--test-threads=1",
    "-q",
];

/// This test binary started again as a child process whose test `child_stdio_server`
/// serves over stdio (see [`serve_stdio_when`]), with `flag` set in its environment.
pub fn child_server(flag: &str) -> fastmcp::transport::ChildTransport {
    fastmcp::transport::ChildTransport::new(std::env::current_exe().unwrap())
        .args(CHILD_ARGS)
        .env(flag, "1")
}

/// The body of a test binary's `child_stdio_server`: serves `make()` over stdio when `flag`
/// is set (in a child made by [`child_server`]), does nothing otherwise.
pub fn serve_stdio_when(flag: &str, make: impl FnOnce() -> fastmcp::Server) {
    if std::env::var_os(flag).is_none() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async { make().run_stdio().await.unwrap() });
}
