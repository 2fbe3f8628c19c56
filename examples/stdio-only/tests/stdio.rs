//! The lean server, started as a child process and driven over stdio by the client, in both
//! protocol eras.

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::{ContentBlock, ProtocolVersion};
use fastmcp::transport::ChildTransport;
use serde_json::json;

#[tokio::test]
async fn the_tool_answers_over_stdio() {
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_06_18),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let c = Client::builder()
            .mode(mode)
            .connect(ChildTransport::new(env!("CARGO_BIN_EXE_stdio-only")))
            .await
            .unwrap();
        let tools = c.list_tools().await.unwrap();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].name, "add");
        let r = c.call_tool("add", json!({"a": 2, "b": 40})).await.unwrap();
        assert_eq!(r.content, vec![ContentBlock::text("42")]);
        let sum: i64 = c
            .call_tool_as("add", json!({"a": -1, "b": 1}))
            .await
            .unwrap();
        assert_eq!(sum, 0);
        c.close().await.unwrap();
    }
}
