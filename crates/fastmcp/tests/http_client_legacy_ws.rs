//! Our client over the legacy HTTP+SSE transport (`/sse` + `/messages`) and over WebSocket
//! (`/ws`), against our server's `serve_http` on 127.0.0.1.

mod support;

use std::time::Duration;

use fastmcp::client::{Client, ClientBuilder, Mode};
use fastmcp::core::{Context, FnTool};
use fastmcp::protocol::ProtocolVersion;
use fastmcp::server::HttpOptions;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::Server;
use serde_json::{json, Value};
use support::tools;
use support::Recorder;

fn server() -> Server {
    Server::new("legacy-ws-test", "1.0.0")
        .tool(tools::add())
        .tool(tools::progress(None))
        .tool(tools::ask())
        .tool(FnTool::typed(
            "echo",
            "Echoes a text.",
            |_: Context, a: serde_json::Map<String, Value>| async move {
                a["text"].as_str().unwrap_or("").to_owned()
            },
        ))
}

/// The server's address (`127.0.0.1:port`).
async fn serve() -> String {
    let running = server().start().await.unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap().to_string();
    tokio::spawn(async move { running.serve_http(l, HttpOptions::default()).await });
    addr
}

fn builder(mode: Mode, rec: Recorder) -> ClientBuilder {
    Client::builder()
        .mode(mode)
        .handler(rec)
        .timeout(Duration::from_secs(20))
}

fn recorder() -> Recorder {
    Recorder {
        answer: json!({"name": "Grace", "age": 85})
            .as_object()
            .unwrap()
            .clone(),
        ..Recorder::default()
    }
}

/// What every transport must carry: requests, notifications, server-to-client requests.
async fn exercise(c: &Client, rec: &Recorder) {
    assert_eq!(c.server_info().unwrap().name, "legacy-ws-test");
    assert_eq!(c.list_tools().await.unwrap().len(), 4);
    assert_eq!(
        c.call_tool_as::<i64>("add", json!({"a": 2, "b": 40}))
            .await
            .unwrap(),
        42
    );
    c.set_log_level(fastmcp::protocol::LoggingLevel::Debug)
        .await
        .unwrap();
    c.request::<Value>(
        "tools/call",
        json!({"name": "progress", "arguments": {}, "_meta": {"progressToken": 1}}),
    )
    .await
    .unwrap();
    assert_eq!(rec.progress.lock().unwrap().len(), 3);
    assert_eq!(rec.logs.lock().unwrap()[0].data, json!("done"));
    let r = c.call_tool("ask", json!({})).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("Grace is 85"));
    // Concurrent requests.
    let calls = (0..8).map(|i| {
        let c = c.clone();
        async move { c.call_tool_as::<i64>("add", json!({"a": i, "b": 1})).await }
    });
    let sums: Vec<i64> = futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(sums, (1..=8).collect::<Vec<_>>());
    c.ping().await.unwrap();
}

#[tokio::test]
async fn legacy_http_sse_in_2024_11_05_and_later() {
    let addr = serve().await;
    let url = format!("http://{addr}/sse");
    for v in [ProtocolVersion::V2024_11_05, ProtocolVersion::V2025_11_25] {
        let rec = recorder();
        let c = builder(Mode::Handshake(v), rec.clone())
            .connect(LegacySse::new(&url))
            .await
            .unwrap();
        assert_eq!(c.protocol_version(), v);
        exercise(&c, &rec).await;
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn legacy_sse_limits_and_failures() {
    let addr = serve().await;
    // A message over the limit is dropped (reported to the client's reader as a framing
    // error): the legacy transport cannot tell whose answer it was, so the call times out.
    let c = builder(Mode::Handshake(ProtocolVersion::V2024_11_05), recorder())
        .timeout(Duration::from_secs(1))
        .connect(LegacySse::new(format!("http://{addr}/sse")).max_message_size(300))
        .await
        .unwrap();
    let big = "x".repeat(400);
    let e = c
        .call_tool("echo", json!({ "text": big }))
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32001, "{e:?}");
    let r = c.call_tool("echo", json!({"text": "small"})).await.unwrap();
    assert_eq!(r.content[0].as_text(), Some("small"));
    // Not an SSE endpoint.
    let e = Client::builder()
        .connect(LegacySse::new(format!("http://{addr}/nope")))
        .await
        .err()
        .unwrap();
    assert!(e.message().contains("404"), "{e:?}");
}

#[tokio::test]
async fn websocket_in_both_eras() {
    let addr = serve().await;
    let url = format!("ws://{addr}/ws");
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let rec = recorder();
        let c = builder(mode, rec.clone())
            .connect(WebSocket::new(&url).header("x-test", "1"))
            .await
            .unwrap();
        if let Mode::Handshake(_) = mode {
            exercise(&c, &rec).await;
        } else {
            let r = c.call_tool("ask", json!({})).await.unwrap();
            assert_eq!(r.content[0].as_text(), Some("Grace is 85"));
            assert_eq!(
                c.call_tool_as::<i64>("add", json!({"a": 1, "b": 2}))
                    .await
                    .unwrap(),
                3
            );
        }
        c.close().await.unwrap();
    }
    // Not a WebSocket endpoint.
    assert!(Client::builder()
        .connect(WebSocket::new(format!("ws://{addr}/mcp")))
        .await
        .is_err());
}

#[tokio::test]
async fn websocket_messages_over_the_limit_end_the_connection() {
    let addr = serve().await;
    let mut ch = WebSocket::new(format!("ws://{addr}/ws"))
        .max_message_size(100)
        .connect()
        .await
        .unwrap();
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "t", "version": "0"}}});
    ch.outbound.send(init.to_string()).await.unwrap();
    let first = ch.inbound.recv().await.unwrap();
    assert_eq!(
        first,
        Err(fastmcp::transport::FrameError::TooLarge { limit: 100 })
    );
    assert!(ch.inbound.recv().await.is_none(), "the connection ended");
}
