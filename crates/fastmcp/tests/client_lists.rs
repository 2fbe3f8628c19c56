//! The client against scripted servers: three pages are listed whole; a server that loops
//! its cursors is stopped with a clear error; `Mode::Auto` falls back to the handshake,
//! and with a modern server stays stateless, knowing the server's name from `server/discover`.

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
            let result = match &*r.method {
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
                "notifications/initialized" | "ping" => json!({}),
                other => {
                    let e = json!({"jsonrpc": "2.0", "id": r.id, "error": {"code": -32601, "message": format!("Method not found: {other}")}});
                    if server_end.outbound.send(e.to_string()).await.is_err() {
                        break;
                    }
                    continue;
                }
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

#[tokio::test]
async fn auto_mode_falls_back_to_the_handshake_for_an_old_server() {
    let ch = fake(vec![(None, vec!["old"], None)]);
    let c = Client::builder()
        .mode(fastmcp::client::Mode::Auto)
        .connect(ch)
        .await
        .unwrap();
    assert!(
        matches!(c.mode(), fastmcp::client::Mode::Handshake(_)),
        "{:?}",
        c.mode()
    );
    assert_eq!(c.server_info().unwrap().name, "fake");
    assert_eq!(c.list_tools().await.unwrap()[0].name, "old");
}

#[tokio::test]
async fn auto_mode_stays_stateless_with_a_modern_server() {
    let running = fastmcp::Server::new("modern", "0").start().await.unwrap();
    let c = Client::builder()
        .mode(fastmcp::client::Mode::Auto)
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    assert_eq!(
        c.mode(),
        fastmcp::client::Mode::Stateless(fastmcp::protocol::ProtocolVersion::V2026_07_28)
    );
    assert!(c.server_capabilities().logging.is_some());
    let info = c.server_info().expect("serverInfo from server/discover");
    assert_eq!((info.name.as_str(), info.version.as_str()), ("modern", "0"));
    // Stateless with discovery asked for: the same; without: nothing was said.
    for (discover, named) in [(true, true), (false, false)] {
        let c = Client::builder()
            .mode(fastmcp::client::Mode::Stateless(
                fastmcp::protocol::ProtocolVersion::V2026_07_28,
            ))
            .discover(discover)
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        assert_eq!(c.server_info().is_some(), named, "discover({discover})");
    }
}
