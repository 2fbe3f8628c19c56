//! MCPConfig: one client of several servers (two child processes and one over Streamable
//! HTTP), with names prefixed by server and calls routed back.

use fastmcp::client::{Client, McpConfig, MultiClient};
use fastmcp::prelude::*;
use fastmcp::protocol::ContentBlock;
use fastmcp::server::HttpOptions;
use serde_json::json;

/// Echo a word.
#[tool]
async fn shout(word: String) -> String {
    word.to_uppercase()
}

/// A note.
#[resource("notes://today")]
async fn today() -> &'static str {
    "remote note"
}

#[tokio::test]
async fn a_multi_server_client_prefixes_and_routes() {
    let running = Server::new("remote", "0")
        .tool(shout)
        .resource(today)
        .start()
        .await
        .unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    let r = running.clone();
    tokio::spawn(async move { r.serve_http(l, HttpOptions::default()).await });

    let config = McpConfig::from_json(
        &json!({"mcpServers": {
            "calc": {"command": env!("CARGO_BIN_EXE_quickstart")},
            "library": {"command": env!("CARGO_BIN_EXE_resources"), "env": {"RUST_LOG": "warn"}},
            "remote": {"url": url, "headers": {"x-test": "1"}}
        }})
        .to_string(),
    )
    .unwrap();
    let multi = MultiClient::connect(&config, Client::builder)
        .await
        .unwrap();
    let tools: Vec<String> = multi
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(tools, ["calc_add", "calc_divide", "remote_shout"]);
    let sum = multi
        .call_tool("calc_add", json!({"a": 2, "b": 3}))
        .await
        .unwrap();
    assert_eq!(sum.content, vec![ContentBlock::text("5")]);
    let loud = multi
        .call_tool("remote_shout", json!({"word": "hi"}))
        .await
        .unwrap();
    assert_eq!(loud.content, vec![ContentBlock::text("HI")]);
    assert!(multi.call_tool("nobody_add", json!({})).await.is_err());

    let uris: Vec<String> = multi
        .list_resources()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.uri)
        .collect();
    assert!(
        uris.contains(&"docs://library/readme".to_string()),
        "{uris:?}"
    );
    assert!(
        uris.contains(&"notes://remote/today".to_string()),
        "{uris:?}"
    );
    let note = multi.read_resource("notes://remote/today").await.unwrap();
    assert!(format!("{:?}", note.contents[0]).contains("remote note"));
    multi.close().await.unwrap();
}
