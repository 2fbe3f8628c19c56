//! `ToolTransform`: a tool renamed, re-described, tagged, its arguments renamed, given
//! defaults and hidden; on the server's own tools and on a mounted server's; in memory and
//! over Streamable HTTP in both eras.

mod support;

use fastmcp::prelude::*;
use fastmcp::protocol::ToolAnnotations;
use fastmcp::server::{ArgTransform, SearchTools, ToolTransform};
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

const VERBS: [&str; 10] = [
    "fetch",
    "archive",
    "convert",
    "translate",
    "summarise",
    "encrypt",
    "schedule",
    "resize",
    "validate",
    "publish",
];
const ADJECTIVES: [&str; 10] = [
    "red",
    "quarterly",
    "private",
    "large",
    "ancient",
    "binary",
    "urgent",
    "shared",
    "frozen",
    "daily",
];
const NOUNS: [&str; 10] = [
    "invoice", "photo", "ledger", "contract", "playlist", "forecast", "roster", "recipe", "ticket",
    "manifest",
];
const PLACES: [&str; 10] = [
    "oslo", "lima", "kyoto", "nairobi", "quito", "tallinn", "perth", "dakar", "hanoi", "reno",
];

/// The words of tool `i`'s description (every tool a different combination).
fn words(i: usize) -> [&'static str; 4] {
    [
        VERBS[i % 10],
        ADJECTIVES[i / 10 % 10],
        NOUNS[i / 100 % 10],
        PLACES[i / 1000 % 10],
    ]
}

/// 10,000 tools, `tool_0` ... `tool_9999`, each saying it echoes its number.
fn catalogue() -> Server {
    (0..10_000).fold(Server::new("big", "1.0.0"), |s, i| {
        let [v, a, n, p] = words(i);
        let def = fastmcp::protocol::Tool::new(
            format!("tool_{i}"),
            json!({"type": "object", "properties": {"note": {"type": "string"}}}),
        )
        .with_description(format!("{v} the {a} {n} of {p}"));
        s.tool(fastmcp::core::FnTool::new(def, move |_, _| async move {
            Ok(CallToolResult::text(format!("ran {i}")))
        }))
    })
}

fn names_in(r: &CallToolResult) -> Vec<String> {
    let s = r.structured_content.as_ref().expect("structured results");
    s["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn ten_thousand_tools_behind_a_search_find_each_by_its_own_words() {
    let running = catalogue()
        .transform(SearchTools::bm25().pin(["tool_7"]))
        .start()
        .await
        .unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let listed = support::tool_names(&c).await;
        assert_eq!(listed, ["call_tool", "search_tools", "tool_7"], "{label}");
        for i in (0..10_000).step_by(997) {
            let query = words(i).join(" ");
            let r = c
                .call_tool("search_tools", json!({"query": query, "limit": 3}))
                .await
                .unwrap();
            let found = names_in(&r);
            assert_eq!(found[0], format!("tool_{i}"), "{label}: {query}");
            assert!(found.len() <= 3, "{label}");
        }
        let r = c
            .call_tool("call_tool", json!({"name": "tool_4242", "arguments": {}}))
            .await
            .unwrap();
        let text = serde_json::to_value(&r.content[0]).unwrap()["text"].clone();
        assert_eq!(text, "ran 4242", "{label}");
        let r = c
            .call_tool("call_tool", json!({"name": "nope"}))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(true), "{label}");
        // Hidden behind the search: not callable directly; pinned ones are.
        let direct = c.call_tool("tool_4242", json!({})).await;
        assert!(
            direct.is_err() || direct.unwrap().is_error == Some(true),
            "{label}"
        );
        assert!(c.call_tool("tool_7", json!({})).await.is_ok(), "{label}");
    }
}

#[tokio::test]
async fn a_regex_search_matches_names_and_descriptions_and_bad_patterns_are_tool_errors() {
    let running = catalogue()
        .transform(SearchTools::regex().max_results(5))
        .start()
        .await
        .unwrap();
    let c = support::client(&running, support::modes()[1], support::Recorder::default()).await;
    let r = c
        .call_tool("search_tools", json!({"query": "^tool_12$"}))
        .await
        .unwrap();
    assert_eq!(names_in(&r), ["tool_12"]);
    let r = c
        .call_tool(
            "search_tools",
            json!({"query": "ENCRYPT the FROZEN", "limit": 50}),
        )
        .await
        .unwrap();
    let found = names_in(&r);
    assert_eq!(found.len(), 5, "capped by max_results");
    assert!(found.iter().all(|n| {
        let i: usize = n.trim_start_matches("tool_").parse().unwrap();
        words(i)[0] == "encrypt" && words(i)[1] == "frozen"
    }));
    let r = c
        .call_tool("search_tools", json!({"query": "(unclosed"}))
        .await
        .unwrap();
    assert_eq!(r.is_error, Some(true));
    assert!(format!("{r:?}").contains("invalid pattern"), "{r:?}");
}
