//! The rest of the transforms: argument values computed per call and retyped arguments, a
//! transformed tool with a function of its own that calls the original (`Forward`), prompt
//! and resource transforms, and prompts and resources offered as tools; in memory in
//! both eras and over Streamable HTTP.

mod support;

use fastmcp::prelude::*;
use fastmcp::server::{
    ArgTransform, PromptTransform, PromptsAsTools, ResourceTransform, ResourcesAsTools,
    ToolTransform,
};
use serde_json::{json, Value};

/// Pays `amount` on behalf of `payer`.
#[tool]
async fn pay(amount: f64, payer: String, confirm: bool) -> String {
    format!("{payer} paid {amount} (confirmed: {confirm})")
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    serde_json::to_value(&r.content[0]).unwrap()["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn values_per_call_retyped_arguments_and_a_function_that_forwards() {
    let checked = ToolTransform::new("pay")
        .arg(
            "payer",
            ArgTransform::new().hide_with(|ctx| json!(ctx.client_info().map(|i| i.name))),
        )
        .arg(
            "confirm",
            ArgTransform::new().retype(
                json!({"type": "string", "enum": ["yes", "no"]}),
                |v| match v.as_str() {
                    Some("yes") => Ok(json!(true)),
                    Some("no") => Ok(json!(false)),
                    _ => Err("say yes or no".into()),
                },
            ),
        )
        .run(|_ctx, args, forward| async move {
            if args.get("amount").and_then(Value::as_f64).unwrap_or(0.0) <= 0.0 {
                return Ok(fastmcp::protocol::CallToolResult::error_text(
                    "amount must be positive",
                ));
            }
            let r = forward.call(args).await?;
            let said = text(&r);
            Ok(fastmcp::protocol::CallToolResult::text(format!(
                "{said}; via {}",
                forward.tool().name
            )))
        });
    let running = Server::new("pay", "1.0.0")
        .tool(pay)
        .transform(checked)
        .start()
        .await
        .unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let tools = c.list_tools().await.unwrap();
        let props = &tools[0].input_schema["properties"];
        assert!(props.get("payer").is_none(), "{label}: hidden");
        assert_eq!(
            props["confirm"]["enum"],
            json!(["yes", "no"]),
            "{label}: retyped"
        );
        let r = c
            .call_tool(
                "pay",
                json!({"amount": 5, "confirm": "yes", "payer": "mallory"}),
            )
            .await
            .unwrap();
        let said = text(&r);
        assert!(
            said.ends_with("paid 5 (confirmed: true); via pay"),
            "{label}: {said}"
        );
        assert!(
            !said.contains("mallory"),
            "{label}: the hidden value is the server's, {said}"
        );
        let r = c
            .call_tool("pay", json!({"amount": -1, "confirm": "no"}))
            .await
            .unwrap();
        assert!(r.is_error(), "{label}: the function refused it");
        // A bad argument is a tool error the model can read.
        let r = c
            .call_tool("pay", json!({"amount": 1, "confirm": "maybe"}))
            .await
            .unwrap();
        let said = text(&r);
        assert!(
            r.is_error() && said.contains("confirm: say yes or no"),
            "{label}: {said}"
        );
    }
}

/// Review some code.
#[prompt]
fn code_review(src: String, lang: String) -> String {
    format!("Review this {lang}: {src}")
}

/// The settings.
#[resource("file:///etc/app.toml", mime_type = "text/plain")]
fn settings() -> String {
    "debug = true".into()
}

#[tokio::test]
async fn prompts_and_resources_reshaped() {
    let server = Server::new("helper", "1.0.0")
        .prompt(code_review)
        .resource(settings)
        .transform(
            PromptTransform::new("code_review")
                .rename("review")
                .description("Review code.")
                .tags(["dev"])
                .arg("src", Some("code"), Some("The code.")),
        )
        .transform(
            ResourceTransform::new("file:///etc/app.toml")
                .uri("config://app")
                .name("app settings")
                .description("The settings.")
                .mime_type("application/toml"),
        );
    let running = server.start().await.unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let prompts = c.list_prompts().await.unwrap();
        assert_eq!(prompts.len(), 1, "{label}");
        let p = serde_json::to_value(&prompts[0]).unwrap();
        assert_eq!(p["name"], "review", "{label}");
        assert_eq!(p["arguments"][0]["name"], "code", "{label}");
        assert_eq!(p["arguments"][0]["description"], "The code.", "{label}");
        assert_eq!(p["_meta"]["fastmcp/tags"], json!(["dev"]), "{label}");
        let got = c
            .get_prompt("review", json!({"code": "fn f() {}", "lang": "Rust"}))
            .await
            .unwrap();
        let got = serde_json::to_value(&got).unwrap();
        assert_eq!(
            got["messages"][0]["content"]["text"], "Review this Rust: fn f() {}",
            "{label}"
        );
        assert!(
            c.get_prompt("code_review", json!({"src": "x", "lang": "y"}))
                .await
                .is_err(),
            "{label}: the old name is gone"
        );

        let listed = c.list_resources().await.unwrap();
        assert_eq!(listed[0].uri, "config://app", "{label}");
        assert_eq!(listed[0].name, "app settings", "{label}");
        assert_eq!(
            listed[0].mime_type.as_deref(),
            Some("application/toml"),
            "{label}"
        );
        let r = serde_json::to_value(c.read_resource("config://app").await.unwrap()).unwrap();
        assert_eq!(r["contents"][0]["uri"], "config://app", "{label}");
        assert_eq!(r["contents"][0]["text"], "debug = true", "{label}");
        assert!(
            c.read_resource("file:///etc/app.toml").await.is_err(),
            "{label}: the old URI is gone"
        );
    }
}

#[tokio::test]
async fn prompts_and_resources_as_tools_for_clients_that_only_call_tools() {
    let server = Server::new("helper", "1.0.0")
        .prompt(code_review)
        .resource(settings)
        .transform(PromptsAsTools::new())
        .transform(ResourcesAsTools::new());
    let running = server.start().await.unwrap();
    for (label, c) in support::memory_and_http_clients(&running).await {
        let names = support::tool_names(&c).await;
        assert_eq!(
            names,
            [
                "get_prompt",
                "list_prompts",
                "list_resources",
                "read_resource"
            ],
            "{label}"
        );
        let r = c.call_tool("list_prompts", json!({})).await.unwrap();
        let s = r.structured_content.clone().unwrap();
        assert_eq!(s["prompts"][0]["name"], "code_review", "{label}");
        let r = c
            .call_tool(
                "get_prompt",
                json!({"name": "code_review", "arguments": {"src": "x", "lang": "Go"}}),
            )
            .await
            .unwrap();
        let s = r.structured_content.clone().unwrap();
        assert_eq!(
            s["messages"][0]["content"]["text"], "Review this Go: x",
            "{label}"
        );
        let r = c.call_tool("list_resources", json!({})).await.unwrap();
        let s = r.structured_content.clone().unwrap();
        assert_eq!(s["resources"][0]["uri"], "file:///etc/app.toml", "{label}");
        let r = c
            .call_tool("read_resource", json!({"uri": "file:///etc/app.toml"}))
            .await
            .unwrap();
        assert_eq!(text(&r), "debug = true", "{label}");
        let e = c
            .call_tool("read_resource", json!({"uri": "nope://x"}))
            .await;
        assert!(
            e.is_err() || e.unwrap().is_error(),
            "{label}: a missing resource fails the call"
        );
    }
}
