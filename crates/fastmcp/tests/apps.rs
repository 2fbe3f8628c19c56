//! MCP Apps (`fastmcp::server::apps`): a `ui://` view listed and read as
//! `text/html;profile=mcp-app` with its `_meta.ui`, a tool that names it, and a tool that
//! answers hosts that render views differently, in both eras.

mod support;

use fastmcp::client::Client;
use fastmcp::core::FnTool;
use fastmcp::prelude::*;
use fastmcp::protocol::ClientCapabilities;
use fastmcp::server::apps::{
    client_supports_apps, AppResource, ToolUi, UiCsp, UiVisibility, APP_MIME_TYPE,
};
use serde_json::{json, Value};

fn server() -> Server {
    let view = AppResource::new(
        "ui://sales/chart",
        "Sales chart",
        "<!doctype html><p>chart</p>",
    )
    .description("Bars of the year's sales.")
    .csp(
        UiCsp::default()
            .connect(["https://api.example.com"])
            .resources(["https://cdn.example.com"]),
    )
    .permissions(["clipboardWrite"])
    .prefers_border(true);
    let sales = FnTool::typed(
        "sales",
        "This year's sales.",
        |ctx: Context, _: Value| async move {
            if client_supports_apps(&ctx.client_capabilities()) {
                "42 (see the chart)".to_owned()
            } else {
                "42".to_owned()
            }
        },
    )
    .meta(
        "ui",
        ToolUi::new("ui://sales/chart")
            .visibility([UiVisibility::Model, UiVisibility::App])
            .into_meta(),
    );
    Server::new("apps", "1.0.0").resource(view).tool(sales)
}

async fn check(label: &str, c: &Client, renders: bool) {
    let tools = c.list_tools().await.unwrap();
    let meta = serde_json::to_value(&tools[0].meta).unwrap();
    assert_eq!(
        meta["ui"],
        json!({"resourceUri": "ui://sales/chart", "visibility": ["model", "app"]}),
        "{label}"
    );
    let listed = c.list_resources().await.unwrap();
    assert_eq!(
        listed[0].mime_type.as_deref(),
        Some(APP_MIME_TYPE),
        "{label}"
    );
    let ui = &serde_json::to_value(&listed[0].meta).unwrap()["ui"];
    assert_eq!(
        ui["csp"]["connectDomains"],
        json!(["https://api.example.com"]),
        "{label}"
    );
    assert_eq!(ui["prefersBorder"], true, "{label}");
    let read = serde_json::to_value(c.read_resource("ui://sales/chart").await.unwrap()).unwrap();
    let contents = &read["contents"][0];
    assert_eq!(contents["mimeType"], APP_MIME_TYPE, "{label}");
    assert_eq!(contents["text"], "<!doctype html><p>chart</p>", "{label}");
    assert_eq!(
        contents["_meta"]["ui"]["permissions"],
        json!({"clipboardWrite": {}}),
        "{label}"
    );
    let r = c.call_tool("sales", json!({})).await.unwrap();
    let text = serde_json::to_value(&r.content[0]).unwrap()["text"].clone();
    assert_eq!(
        text,
        if renders { "42 (see the chart)" } else { "42" },
        "{label}"
    );
}

#[tokio::test]
async fn a_view_and_its_tool_reach_hosts_that_render_them() {
    let running = server().start().await.unwrap();
    for mode in support::modes() {
        let plain = support::client(&running, mode, support::Recorder::default()).await;
        check(&format!("{mode:?}, no views"), &plain, false).await;
        let caps: ClientCapabilities = serde_json::from_value(json!({
            "extensions": { "io.modelcontextprotocol/ui": { "mimeTypes": [APP_MIME_TYPE] } }
        }))
        .unwrap();
        let host = Client::builder()
            .mode(mode)
            .capabilities(caps)
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        check(&format!("{mode:?}, a host with views"), &host, true).await;
    }
}
