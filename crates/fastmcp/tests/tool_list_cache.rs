//! `tools/list` answers are reused while the listed tools are the same ones (see the
//! server's `list_cache`): what a client lists is still what the server has, page by
//! page and era by era, as tools are added, replaced and removed at run time.

use fastmcp::client::{Client, Mode};
use fastmcp::core::FnTool;
use fastmcp::prelude::*;
use fastmcp::protocol::{ProtocolVersion, Tool};
use serde_json::{json, Value};

fn echo(name: &str, description: &str) -> FnTool {
    FnTool::new(
        Tool::new(name, json!({"type": "object"})).with_description(description),
        |_ctx, _args| async { Ok(CallToolResult::text("ok")) },
    )
}

/// Every page of `tools/list`, raw: names and descriptions.
async fn pages(c: &Client) -> Pages {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r: Value = c.request("tools/list", params).await.unwrap();
        let page = r["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let d = t["description"].as_str().unwrap_or_default();
                (t["name"].as_str().unwrap().to_owned(), d.to_owned())
            })
            .collect();
        out.push(page);
        match r["nextCursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => return out,
        }
    }
}

/// The pages a listing should show.
type Pages = Vec<Vec<(String, String)>>;

fn page(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

#[tokio::test]
async fn lists_follow_every_change_in_both_eras_and_on_every_page() {
    let running = Server::new("lists", "1.0.0")
        .page_size(2)
        .tool(echo("a", "first"))
        .tool(echo("b", "second"))
        .tool(echo("c", "third"))
        .start()
        .await
        .unwrap();
    let modes = [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ];
    let mut clients = vec![];
    for m in modes {
        let c = Client::builder()
            .mode(m)
            .connect(running.connect_in_memory());
        clients.push(c.await.unwrap());
    }
    let handle = running.handle();
    let steps: Vec<(Box<dyn Fn()>, Pages)> = vec![
        (
            Box::new(|| {}),
            vec![
                page(&[("a", "first"), ("b", "second")]),
                page(&[("c", "third")]),
            ],
        ),
        (
            Box::new(|| handle.add_tool(echo("d", "fourth")).unwrap()),
            vec![
                page(&[("a", "first"), ("b", "second")]),
                page(&[("c", "third"), ("d", "fourth")]),
            ],
        ),
        (
            // The same name, a new tool: its new description is listed.
            Box::new(|| handle.add_tool(echo("b", "second, again")).unwrap()),
            vec![
                page(&[("a", "first"), ("b", "second, again")]),
                page(&[("c", "third"), ("d", "fourth")]),
            ],
        ),
        (
            Box::new(|| assert!(handle.remove_tool("a"))),
            vec![
                page(&[("b", "second, again"), ("c", "third")]),
                page(&[("d", "fourth")]),
            ],
        ),
    ];
    for (change, expected) in steps {
        change();
        for c in &clients {
            // Twice: the second listing is answered from what the first one made.
            assert_eq!(pages(c).await, expected, "{:?}", c.mode());
            assert_eq!(pages(c).await, expected, "{:?}", c.mode());
        }
    }
    running.shutdown().await.unwrap();
}
