//! Every example binary, started as a child process and driven over stdio by the client,
//! in both protocol eras.

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{BoxFuture, Error};
use fastmcp::protocol::{
    ContentBlock, ElicitAction, ElicitRequestParams, ElicitResult, ProgressNotificationParams,
    ProtocolVersion, ResourceContents,
};
use fastmcp::transport::ChildTransport;
use serde_json::json;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct H {
    progress: Arc<Mutex<u32>>,
    schema: Arc<Mutex<serde_json::Value>>,
}

impl ClientHandler for H {
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            ..fastmcp::client::Supports::NONE
        }
        .capabilities()
    }

    fn elicit(&self, p: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        if let ElicitRequestParams::Form(f) = p {
            *self.schema.lock().unwrap() = f.requested_schema.clone();
        }
        Box::pin(async {
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content: json!({"size": "Large", "quantity": 2, "gift": true})
                    .as_object()
                    .cloned(),
                ..Default::default()
            })
        })
    }

    fn on_progress(&self, _: ProgressNotificationParams) {
        *self.progress.lock().unwrap() += 1;
    }
}

const MODES: [Mode; 2] = [
    Mode::Handshake(ProtocolVersion::V2025_06_18),
    Mode::Stateless(ProtocolVersion::V2026_07_28),
];

async fn start(bin: &str, mode: Mode, h: H) -> Client {
    Client::builder()
        .mode(mode)
        .handler(h)
        .connect(ChildTransport::new(bin))
        .await
        .unwrap()
}

fn text(r: &fastmcp::protocol::ReadResourceResult) -> String {
    match &r.contents[0] {
        ResourceContents::Text(t) => t.text.clone(),
        ResourceContents::Blob(b) => b.blob.clone(),
    }
}

#[tokio::test]
async fn resources_example() {
    for mode in MODES {
        let c = start(env!("CARGO_BIN_EXE_resources"), mode, H::default()).await;
        assert_eq!(c.list_resources().await.unwrap().len(), 2);
        assert_eq!(c.list_resource_templates().await.unwrap().len(), 3);
        assert!(text(&c.read_resource("docs://readme").await.unwrap()).starts_with("# Library"));
        assert_eq!(
            text(&c.read_resource("images://logo.png").await.unwrap()),
            "iVBORw0KGgo="
        );
        assert_eq!(
            text(&c.read_resource("books://dune").await.unwrap()),
            r#"{"chapters":3,"id":"dune"}"#
        );
        // Resource not found: -32002 before 2026-07-28, -32602 from then on.
        let not_found = if matches!(mode, Mode::Stateless(_)) {
            -32602
        } else {
            -32002
        };
        assert_eq!(
            c.read_resource("books://nope").await.unwrap_err().code(),
            not_found
        );
        assert_eq!(
            text(
                &c.read_resource("books://emma/files/ch1/intro.md")
                    .await
                    .unwrap()
            ),
            "contents of ch1/intro.md in emma"
        );
        assert_eq!(
            c.read_resource("books://emma/files/../../etc/passwd")
                .await
                .unwrap_err()
                .code(),
            -32602
        );
        assert_eq!(
            text(&c.read_resource("search://books?q=u&limit=1").await.unwrap()),
            r#"{"hits":["dune"]}"#
        );
        assert_eq!(
            text(&c.read_resource("search://books").await.unwrap()),
            r#"{"hits":["dune","emma","ulysses"]}"#
        );
        let comp = c
            .complete_resource("books://{id}", "id", "e")
            .await
            .unwrap();
        assert_eq!(comp.completion.values, ["emma"]);
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn prompts_example() {
    for mode in MODES {
        let c = start(env!("CARGO_BIN_EXE_prompts"), mode, H::default()).await;
        let prompts = c.list_prompts().await.unwrap();
        assert_eq!(prompts[0].name, "explain");
        let args = prompts[0].arguments.as_ref().unwrap();
        assert_eq!(args[0].required, Some(true));
        assert_eq!(args[1].required, Some(false));
        assert_eq!(args[0].description.as_deref(), Some("What to explain"));
        let g = c
            .get_prompt("explain", json!({"topic": "ownership"}))
            .await
            .unwrap();
        assert_eq!(
            g.messages[0].content,
            ContentBlock::text("Explain ownership in a concise way.")
        );
        let q = c
            .get_prompt("quiz", json!({"subject": "Rust", "questions": "3"}))
            .await
            .unwrap();
        assert_eq!(q.messages.len(), 2);
        assert_eq!(
            q.messages[0].content,
            ContentBlock::text("Ask me 3 questions about Rust.")
        );
        assert_eq!(
            c.get_prompt("quiz", json!({"subject": "Rust", "questions": "many"}))
                .await
                .unwrap_err()
                .code(),
            -32602
        );
        assert_eq!(
            c.complete_prompt("explain", "style", "d")
                .await
                .unwrap()
                .completion
                .values,
            ["detailed"]
        );
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn context_example() {
    for mode in MODES {
        let h = H::default();
        let c = start(env!("CARGO_BIN_EXE_context"), mode, h.clone()).await;
        let r = c
            .request_value("tools/call", json!({"name": "process", "arguments": {"items": 5}, "_meta": {"progressToken": 1}}), None)
            .await
            .unwrap();
        assert_eq!(r["content"][0]["text"], "processed 5");
        assert_eq!(*h.progress.lock().unwrap(), 5);
        let t = c.call_tool("transfer", json!({"amount": 7})).await.unwrap();
        assert_eq!(t.content, vec![ContentBlock::text("transferred 7")]);
        let f = c.call_tool("fan_out", json!({})).await.unwrap();
        assert_eq!(f.content, vec![ContentBlock::text("[10, 20]")]);
        let v1: u32 = c.call_tool_as("visits", json!({})).await.unwrap();
        let v2: u32 = c.call_tool_as("visits", json!({})).await.unwrap();
        match mode {
            // A handshake session keeps its state between requests.
            Mode::Handshake(_) => assert_eq!((v1, v2), (1, 2)),
            // Each stateless request is a session of its own.
            _ => assert_eq!((v1, v2), (1, 1)),
        }
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn elicitation_example() {
    for mode in MODES {
        let h = H::default();
        let c = start(env!("CARGO_BIN_EXE_elicitation"), mode, h.clone()).await;
        let r = c.call_tool("order_coffee", json!({})).await.unwrap();
        assert_eq!(
            r.content,
            vec![ContentBlock::text("2 large coffee(s), gift wrapped")],
            "{mode:?}"
        );
        let schema = h.schema.lock().unwrap().clone();
        assert_eq!(
            schema["properties"]["size"]["enum"],
            json!(["Small", "Medium", "Large"])
        );
        assert_eq!(schema["required"], json!(["size", "quantity"]));
        c.close().await.unwrap();
    }
}

/// The proxy example in front of the composed example (a child of the proxy), in both
/// eras: the composed server's tools, called through the proxy.
#[tokio::test]
async fn proxy_example() {
    for mode in MODES {
        let t = ChildTransport::new(env!("CARGO_BIN_EXE_proxy"))
            .args(["--", env!("CARGO_BIN_EXE_composed")]);
        let c = Client::builder()
            .mode(mode)
            .handler(H::default())
            .connect(t)
            .await
            .unwrap();
        assert_eq!(c.list_tools().await.unwrap().len(), 3, "{mode:?}");
        let r = c
            .call_tool("math_add", json!({"a": 2, "b": 40}))
            .await
            .unwrap();
        assert!(
            matches!(&r.content[0], ContentBlock::Text(t) if t.text == "42"),
            "{mode:?}: {r:?}"
        );
        c.close().await.unwrap();
    }
}

/// The OpenAPI example serves the Petstore document (the crate's fixture) as tools.
#[tokio::test]
async fn openapi_example() {
    let doc = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/fastmcp-openapi/tests/fixtures/v3.0-petstore.yaml"
    );
    for mode in MODES {
        // Port 9 (discard) of the loopback: nothing listens there.
        let t =
            ChildTransport::new(env!("CARGO_BIN_EXE_openapi")).args([doc, "http://127.0.0.1:9"]);
        let c = Client::builder()
            .mode(mode)
            .handler(H::default())
            .connect(t)
            .await
            .unwrap();
        let mut names: Vec<_> = c
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        names.sort();
        assert_eq!(names, ["createPets", "listPets", "showPetById"], "{mode:?}");
        // Nothing answers at the base URL: the call fails as a tool error.
        let r = c.call_tool("listPets", json!({"limit": 2})).await.unwrap();
        assert!(r.is_error(), "{mode:?}");
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn composed_example() {
    for mode in MODES {
        let c = start(env!("CARGO_BIN_EXE_composed"), mode, H::default()).await;
        let mut names: Vec<_> = c.list_tools().await.unwrap();
        names.sort_by(|a, b| a.name.cmp(&b.name));
        let names: Vec<_> = names.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["math_add", "notes_add_note", "weather_forecast"]);
        let r = c
            .call_tool("weather_forecast", json!({"city": "Oslo"}))
            .await
            .unwrap();
        assert!(matches!(&r.content[0], ContentBlock::Text(t) if t.text == "Sunny in Oslo"));
        c.call_tool("notes_add_note", json!({"text": "buy milk"}))
            .await
            .unwrap();
        let read = c.read_resource("notes://notes/all").await.unwrap();
        assert!(text(&read).contains("buy milk"));
    }
}
