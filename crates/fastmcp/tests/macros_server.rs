//! Components made by the attributes, served by a real `Server` to a real client over the
//! in-memory transport.

use std::sync::atomic::{AtomicU64, Ordering};

use fastmcp::client::{Client, Mode};
use fastmcp::prelude::*;
use fastmcp::protocol::ProtocolVersion;
use serde_json::json;

/// Add two numbers.
#[tool(tags("math"), annotations(read_only))]
async fn add(a: i64, #[arg(default = 10)] b: i64) -> i64 {
    a + b
}

/// A user's post.
#[resource("users://{id}/posts{?lang}", mime_type = "text/plain")]
fn posts(id: u32, lang: Option<String>) -> String {
    format!("posts of {id} in {}", lang.unwrap_or_else(|| "en".into()))
}

fn topics(prefix: &str) -> Vec<String> {
    ["rust", "mcp", "macros"]
        .iter()
        .filter(|t| t.starts_with(prefix))
        .map(|t| t.to_string())
        .collect()
}

/// Explain a topic.
#[prompt]
fn explain(#[arg(complete = topics)] topic: String, depth: Option<u8>) -> String {
    format!("Explain {topic} at depth {}", depth.unwrap_or(1))
}

#[derive(Default)]
struct Hits {
    n: AtomicU64,
}

#[tools]
impl Hits {
    /// Count a hit.
    #[tool]
    fn hit(&self) -> u64 {
        self.n.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The hit count.
    #[resource("hits://count")]
    fn count(&self) -> String {
        self.n.load(Ordering::SeqCst).to_string()
    }
}

fn server() -> Server {
    Server::new("macros", "1.0.0")
        .tool(add)
        .resource(posts)
        .prompt(explain)
        .components(Hits::default())
}

#[tokio::test]
async fn served_components_work_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let c = Client::builder()
            .mode(mode)
            .connect(running.connect_in_memory())
            .await
            .unwrap();

        let tools = c.list_tools().await.unwrap();
        let names: Vec<&str> = tools.iter().map(|t| t.name.as_str()).collect();
        assert!(
            names.contains(&"add") && names.contains(&"hit"),
            "{names:?}"
        );
        let add_def = tools.iter().find(|t| t.name == "add").unwrap();
        assert_eq!(add_def.description.as_deref(), Some("Add two numbers."));
        assert_eq!(add_def.input_schema["required"], json!(["a"]));
        assert_eq!(add_def.input_schema["properties"]["b"]["default"], 10);

        assert_eq!(
            c.call_tool_as::<i64>("add", json!({"a": 1})).await.unwrap(),
            11
        );
        assert_eq!(
            c.call_tool_as::<i64>("add", json!({"a": 1, "b": 2}))
                .await
                .unwrap(),
            3
        );
        let bad = c.call_tool("add", json!({"a": "one"})).await;
        assert!(
            bad.as_ref().map_or(true, |r| r.is_error()),
            "invalid arguments must fail: {bad:?}"
        );

        let templates = c.list_resource_templates().await.unwrap();
        assert!(templates
            .iter()
            .any(|t| t.uri_template == "users://{id}/posts{?lang}" && t.name == "posts"));
        let read = c.read_resource("users://7/posts?lang=fr").await.unwrap();
        assert_eq!(
            serde_json::to_value(&read.contents[0]).unwrap()["text"],
            "posts of 7 in fr"
        );
        let read = c.read_resource("users://7/posts").await.unwrap();
        assert_eq!(
            serde_json::to_value(&read.contents[0]).unwrap()["text"],
            "posts of 7 in en"
        );

        let p = c
            .get_prompt("explain", json!({"topic": "rust", "depth": "3"}))
            .await
            .unwrap();
        assert_eq!(
            p.messages[0].content.as_text(),
            Some("Explain rust at depth 3")
        );
        let missing = c.get_prompt("explain", json!({})).await.unwrap_err();
        assert_eq!(missing.code(), -32602);
        let done = c.complete_prompt("explain", "topic", "m").await.unwrap();
        assert_eq!(done.completion.values, ["mcp", "macros"]);

        let before: u64 = c.call_tool_as("hit", json!({})).await.unwrap();
        let after: u64 = c.call_tool_as("hit", json!({})).await.unwrap();
        assert_eq!(after, before + 1);
        let read = c.read_resource("hits://count").await.unwrap();
        assert_eq!(
            serde_json::to_value(&read.contents[0]).unwrap()["text"],
            after.to_string()
        );
    }
}
