//! The checks of the suite's handshake-era server scenarios (2025-06-18, 2025-11-25),
//! replayed against `conformance-server --stdio`.

mod support;

use fastmcp::protocol::META_PROGRESS_TOKEN;
use serde_json::{json, Value};
use support::{accept, first_text, sampled, Server};

fn tool(s: &mut Server, name: &str, args: Value) -> Value {
    s.result("tools/call", json!({ "name": name, "arguments": args }))
}

#[test]
fn server_initialize_ping_and_logging_level() {
    let mut s = Server::start();
    let r = s.result(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": { "name": "t", "version": "1" }
        }),
    );
    assert_eq!(r["protocolVersion"], "2025-06-18");
    assert_eq!(r["serverInfo"]["name"], "fastmcp-conformance-server");
    for cap in ["tools", "resources", "prompts", "logging", "completions"] {
        assert!(r["capabilities"].get(cap).is_some(), "{cap} missing: {r}");
    }
    s.notify("notifications/initialized", json!({}));
    assert_eq!(s.result("ping", json!({})), json!({}));
    assert_eq!(
        s.result("logging/setLevel", json!({ "level": "info" })),
        json!({})
    );
}

#[test]
fn tools_list_names_descriptions_and_schemas() {
    let mut s = Server::legacy();
    let r = s.result("tools/list", json!({}));
    let tools = r["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for t in tools {
        let name = t["name"].as_str().unwrap();
        assert!(
            (1..=128).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c)),
            "{name}"
        );
        assert!(
            t["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{t}"
        );
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
    }
    for expected in [
        "test_simple_text",
        "test_image_content",
        "test_audio_content",
        "test_embedded_resource",
        "test_multiple_content_types",
        "test_tool_with_logging",
        "test_tool_with_progress",
        "test_error_handling",
        "test_sampling",
        "test_elicitation",
        "test_elicitation_sep1034_defaults",
        "test_elicitation_sep1330_enums",
        "json_schema_2020_12_tool",
        "test_reconnection",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
}

#[test]
fn content_tools() {
    let mut s = Server::legacy();
    let r = tool(&mut s, "test_simple_text", json!({}));
    assert_eq!(
        r["content"],
        json!([{ "type": "text", "text": "This is a simple text response for testing." }])
    );

    let r = tool(&mut s, "test_image_content", json!({}));
    assert_eq!(r["content"][0]["type"], "image");
    assert_eq!(r["content"][0]["mimeType"], "image/png");
    assert!(r["content"][0]["data"]
        .as_str()
        .unwrap()
        .starts_with("iVBORw0KGgo"));

    let r = tool(&mut s, "test_audio_content", json!({}));
    assert_eq!(r["content"][0]["type"], "audio");
    assert_eq!(r["content"][0]["mimeType"], "audio/wav");
    assert!(r["content"][0]["data"]
        .as_str()
        .unwrap()
        .starts_with("UklGR")); // "RIFF"

    let r = tool(&mut s, "test_embedded_resource", json!({}));
    assert_eq!(
        r["content"][0],
        json!({
            "type": "resource",
            "resource": {
                "uri": "test://embedded-resource",
                "mimeType": "text/plain",
                "text": "This is an embedded resource content."
            }
        })
    );

    let r = tool(&mut s, "test_multiple_content_types", json!({}));
    let types: Vec<&str> = r["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["text", "image", "resource"]);
    assert_eq!(r["content"][2]["resource"]["mimeType"], "application/json");

    let r = tool(&mut s, "test_error_handling", json!({}));
    assert_eq!(r["isError"], true);
    assert_eq!(
        first_text(&r),
        "This tool intentionally returns an error for testing"
    );
}

#[test]
fn logging_and_progress() {
    let mut s = Server::legacy();
    s.result("logging/setLevel", json!({ "level": "debug" }));
    tool(&mut s, "test_tool_with_logging", json!({}));
    let logs = s.take_notifications("notifications/message");
    let data: Vec<&Value> = logs.iter().map(|n| &n["params"]["data"]).collect();
    assert_eq!(
        data,
        [
            "Tool execution started",
            "Tool processing data",
            "Tool execution completed"
        ]
    );
    assert!(logs.iter().all(|n| n["params"]["level"] == "info"));

    s.result(
        "tools/call",
        json!({
            "name": "test_tool_with_progress",
            "arguments": {},
            "_meta": { META_PROGRESS_TOKEN: "progress-test-1" }
        }),
    );
    let progress = s.take_notifications("notifications/progress");
    let values: Vec<f64> = progress
        .iter()
        .map(|n| {
            assert_eq!(n["params"]["progressToken"], "progress-test-1");
            assert_eq!(n["params"]["total"], 100.0);
            n["params"]["progress"].as_f64().unwrap()
        })
        .collect();
    assert_eq!(values, [0.0, 50.0, 100.0]);
}

#[test]
fn sampling_and_elicitation() {
    let mut s = Server::legacy();
    s.on_request(|method, params| match method {
        "sampling/createMessage" => {
            assert_eq!(params["maxTokens"], 100);
            assert_eq!(
                params["messages"][0]["content"]["text"],
                "Test prompt for sampling"
            );
            sampled("This is a test response from the client")
        }
        "elicitation/create" => {
            if params["message"] == "Please provide your information" {
                let schema = &params["requestedSchema"];
                assert_eq!(schema["properties"]["username"]["type"], "string");
                assert_eq!(schema["properties"]["email"]["type"], "string");
                assert_eq!(schema["required"], json!(["username", "email"]));
                accept(json!({ "username": "testuser", "email": "test@example.com" }))
            } else {
                accept(json!({}))
            }
        }
        other => panic!("unexpected {other}"),
    });
    let r = tool(
        &mut s,
        "test_sampling",
        json!({ "prompt": "Test prompt for sampling" }),
    );
    assert_eq!(
        first_text(&r),
        "LLM response: This is a test response from the client"
    );
    let r = tool(
        &mut s,
        "test_elicitation",
        json!({ "message": "Please provide your information" }),
    );
    assert_eq!(
        first_text(&r),
        r#"User response: action=accept, content={"username":"testuser","email":"test@example.com"}"#
    );
}

#[test]
fn sep1034_defaults_and_sep1330_enums() {
    let mut s = Server::legacy();
    s.on_request(|method, _| {
        assert_eq!(method, "elicitation/create");
        accept(json!({ "name": "Jane Smith", "age": 25 }))
    });
    let r = tool(&mut s, "test_elicitation_sep1034_defaults", json!({}));
    assert!(first_text(&r).starts_with("Elicitation completed: action=accept, content="));
    let p = &s.server_requests[0].1["requestedSchema"]["properties"];
    assert_eq!(p["name"]["type"], "string");
    assert_eq!(p["name"]["default"], "John Doe");
    assert_eq!(p["age"]["type"], "integer");
    assert_eq!(p["age"]["default"], 30);
    assert_eq!(p["score"]["type"], "number");
    assert_eq!(p["score"]["default"], 95.5);
    assert_eq!(p["status"]["type"], "string");
    assert_eq!(p["status"]["default"], "active");
    assert!(p["status"]["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("active")));
    assert_eq!(p["verified"]["type"], "boolean");
    assert_eq!(p["verified"]["default"], true);

    tool(&mut s, "test_elicitation_sep1330_enums", json!({}));
    let p = &s.server_requests[1].1["requestedSchema"]["properties"];
    assert!(p["untitledSingle"]["enum"].is_array());
    assert!(p["untitledSingle"].get("oneOf").is_none());
    let titled = p["titledSingle"]["oneOf"].as_array().unwrap();
    assert!(titled
        .iter()
        .all(|o| o["const"].is_string() && o["title"].is_string()));
    assert!(p["titledSingle"].get("enum").is_none());
    assert_eq!(
        p["legacyEnum"]["enum"].as_array().unwrap().len(),
        p["legacyEnum"]["enumNames"].as_array().unwrap().len()
    );
    assert_eq!(p["untitledMulti"]["type"], "array");
    assert_eq!(p["untitledMulti"]["items"]["type"], "string");
    assert!(p["untitledMulti"]["items"]["enum"].is_array());
    assert_eq!(p["titledMulti"]["type"], "array");
    assert!(p["titledMulti"]["items"]["anyOf"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["const"].is_string() && o["title"].is_string()));
}

#[test]
fn json_schema_2020_12_keywords_survive_listing() {
    let mut s = Server::legacy();
    let r = s.result("tools/list", json!({}));
    let t = r["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "json_schema_2020_12_tool")
        .unwrap();
    let schema = &t["inputSchema"];
    assert_eq!(schema, &conformance::tools::json_schema_2020_12());
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$defs"]["address"]["$anchor"], "addressDef");
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["allOf"][0]["anyOf"].is_array());
    for k in ["if", "then", "else"] {
        assert!(schema.get(k).is_some(), "{k}");
    }
}

#[test]
fn resources() {
    let mut s = Server::legacy();
    let r = s.result("resources/list", json!({}));
    let uris: Vec<&str> = r["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["name"].is_string() && r["description"].is_string(), "{r}");
            r["uri"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "test://static-text",
            "test://static-binary",
            "test://watched-resource",
            // The skill of conformance/skills (the skills extension).
            "skill://pdf-processing/SKILL.md"
        ]
    );
    let r = s.result("resources/templates/list", json!({}));
    assert_eq!(
        r["resourceTemplates"][0]["uriTemplate"],
        "test://template/{id}/data"
    );

    let r = s.result("resources/read", json!({ "uri": "test://static-text" }));
    assert_eq!(
        r["contents"],
        json!([{
            "uri": "test://static-text",
            "mimeType": "text/plain",
            "text": "This is the content of the static text resource."
        }])
    );
    let r = s.result("resources/read", json!({ "uri": "test://static-binary" }));
    assert_eq!(r["contents"][0]["mimeType"], "image/png");
    assert_eq!(
        r["contents"][0]["blob"].as_str().unwrap(),
        conformance::media::png_base64()
    );
    let r = s.result(
        "resources/read",
        json!({ "uri": "test://template/123/data" }),
    );
    assert_eq!(
        r["contents"][0]["text"],
        r#"{"id":"123","templateTest":true,"data":"Data for ID: 123"}"#
    );
    assert_eq!(r["contents"][0]["mimeType"], "application/json");

    let w = json!({ "uri": "test://watched-resource" });
    assert_eq!(s.result("resources/subscribe", w.clone()), json!({}));
    assert_eq!(s.result("resources/unsubscribe", w), json!({}));
}

#[test]
fn prompts_and_completion() {
    let mut s = Server::legacy();
    let r = s.result("prompts/list", json!({}));
    for p in r["prompts"].as_array().unwrap() {
        assert!(p["description"].is_string(), "{p}");
    }
    let r = s.result("prompts/get", json!({ "name": "test_simple_prompt" }));
    assert_eq!(
        r["messages"],
        json!([{ "role": "user", "content": { "type": "text", "text": "This is a simple prompt for testing." } }])
    );
    let r = s.result(
        "prompts/get",
        json!({
            "name": "test_prompt_with_arguments",
            "arguments": { "arg1": "hello", "arg2": "world" }
        }),
    );
    assert_eq!(
        r["messages"][0]["content"]["text"],
        "Prompt with arguments: arg1='hello', arg2='world'"
    );
    let r = s.result(
        "prompts/get",
        json!({
            "name": "test_prompt_with_embedded_resource",
            "arguments": { "resourceUri": "test://example-resource" }
        }),
    );
    assert_eq!(r["messages"][0]["content"]["type"], "resource");
    assert_eq!(
        r["messages"][0]["content"]["resource"]["uri"],
        "test://example-resource"
    );
    assert_eq!(
        r["messages"][1]["content"]["text"],
        "Please process the embedded resource above."
    );
    let r = s.result("prompts/get", json!({ "name": "test_prompt_with_image" }));
    assert_eq!(r["messages"][0]["content"]["type"], "image");
    assert_eq!(r["messages"][0]["content"]["mimeType"], "image/png");

    let complete = |s: &mut Server, value: &str| {
        s.result(
            "completion/complete",
            json!({
                "ref": { "type": "ref/prompt", "name": "test_prompt_with_arguments" },
                "argument": { "name": "arg1", "value": value }
            }),
        )
    };
    let r = complete(&mut s, "par");
    assert_eq!(r["completion"]["values"], json!(["paris", "park", "party"]));
    let r = complete(&mut s, "test");
    assert!(r["completion"]["values"].is_array());
}
