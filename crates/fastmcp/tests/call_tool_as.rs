//! `Client::call_tool_as` end to end through an in-memory server: what the server wraps
//! (only what is not a JSON object), what the client unwraps (by the tool's output schema),
//! and what it refuses to decode. Also: the client declares only what its handler does.

use std::collections::BTreeMap;

use fastmcp::client::{Client, ClientHandler, Mode, Supports};
use fastmcp::core::ErrorKind;
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion};
use fastmcp::server::RunningServer;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind")]
enum Shape {
    Circle { r: i64 },
    Square { side: i64 },
}

/// A point.
#[tool]
async fn point() -> Json<Point> {
    Json(Point { x: 1, y: 2 })
}

/// A shape: an internally tagged enum, always an object.
#[tool]
async fn shape() -> Json<Shape> {
    Json(Shape::Circle { r: 3 })
}

/// A map.
#[tool]
async fn counts() -> Json<BTreeMap<String, i64>> {
    Json(BTreeMap::from([("a".to_owned(), 1)]))
}

/// An object without a type.
#[tool]
async fn untyped() -> Json<serde_json::Map<String, Value>> {
    Json(
        json!({"result": "mine", "n": 1})
            .as_object()
            .cloned()
            .unwrap(),
    )
}

/// Any value: here an object (with a member named "result").
#[tool]
async fn anything() -> Json<Value> {
    Json(json!({"result": "mine", "n": 2}))
}

/// Any value: here not an object.
#[tool]
async fn anything_else() -> Json<Value> {
    Json(json!([1, "two"]))
}

/// A number.
#[tool]
async fn answer() -> i64 {
    42
}

/// A list.
#[tool]
async fn list() -> Json<Vec<i64>> {
    Json(vec![1, 2, 3])
}

/// Maybe a number.
#[tool]
async fn maybe() -> Json<Option<i64>> {
    Json(None)
}

/// Text: "42", not structured.
#[tool]
async fn text() -> String {
    "42".into()
}

/// Always fails.
#[tool]
async fn broken() -> Result<i64, Error> {
    Err(Error::tool("it broke"))
}

/// What the client declared, as the server sees it.
#[tool]
async fn caps(ctx: Context) -> Json<serde_json::Map<String, Value>> {
    match serde_json::to_value(ctx.client_capabilities()).unwrap() {
        Value::Object(m) => Json(m),
        other => panic!("capabilities are an object, not {other}"),
    }
}

async fn running() -> RunningServer {
    Server::new("wrap", "1.0.0")
        .tool(point)
        .tool(shape)
        .tool(counts)
        .tool(untyped)
        .tool(answer)
        .tool(list)
        .tool(maybe)
        .tool(text)
        .tool(broken)
        .tool(caps)
        .tool(anything)
        .tool(anything_else)
        .start()
        .await
        .unwrap()
}

fn modes() -> [Mode; 2] {
    [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ]
}

async fn client(s: &RunningServer, mode: Mode) -> Client {
    Client::builder()
        .mode(mode)
        .connect(s.connect_in_memory())
        .await
        .unwrap()
}

#[tokio::test]
async fn objects_are_passed_as_they_are() {
    let s = running().await;
    for mode in modes() {
        let c = client(&s, mode).await;
        let r = c.call_tool("point", json!({})).await.unwrap();
        assert_eq!(r.structured_content, Some(json!({"x": 1, "y": 2})));
        let p: Point = c.call_tool_as("point", json!({})).await.unwrap();
        assert_eq!(p, Point { x: 1, y: 2 });
        let sh: Shape = c.call_tool_as("shape", json!({})).await.unwrap();
        assert_eq!(sh, Shape::Circle { r: 3 });
        let m: BTreeMap<String, i64> = c.call_tool_as("counts", json!({})).await.unwrap();
        assert_eq!(m["a"], 1);
        // An object with a member named "result" is not mistaken for a wrapped value.
        let v: Value = c.call_tool_as("untyped", json!({})).await.unwrap();
        assert_eq!(v, json!({"result": "mine", "n": 1}));
    }
}

#[tokio::test]
async fn a_value_that_may_be_anything_is_an_object_as_it_is_or_text() {
    let s = running().await;
    for mode in modes() {
        let c = client(&s, mode).await;
        let tools = c.list_tools().await.unwrap();
        let schema = |n: &str| {
            let t = tools.iter().find(|t| t.name == n).unwrap();
            t.output_schema.clone()
        };
        // `Json<Value>` may be anything: it declares no output schema.
        assert_eq!(schema("anything"), None);
        assert_eq!(schema("anything_else"), None);
        let r = c.call_tool("anything", json!({})).await.unwrap();
        assert_eq!(
            r.structured_content,
            Some(json!({"result": "mine", "n": 2}))
        );
        let v: Value = c.call_tool_as("anything", json!({})).await.unwrap();
        assert_eq!(v, json!({"result": "mine", "n": 2}), "not unwrapped");
        // Not an object: text only, never structured content that is not an object.
        let r = c.call_tool("anything_else", json!({})).await.unwrap();
        assert_eq!(r.structured_content, None);
        let said = serde_json::to_value(&r.content).unwrap()[0]["text"].clone();
        assert_eq!(said, json!("[1,\"two\"]"));
        let e = c
            .call_tool_as::<Value>("anything_else", json!({}))
            .await
            .unwrap_err();
        assert!(e.message().contains("no structured content"), "{e:?}");
    }
}

#[tokio::test]
async fn what_is_not_an_object_is_unwrapped_also_as_a_value() {
    let s = running().await;
    for mode in modes() {
        let c = client(&s, mode).await;
        let r = c.call_tool("answer", json!({})).await.unwrap();
        assert_eq!(r.structured_content, Some(json!({"result": 42})));
        assert_eq!(
            c.call_tool_as::<i64>("answer", json!({})).await.unwrap(),
            42
        );
        let v: Value = c.call_tool_as("answer", json!({})).await.unwrap();
        assert_eq!(v, json!(42));
        let l: Vec<i64> = c.call_tool_as("list", json!({})).await.unwrap();
        assert_eq!(l, [1, 2, 3]);
        let v: Value = c.call_tool_as("list", json!({})).await.unwrap();
        assert_eq!(v, json!([1, 2, 3]));
        let m: Option<i64> = c.call_tool_as("maybe", json!({})).await.unwrap();
        assert_eq!(m, None);
    }
}

#[tokio::test]
async fn nothing_is_decoded_as_what_it_is_not() {
    let s = running().await;
    let c = client(&s, modes()[0]).await;
    // Text is not parsed, even when it looks like a number.
    let e = c.call_tool_as::<i64>("text", json!({})).await.unwrap_err();
    assert!(e.message().contains("no structured content"), "{e:?}");
    // A tool error is an error, with the tool's text.
    let e = c
        .call_tool_as::<i64>("broken", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tool);
    assert!(e.message().contains("it broke"), "{e:?}");
    let e = c
        .call_tool_as::<Value>("broken", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Tool);
    // Structured content of another shape is an error naming the tool.
    let e = c
        .call_tool_as::<Point>("answer", json!({}))
        .await
        .unwrap_err();
    assert!(e.message().contains("answer"), "{e:?}");
    let e = c
        .call_tool_as::<String>("point", json!({}))
        .await
        .unwrap_err();
    assert!(e.message().contains("point"), "{e:?}");
}

struct Elicits;

impl ClientHandler for Elicits {
    fn capabilities(&self) -> ClientCapabilities {
        Supports {
            elicitation: true,
            ..Supports::NONE
        }
        .capabilities()
    }
}

#[tokio::test]
async fn the_client_declares_only_what_its_handler_does() {
    let s = running().await;
    for mode in modes() {
        let c = client(&s, mode).await;
        assert_eq!(c.capabilities(), &ClientCapabilities::default());
        let seen: ClientCapabilities = c.call_tool_as("caps", json!({})).await.unwrap();
        assert!(seen.elicitation.is_none(), "{mode:?}: {seen:?}");
        assert!(seen.sampling.is_none() && seen.roots.is_none(), "{seen:?}");

        let c = Client::builder()
            .mode(mode)
            .handler(Elicits)
            .connect(s.connect_in_memory())
            .await
            .unwrap();
        let seen: ClientCapabilities = c.call_tool_as("caps", json!({})).await.unwrap();
        assert!(seen.elicitation.is_some(), "{mode:?}: {seen:?}");
        assert!(seen.sampling.is_none() && seen.roots.is_none(), "{seen:?}");
    }
}
