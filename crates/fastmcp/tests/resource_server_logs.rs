//! Tokens never reach the logs of a protected server: everything it logs at TRACE while it
//! refuses bad, foreign, short and misplaced tokens and serves a good one is captured and
//! searched. A test binary of its own: the subscriber is the process's global one, which
//! no other test can disturb.

use std::io::Write;
use std::sync::{Arc, Mutex};

use fastmcp::auth::{ResourceServer, StaticTokens};
use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, FnTool};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::HttpOptions;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::{AuthInfo, Server};
use serde_json::json;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// A writer into a shared buffer, for a tracing subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const GOOD: &str = "good-secret-token-1";
const SHORT: &str = "short-secret-token-2";
const FOREIGN: &str = "foreign-secret-token-3";
const GARBAGE: &str = "garbage-secret-token-4";

#[tokio::test]
async fn tokens_never_appear_in_the_logs() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || sink.clone())
        .finish();
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    let resource = format!("http://{addr}/mcp");
    let tokens = StaticTokens::new()
        .token(
            GOOD,
            AuthInfo::new().with_subject("a").with_scopes(["read"]),
        )
        .token(SHORT, AuthInfo::new().with_subject("b"))
        .token(
            FOREIGN,
            AuthInfo::new()
                .with_scopes(["read"])
                .with_audience(["https://elsewhere/mcp"]),
        );
    let rs = ResourceServer::new(resource.clone(), tokens).required_scopes(["read"]);
    let running = Server::new("logs", "1.0.0")
        .tool(FnTool::typed("hello", "", |_: Context, _: Empty| async {
            "hi"
        }))
        .start()
        .await
        .unwrap();
    tokio::spawn(async move { running.serve_http(l, HttpOptions::default().auth(rs)).await });

    let http = reqwest::Client::new();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}});
    for (token, query) in [
        (Some(GOOD), String::new()),
        (Some(SHORT), String::new()),
        (Some(FOREIGN), String::new()),
        (Some(GARBAGE), String::new()),
        (None, String::new()),
        (Some(GOOD), format!("?access_token={GOOD}")),
    ] {
        let mut req = http
            .post(format!("{resource}{query}"))
            .header("accept", "application/json, text/event-stream")
            .json(&init);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.unwrap();
    }
    let c = Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .connect(StreamableHttp::new(&resource).header("Authorization", format!("Bearer {GOOD}")))
        .await
        .unwrap();
    c.call_tool("hello", json!({})).await.unwrap();

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("request refused"),
        "the refusals are logged: {text}"
    );
    for t in [GOOD, SHORT, FOREIGN, GARBAGE] {
        assert!(!text.contains(t), "token {t} in the logs");
    }
}
