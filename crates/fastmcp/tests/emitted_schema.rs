//! What the server emits validates against the JSON schema of the negotiated version, for
//! every version from 2024-11-05 to 2026-07-28.

mod support;

use std::path::Path;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{
    Context, Error, FnPrompt, FnResource, FnResourceTemplate, FnTool, Image, Json,
};
use fastmcp::protocol::{Prompt, PromptArgument, ProtocolVersion, Resource, ResourceTemplate};
use fastmcp::Server;
use serde_json::{json, Value};

fn schema(version: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../fixtures/spec/{version}.schema.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn check(version: &str, name: &str, value: &Value) {
    let mut doc = schema(version);
    let key = if doc.get("$defs").is_some() {
        "$defs"
    } else {
        "definitions"
    };
    assert!(doc[key].get(name).is_some(), "{version} has no {name}");
    doc.as_object_mut()
        .unwrap()
        .insert("allOf".into(), json!([{"$ref": format!("#/{key}/{name}")}]));
    let v = jsonschema::validator_for(&doc).unwrap();
    let errs: Vec<String> = v
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errs.is_empty(), "{version} {name}: {errs:#?}\n{value:#}");
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Args {
    a: i64,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Out {
    doubled: i64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn server() -> Server {
    Server::new("schema", "1.0.0")
        .instructions("Validated.")
        .tool(FnTool::typed(
            "double",
            "Doubles.",
            |_: Context, a: Args| async move { Json(Out { doubled: a.a * 2 }) },
        ))
        .tool(FnTool::typed(
            "count",
            "",
            |_: Context, a: Args| async move { a.a },
        ))
        .tool(FnTool::typed("text", "", |_: Context, _: Empty| async {
            "hi"
        }))
        .tool(FnTool::typed("image", "", |_: Context, _: Empty| async {
            Image::png(vec![137, 80, 78, 71])
        }))
        .tool(FnTool::typed("fail", "", |_: Context, _: Empty| async {
            Err::<String, _>(Error::tool("no"))
        }))
        .tool(FnTool::typed(
            "ask",
            "",
            |ctx: Context, _: Empty| async move {
                ctx.elicit_raw(
                    "name?",
                    json!({"type": "object", "properties": {"n": {"type": "string"}}}),
                )
                .await?;
                Ok::<_, Error>("asked")
            },
        ))
        .resource(FnResource::new(
            Resource::new("test://text", "text"),
            |_, _| async { "t" },
        ))
        .resource(FnResource::new(
            Resource::new("test://blob", "blob"),
            |_, _| async { vec![1u8, 2, 3] },
        ))
        .resource(FnResourceTemplate::new(
            ResourceTemplate::new("test://item/{id}", "item"),
            |_, _, v| async move { v["id"].clone() },
        ))
        .prompt(FnPrompt::new(
            Prompt {
                arguments: Some(vec![PromptArgument {
                    name: "x".into(),
                    required: Some(false),
                    ..Default::default()
                }]),
                ..Prompt::new("p")
            },
            |_, _| async { "prompt text" },
        ))
}

async fn results(c: &Client) -> Vec<(&'static str, Value)> {
    let r = |m: &'static str, p: Value| async move {
        c.request_value(m, p, None)
            .await
            .unwrap_or_else(|e| panic!("{m}: {e:?}"))
    };
    vec![
        ("ListToolsResult", r("tools/list", json!({})).await),
        ("CallToolResult", r("tools/call", json!({"name": "double", "arguments": {"a": 2}})).await),
        ("CallToolResult", r("tools/call", json!({"name": "count", "arguments": {"a": 2}})).await),
        ("CallToolResult", r("tools/call", json!({"name": "text", "arguments": {}})).await),
        ("CallToolResult", r("tools/call", json!({"name": "image", "arguments": {}})).await),
        ("CallToolResult", r("tools/call", json!({"name": "fail", "arguments": {}})).await),
        ("CallToolResult", r("tools/call", json!({"name": "double", "arguments": {"a": "bad"}})).await),
        ("ListResourcesResult", r("resources/list", json!({})).await),
        ("ListResourceTemplatesResult", r("resources/templates/list", json!({})).await),
        ("ReadResourceResult", r("resources/read", json!({"uri": "test://text"})).await),
        ("ReadResourceResult", r("resources/read", json!({"uri": "test://blob"})).await),
        ("ReadResourceResult", r("resources/read", json!({"uri": "test://item/3"})).await),
        ("ListPromptsResult", r("prompts/list", json!({})).await),
        ("GetPromptResult", r("prompts/get", json!({"name": "p", "arguments": {}})).await),
        ("CompleteResult", r("completion/complete", json!({"ref": {"type": "ref/prompt", "name": "p"}, "argument": {"name": "x", "value": ""}})).await),
    ]
}

#[tokio::test]
async fn handshake_versions_emit_valid_results() {
    let running = server().start().await.unwrap();
    for v in ProtocolVersion::ALL
        .into_iter()
        .filter(|v| v.era() == fastmcp::protocol::Era::Handshake)
    {
        let c = Client::builder()
            .mode(Mode::Handshake(v))
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        assert_eq!(c.protocol_version(), v);
        let init = c
            .request_value("initialize", json!({"protocolVersion": v.as_str(), "capabilities": {}, "clientInfo": {"name": "x", "version": "0"}}), None)
            .await
            .unwrap();
        check(v.as_str(), "InitializeResult", &init);
        for (name, value) in results(&c).await {
            check(v.as_str(), name, &value);
        }
        check(
            v.as_str(),
            "EmptyResult",
            &c.request_value("ping", json!({}), None).await.unwrap(),
        );
        check(
            v.as_str(),
            "EmptyResult",
            &c.request_value("logging/setLevel", json!({"level": "info"}), None)
                .await
                .unwrap(),
        );
    }
}

#[tokio::test]
async fn the_stateless_version_emits_valid_results() {
    let running = server().start().await.unwrap();
    let v = "2026-07-28";
    let c = Client::builder()
        .mode(Mode::Stateless(ProtocolVersion::V2026_07_28))
        .max_input_rounds(0)
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    check(
        v,
        "DiscoverResult",
        &c.request_value("server/discover", json!({}), None)
            .await
            .unwrap(),
    );
    for (name, value) in results(&c).await {
        assert_eq!(value["resultType"], "complete", "{name}");
        check(v, name, &value);
    }
    // An unfinished round: capture the input_required result itself.
    let (client_ch, server_ch) = fastmcp::transport::memory::pair(16);
    running.spawn(server_ch);
    let mut ch = client_ch;
    let req = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "ask", "arguments": {},
        "_meta": {"io.modelcontextprotocol/protocolVersion": v, "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}}
    }});
    ch.outbound.send(req.to_string()).await.unwrap();
    let reply: Value = serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    check(v, "InputRequiredResult", &reply["result"]);
    assert_eq!(
        reply["result"]["inputRequests"]["elicit-0"]["method"],
        "elicitation/create"
    );
}
