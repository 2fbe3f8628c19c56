//! The checks of the suite's stateless-era server scenarios (2026-07-28), replayed against
//! `conformance-server --stdio`: every request carries its `_meta`, no handshake.

mod support;

use fastmcp::protocol::META_PROGRESS_TOKEN;
use serde_json::{json, Map, Value};
use support::{accept, all_caps, first_text, modern, sampled, Server};

fn call(s: &mut Server, name: &str, extra: Value) -> Value {
    let mut p = json!({ "name": name, "arguments": {} });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            p[k] = v;
        }
    }
    s.request("tools/call", modern(p, all_caps()))
}

fn input_required(r: &Value) -> &Map<String, Value> {
    assert_eq!(r["result"]["resultType"], "input_required", "{r}");
    r["result"]["inputRequests"]
        .as_object()
        .expect("inputRequests")
}

fn complete(r: &Value) -> &Value {
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    &r["result"]
}

/// Answer every input request of a round the way the suite does.
fn answers(requests: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (k, req) in requests {
        let a = match req["method"].as_str().unwrap() {
            "elicitation/create" => accept(
                json!({ "name": "Alice", "ok": true, "color": "blue", "context": "test context" }),
            ),
            "sampling/createMessage" => sampled("The capital of France is Paris."),
            "roots/list" => {
                json!({ "roots": [{ "uri": "file:///test/root", "name": "Test Root" }] })
            }
            m => panic!("unexpected input request {m}"),
        };
        out.insert(k.clone(), a);
    }
    Value::Object(out)
}

#[test]
fn content_tools_and_lists_carry_caching_hints() {
    let mut s = Server::start();
    let r = call(&mut s, "test_simple_text", json!({}));
    assert_eq!(
        first_text(complete(&r)),
        "This is a simple text response for testing."
    );
    for method in [
        "tools/list",
        "prompts/list",
        "resources/list",
        "resources/templates/list",
    ] {
        let r = s.result(method, modern(json!({}), all_caps()));
        assert!(r["ttlMs"].as_u64().is_some(), "{method}: {r}");
        assert!(
            r["cacheScope"] == "public" || r["cacheScope"] == "private",
            "{method}: {r}"
        );
    }
    let r = s.result(
        "resources/read",
        modern(json!({ "uri": "test://static-text" }), all_caps()),
    );
    assert!(r["ttlMs"].as_u64().is_some(), "{r}");

    // Deterministic order of tools/list.
    let names = |s: &mut Server| {
        s.result("tools/list", modern(json!({}), all_caps()))["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&mut s), names(&mut s));
}

#[test]
fn progress_without_a_handshake() {
    let mut s = Server::start();
    let mut p = json!({ "name": "test_tool_with_progress", "arguments": {} });
    p["_meta"] = support::meta(all_caps());
    p["_meta"][META_PROGRESS_TOKEN] = json!("progress-test-1");
    s.result("tools/call", p);
    let progress: Vec<f64> = s
        .take_notifications("notifications/progress")
        .iter()
        .filter(|n| n["params"]["progressToken"] == "progress-test-1")
        .map(|n| n["params"]["progress"].as_f64().unwrap())
        .collect();
    assert_eq!(progress, [0.0, 50.0, 100.0]);
}

#[test]
fn resource_not_found_is_an_error() {
    let mut s = Server::start();
    let uri = "test://nonexistent-resource-for-conformance-testing";
    let e = s.error("resources/read", modern(json!({ "uri": uri }), all_caps()));
    assert_eq!(e["data"]["uri"], uri);
}

#[test]
fn basic_elicitation_sampling_and_roots() {
    let mut s = Server::start();
    for (tool, method, reply) in [
        (
            "test_input_required_result_elicitation",
            "elicitation/create",
            "Hello, Alice!",
        ),
        (
            "test_input_required_result_sampling",
            "sampling/createMessage",
            "Sampling response: The capital of France is Paris.",
        ),
        (
            "test_input_required_result_list_roots",
            "roots/list",
            "Client roots: file:///test/root",
        ),
    ] {
        let r1 = call(&mut s, tool, json!({}));
        let reqs = input_required(&r1);
        assert_eq!(reqs.len(), 1, "{r1}");
        assert_eq!(reqs.values().next().unwrap()["method"], method);
        let r2 = call(
            &mut s,
            tool,
            json!({
                "inputResponses": answers(reqs),
                "requestState": r1["result"]["requestState"]
            }),
        );
        assert_eq!(first_text(complete(&r2)), reply);
    }
}

#[test]
fn request_state_round_trips_and_tampering_is_refused() {
    let mut s = Server::start();
    let r1 = call(
        &mut s,
        "test_input_required_result_request_state",
        json!({}),
    );
    let state = r1["result"]["requestState"].as_str().unwrap().to_owned();
    let responses = answers(input_required(&r1));
    let r2 = call(
        &mut s,
        "test_input_required_result_request_state",
        json!({ "inputResponses": responses, "requestState": state }),
    );
    assert!(first_text(complete(&r2)).contains("state-ok"));

    let r1 = call(
        &mut s,
        "test_input_required_result_tampered_state",
        json!({}),
    );
    let tampered = format!(
        "{}-TAMPERED",
        r1["result"]["requestState"].as_str().unwrap()
    );
    let r2 = call(
        &mut s,
        "test_input_required_result_tampered_state",
        json!({ "inputResponses": answers(input_required(&r1)), "requestState": tampered }),
    );
    assert_eq!(r2["error"]["code"], -32602, "{r2}");
}

#[test]
fn multiple_inputs_in_one_round_and_multi_round() {
    let mut s = Server::start();
    let r1 = call(
        &mut s,
        "test_input_required_result_multiple_inputs",
        json!({}),
    );
    let mut methods: Vec<&str> = input_required(&r1)
        .values()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    methods.sort();
    assert_eq!(
        methods,
        ["elicitation/create", "roots/list", "sampling/createMessage"]
    );
    assert!(r1["result"]["requestState"].is_string());
    let r2 = call(
        &mut s,
        "test_input_required_result_multiple_inputs",
        json!({ "inputResponses": answers(input_required(&r1)), "requestState": r1["result"]["requestState"] }),
    );
    complete(&r2);

    let tool = "test_input_required_result_multi_round";
    let r1 = call(&mut s, tool, json!({}));
    let r2 = call(
        &mut s,
        tool,
        json!({ "inputResponses": answers(input_required(&r1)), "requestState": r1["result"]["requestState"] }),
    );
    let step2 = input_required(&r2);
    assert_eq!(
        step2.values().next().unwrap()["params"]["message"],
        "Step 2: What is your favorite color?"
    );
    assert_ne!(r1["result"]["requestState"], r2["result"]["requestState"]);
    let r3 = call(
        &mut s,
        tool,
        json!({ "inputResponses": answers(step2), "requestState": r2["result"]["requestState"] }),
    );
    assert_eq!(
        first_text(complete(&r3)),
        "Completed: name=Alice, color=blue"
    );
}

#[test]
fn missing_invalid_and_extra_input_responses() {
    let mut s = Server::start();
    let tool = "test_input_required_result_elicitation";
    // A wrong key: asked again.
    let r = call(
        &mut s,
        tool,
        json!({ "inputResponses": { "wrong_key": accept(json!({ "data": "wrong" })) } }),
    );
    input_required(&r);
    // Not an object: refused.
    let r = call(
        &mut s,
        tool,
        json!({ "inputResponses": { "user_name": 12345 } }),
    );
    assert!(r["result"]["resultType"] != "complete", "{r}");
    // null: not a complete result.
    let r = call(&mut s, tool, json!({ "inputResponses": null }));
    assert!(r["result"]["resultType"] != "complete", "{r}");
    // Extra keys next to the right answer are ignored.
    let r1 = call(&mut s, tool, json!({}));
    let mut responses = answers(input_required(&r1));
    responses["unknown_extra_key"] = accept(json!({ "foo": "bar" }));
    let r2 = call(
        &mut s,
        tool,
        json!({ "inputResponses": responses, "requestState": r1["result"]["requestState"] }),
    );
    complete(&r2);
}

/// The suite asks for the input key `user_name` and retries with `{"user_name": ...}`
/// and no `requestState`; the fixture chooses the key with `ctx.keyed("user_name")`.
#[test]
fn elicitation_input_key_is_user_name() {
    let mut s = Server::start();
    let tool = "test_input_required_result_elicitation";
    let r = call(&mut s, tool, json!({}));
    assert!(input_required(&r).contains_key("user_name"), "{r}");
    let r = call(
        &mut s,
        tool,
        json!({ "inputResponses": { "user_name": accept(json!({ "name": "Alice" })) } }),
    );
    complete(&r);
}

#[test]
fn only_declared_capabilities_are_asked_for() {
    let mut s = Server::start();
    let p = json!({ "name": "test_input_required_result_capabilities", "arguments": {} });
    let r = s.request("tools/call", modern(p, json!({ "sampling": {} })));
    let methods: Vec<&Value> = input_required(&r).values().map(|r| &r["method"]).collect();
    assert_eq!(methods, ["sampling/createMessage"]);
}

#[test]
fn input_required_on_prompts_get_but_not_on_lists() {
    let mut s = Server::start();
    let p = json!({ "name": "test_input_required_result_prompt" });
    let r1 = s.request("prompts/get", modern(p.clone(), all_caps()));
    let mut p2 = p;
    p2["inputResponses"] = answers(input_required(&r1));
    p2["requestState"] = r1["result"]["requestState"].clone();
    let r2 = s.request("prompts/get", modern(p2, all_caps()));
    assert!(complete(&r2)["messages"][0]["content"]["text"]
        .as_str()
        .unwrap()
        .contains("test context"));

    for method in ["tools/list", "prompts/list"] {
        let r = s.result(method, modern(json!({}), all_caps()));
        assert_ne!(r["resultType"], "input_required");
    }
}

#[test]
fn stateless_diagnostics() {
    let mut s = Server::start();
    // Sampling not declared: -32021 with the missing capability as an object.
    let p = json!({ "name": "test_missing_capability", "arguments": {} });
    let e = s.error("tools/call", modern(p, json!({})));
    assert_eq!(e["code"], -32021);
    assert!(
        e["data"]["requiredCapabilities"]["sampling"].is_object(),
        "{e}"
    );

    // No logLevel in `_meta`: no log messages.
    let r = call(&mut s, "test_logging_tool", json!({}));
    complete(&r);
    assert!(s.take_notifications("notifications/message").is_empty());

    // Elicitation is an input request, never a server-to-client request.
    let r = call(&mut s, "test_streaming_elicitation", json!({}));
    input_required(&r);
    assert!(s.server_requests.is_empty());

    // The triggers add and remove a tool and a prompt.
    let tool_names = |s: &mut Server| -> Vec<String> {
        s.result("tools/list", modern(json!({}), all_caps()))["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let dynamic = conformance::stateless::DYNAMIC_TOOL.to_owned();
    assert!(!tool_names(&mut s).contains(&dynamic));
    complete(&call(&mut s, "test_trigger_tool_change", json!({})));
    assert!(tool_names(&mut s).contains(&dynamic));
    complete(&call(&mut s, "test_trigger_tool_change", json!({})));
    assert!(!tool_names(&mut s).contains(&dynamic));
    complete(&call(&mut s, "test_trigger_prompt_change", json!({})));
    let prompts = s.result("prompts/list", modern(json!({}), all_caps()));
    assert!(prompts["prompts"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == conformance::stateless::DYNAMIC_PROMPT));
}
