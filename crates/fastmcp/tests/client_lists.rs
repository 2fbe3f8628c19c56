//! The client's auto-pagination against a scripted server: three pages are listed whole;
//! a server that loops its cursors is stopped with a clear error.

use fastmcp::client::Client;
use fastmcp::protocol::Message;
use serde_json::{json, Value};

/// A fake server on the other end of an in-memory channel: answers `initialize`, and
/// `tools/list` from `pages` (cursor → (names, next cursor)).
fn fake(
    pages: Vec<(
        Option<&'static str>,
        Vec<&'static str>,
        Option<&'static str>,
    )>,
) -> fastmcp::transport::Channel {
    let (client_end, mut server_end) = fastmcp::transport::memory::pair(64);
    tokio::spawn(async move {
        while let Some(Ok(bytes)) = server_end.inbound.recv().await {
            let Ok(Message::Request(r)) = Message::parse(&bytes) else {
                continue;
            };
            let params: Value = r
                .params
                .as_deref()
                .map(|p| serde_json::from_str(p.get()).unwrap())
                .unwrap_or(json!({}));
            let result = match r.method.as_str() {
                "initialize" => {
                    json!({"protocolVersion": "2025-11-25", "capabilities": {"tools": {}}, "serverInfo": {"name": "fake", "version": "0"}})
                }
                "tools/list" => {
                    let cursor = params.get("cursor").and_then(Value::as_str);
                    let (_, names, next) = pages
                        .iter()
                        .find(|(c, _, _)| *c == cursor)
                        .expect("known cursor");
                    let tools: Vec<Value> = names
                        .iter()
                        .map(|n| json!({"name": n, "inputSchema": {"type": "object"}}))
                        .collect();
                    let mut r = json!({"tools": tools});
                    if let Some(n) = next {
                        r["nextCursor"] = json!(n);
                    }
                    r
                }
                _ => json!({}),
            };
            let reply = json!({"jsonrpc": "2.0", "id": r.id, "result": result});
            if server_end.outbound.send(reply.to_string()).await.is_err() {
                break;
            }
        }
    });
    client_end
}

#[tokio::test]
async fn three_pages_are_listed_whole() {
    let ch = fake(vec![
        (None, vec!["a", "b"], Some("p2")),
        (Some("p2"), vec!["c", "d"], Some("p3")),
        (Some("p3"), vec!["e"], None),
    ]);
    let c = Client::connect(ch).await.unwrap();
    let names: Vec<_> = c
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn a_cursor_loop_is_stopped_with_a_clear_error() {
    let ch = fake(vec![
        (None, vec!["a"], Some("x")),
        (Some("x"), vec!["b"], Some("y")),
        (Some("y"), vec!["c"], Some("x")),
    ]);
    let c = Client::connect(ch).await.unwrap();
    let e = c.list_tools().await.unwrap_err();
    assert!(e.message().contains("repeated cursor"), "{e:?}");
    assert!(e.message().contains("\"x\""), "{e:?}");
}
