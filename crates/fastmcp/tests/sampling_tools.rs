//! Sampling with `tools` and `toolChoice`: the client's model answers with a tool call,
//! in both eras (a server-to-client request; an input round of 2026-07-28).

use std::sync::{Arc, Mutex};

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::{BoxFuture, Context, Error, FnTool};
use fastmcp::protocol::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ProtocolVersion, Role,
    SamplingCapability, SamplingContent, SamplingMessage, SamplingMessageContentBlock, Tool,
    ToolChoiceMode, ToolUseContent,
};
use fastmcp::Server;
use serde_json::json;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

/// A client model that calls the first tool it is offered.
#[derive(Default, Clone)]
struct ToolCallingModel {
    seen: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
}

impl ClientHandler for ToolCallingModel {
    fn sample(
        &self,
        p: CreateMessageRequestParams,
    ) -> BoxFuture<'_, Result<CreateMessageResult, Error>> {
        self.seen.lock().unwrap().push(p.clone());
        Box::pin(async move {
            let tool = &p.tools.as_ref().expect("tools")[0];
            let call = ToolUseContent {
                id: "call-1".into(),
                name: tool.name.clone(),
                input: json!({"city": "Paris"}).as_object().unwrap().clone(),
                ..Default::default()
            };
            Ok(CreateMessageResult {
                role: Role::Assistant,
                content: SamplingContent::Multiple(vec![SamplingMessageContentBlock::ToolUse(
                    call,
                )]),
                model: "test-model".into(),
                stop_reason: Some("toolUse".into()),
                meta: None,
            })
        })
    }
}

fn server() -> Server {
    Server::new("sampling-tools", "0").tool(FnTool::typed(
        "plan",
        "Asks the model, offering it a weather tool.",
        |ctx: Context, _: Empty| async move {
            let weather = Tool::new(
                "get_weather",
                json!({"type": "object", "properties": {"city": {"type": "string"}}}),
            );
            let params = CreateMessageRequestParams::new(
                vec![SamplingMessage::user_text("Weather in Paris?")],
                200,
            )
            .tools(vec![weather])
            .tool_choice(ToolChoiceMode::Required);
            let r = ctx.sample(params).await?;
            let call = r.content.tool_uses().next().expect("a tool call");
            Ok::<_, Error>(format!("{} {}", call.name, json!(call.input)))
        },
    ))
}

fn capabilities(tools: bool) -> ClientCapabilities {
    ClientCapabilities {
        sampling: Some(SamplingCapability {
            tools: tools.then(Default::default),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[tokio::test]
async fn sampling_offers_tools_and_gets_a_tool_call_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let model = ToolCallingModel::default();
        let c = Client::builder()
            .mode(mode)
            .capabilities(capabilities(true))
            .handler(model.clone())
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        let r = c.call_tool("plan", json!({})).await.unwrap();
        assert_eq!(
            r.content,
            vec![fastmcp::protocol::ContentBlock::text(
                r#"get_weather {"city":"Paris"}"#
            )],
            "{mode:?}"
        );
        let seen = model.seen.lock().unwrap();
        assert!(!seen.is_empty(), "{mode:?}");
        let wire = serde_json::to_value(&seen[0]).unwrap();
        assert_eq!(wire["tools"][0]["name"], "get_weather", "{mode:?}");
        assert_eq!(wire["toolChoice"]["mode"], "required", "{mode:?}");
    }
}

#[tokio::test]
async fn tool_enabled_sampling_needs_the_sampling_tools_capability() {
    let running = server().start().await.unwrap();
    let c = Client::builder()
        .capabilities(capabilities(false))
        .handler(ToolCallingModel::default())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    let e = c.call_tool("plan", json!({})).await.unwrap_err();
    assert_eq!(e.code(), -32021, "{e:?}");
    assert_eq!(
        e.data().unwrap()["requiredCapabilities"]["sampling"]["tools"],
        json!({})
    );
}
