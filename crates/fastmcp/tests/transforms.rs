//! `ToolTransform`: a tool renamed, re-described, tagged, its arguments renamed, given
//! defaults and hidden; on the server's own tools and on a mounted server's; in memory and
//! over Streamable HTTP in both eras.

mod support;

use fastmcp::prelude::*;
use fastmcp::protocol::ToolAnnotations;
use fastmcp::server::{ArgTransform, ToolTransform};
use serde_json::json;

/// Search, version 2.
#[tool]
async fn search_v2(query: String, api_version: u32, lang: String) -> String {
    format!("{query} v{api_version} {lang}")
}

fn reshaped(target: &str) -> ToolTransform {
    ToolTransform::new(target)
        .rename("search")
        .description("Search the catalogue.")
        .tags(["catalogue"])
        .annotations(ToolAnnotations {
            read_only_hint: Some(true),
            ..Default::default()
        })
        .arg("query", ArgTransform::new().rename("q").describe("Words."))
        .arg("api_version", ArgTransform::new().hide(json!(2)))
        .arg("lang", ArgTransform::new().default_value(json!("en")))
}

#[tokio::test]
async fn a_reshaped_tool_is_listed_and_called_as_clients_see_it() {
    let own = Server::new("own", "1.0.0")
        .tool(search_v2)
        .transform(reshaped("search_v2"));
    let mounted = Server::new("app", "1.0.0")
        .mount(Server::new("w", "1.0.0").tool(search_v2), "w")
        .transform(reshaped("w_search_v2"));
    for server in [own, mounted] {
        let running = server.start().await.unwrap();
        for (label, c) in support::memory_and_http_clients(&running).await {
            let tools = c.list_tools().await.unwrap();
            assert_eq!(tools.len(), 1, "{label}");
            let t = &tools[0];
            assert_eq!(t.name, "search", "{label}");
            assert_eq!(
                t.description.as_deref(),
                Some("Search the catalogue."),
                "{label}"
            );
            assert_eq!(t.annotations.as_ref().unwrap().read_only_hint, Some(true));
            let meta = serde_json::to_value(&t.meta).unwrap();
            assert_eq!(meta["fastmcp/tags"], json!(["catalogue"]), "{label}");
            let props = &t.input_schema["properties"];
            assert_eq!(props["q"]["description"], "Words.", "{label}");
            assert_eq!(props["lang"]["default"], "en", "{label}");
            assert!(props.get("api_version").is_none(), "{label}: hidden");
            assert!(props.get("query").is_none(), "{label}: renamed");
            assert_eq!(t.input_schema["required"], json!(["q"]), "{label}");

            let r = c
                .call_tool("search", json!({"q": "rust", "api_version": 9}))
                .await
                .unwrap();
            let text = serde_json::to_value(&r.content[0]).unwrap()["text"].clone();
            assert_eq!(
                text, "rust v2 en",
                "{label}: mapped back, hidden value, default"
            );
            let r = c
                .call_tool("search", json!({"q": "mcp", "lang": "fr"}))
                .await
                .unwrap();
            let text = serde_json::to_value(&r.content[0]).unwrap()["text"].clone();
            assert_eq!(text, "mcp v2 fr", "{label}");
            let old = c.call_tool("search_v2", json!({"query": "x"})).await;
            assert!(
                old.is_err() || old.unwrap().is_error == Some(true),
                "{label}"
            );
        }
        running.shutdown().await.unwrap();
    }
}
