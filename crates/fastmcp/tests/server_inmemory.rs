//! A server and a client in one process over the in-memory transport, in both eras.

mod support;

use std::time::Duration;

use fastmcp::core::{Context, Error, FnPrompt, FnResource, FnResourceTemplate, FnTool, Json};
use fastmcp::protocol::{ContentBlock, Prompt, Resource, ResourceContents, ResourceTemplate};
use fastmcp::Server;
use serde_json::json;
use support::tools::{self, Empty, Person};
use support::{client, modes, Recorder};

fn server() -> Server {
    Server::new("test-server", "1.2.3")
        .instructions("For tests.")
        .tool(tools::add())
        .tool(FnTool::typed(
            "person",
            "A person.",
            |_: Context, _: Empty| async move {
                Json(Person {
                    name: "Ada".into(),
                    age: 36,
                })
            },
        ))
        .tool(FnTool::typed(
            "fail",
            "Fails.",
            |_: Context, _: Empty| async move { Err::<String, _>(Error::tool("it failed")) },
        ))
        .tool(FnTool::typed(
            "panic",
            "Panics.",
            |_: Context, _: Empty| async move {
                if true {
                    panic!("kaboom");
                }
                "never"
            },
        ))
        .tool(tools::progress(Some("step")))
        .tool(tools::ask())
        .tool(FnTool::typed(
            "ask_named",
            "Elicits under a chosen key.",
            |ctx: Context, _: Empty| async move {
                let r = ctx
                    .keyed("user_name")
                    .elicit_raw(
                        "Name?",
                        json!({"type": "object", "properties": {"name": {"type": "string"}}}),
                    )
                    .await?;
                Ok::<_, Error>(format!("{:?}", r.action))
            },
        ))
        .tool(FnTool::typed(
            "ask_twice",
            "Elicits twice.",
            |ctx: Context, _: Empty| async move {
                let a = ctx.elicit::<Person>("first?").await?;
                let b = ctx.elicit::<Person>("second?").await?;
                Ok::<_, Error>(format!(
                    "{:?} {:?}",
                    matches!(a, fastmcp::Elicited::Accept(_)),
                    matches!(b, fastmcp::Elicited::Accept(_))
                ))
            },
        ))
        .tool(FnTool::typed(
            "nested",
            "Calls add.",
            |ctx: Context, _: Empty| async move {
                let r = ctx.call_tool("add", json!({"a": 20, "b": 22})).await?;
                Ok::<_, Error>(r.structured_content.unwrap()["result"].to_string())
            },
        ))
        .resource(FnResource::new(
            Resource {
                mime_type: Some("text/plain".into()),
                ..Resource::new("test://static", "static")
            },
            |_, _| async { "static text" },
        ))
        .resource(FnResourceTemplate::new(
            ResourceTemplate::new("users://{id}/profile", "profile"),
            |_, _, vars| async move { Json(json!({ "id": vars["id"] })) },
        ))
        .prompt(FnPrompt::new(
            Prompt {
                arguments: Some(vec![fastmcp::protocol::PromptArgument {
                    name: "topic".into(),
                    required: Some(true),
                    ..Default::default()
                }]),
                ..Prompt::new("explain")
            },
            |_, args| async move { format!("Explain {}", args["topic"].as_str().unwrap_or("?")) },
        ))
}

#[tokio::test]
async fn lists_and_calls_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let tools = c.list_tools().await.unwrap();
        assert_eq!(tools.len(), 9, "{mode:?}");
        assert_eq!(tools[0].name, "add");
        assert_eq!(tools[0].input_schema["required"], json!(["a", "b"]));

        let r = c.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
        assert_eq!(r.structured_content, Some(json!({"result": 5})));
        assert_eq!(r.content, vec![ContentBlock::text("5")]);
        assert_eq!(
            c.call_tool_as::<i64>("add", json!({"a": 2, "b": 3}))
                .await
                .unwrap(),
            5
        );
        let p: Person = c.call_tool_as("person", json!({})).await.unwrap();
        assert_eq!(
            p,
            Person {
                name: "Ada".into(),
                age: 36
            }
        );

        // Lenient: a JSON string for an integer.
        assert_eq!(
            c.call_tool_as::<i64>("add", json!({"a": "2", "b": 3}))
                .await
                .unwrap(),
            5
        );
        // Invalid arguments: a tool error the model can read, not a protocol error.
        let bad = c.call_tool("add", json!({"a": "x"})).await.unwrap();
        assert!(bad.is_error());
        // Every problem at once, each with its field and the type expected; no line and
        // column of a text the client never saw.
        let why = serde_json::to_value(&bad.content[0]).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            why.starts_with("Invalid arguments: tool 'add': ")
                && why.contains(r#"`a`: "x" is not of type "integer""#)
                && why.contains(r#"arguments: "b" is a required property"#)
                && !why.contains("line"),
            "{why}"
        );
        let fail = c.call_tool("fail", json!({})).await.unwrap();
        assert_eq!(fail.content, vec![ContentBlock::text("it failed")]);
        let unknown = c.call_tool("nope", json!({})).await.unwrap_err();
        assert_eq!(unknown.code(), -32602);
        // A panic is an internal error; the session goes on.
        let p = c.call_tool("panic", json!({})).await.unwrap_err();
        assert_eq!(p.code(), -32603);
        assert!(p.message().contains("kaboom"));
        assert_eq!(
            c.call_tool_as::<String>("nested", json!({})).await.ok(),
            None
        );
        let nested = c.call_tool("nested", json!({})).await.unwrap();
        assert_eq!(nested.content, vec![ContentBlock::text("42")]);

        let read = c.read_resource("test://static").await.unwrap();
        assert_eq!(
            read.contents,
            vec![ResourceContents::text(
                "test://static",
                "text/plain",
                "static text"
            )]
        );
        let read = c.read_resource("users://7/profile").await.unwrap();
        match &read.contents[0] {
            ResourceContents::Text(t) => assert_eq!(t.text, r#"{"id":"7"}"#),
            other => panic!("{other:?}"),
        }
        let missing = c.read_resource("users://x/y/profile").await.unwrap_err();
        // -32002 before 2026-07-28; -32602 with data.uri from then on.
        let expected = if c.era() == fastmcp::protocol::Era::Stateless {
            -32602
        } else {
            -32002
        };
        assert_eq!(missing.code(), expected, "{mode:?}");
        assert_eq!(missing.data().unwrap()["uri"], "users://x/y/profile");

        let prompt = c
            .get_prompt("explain", json!({"topic": "rust"}))
            .await
            .unwrap();
        assert_eq!(
            prompt.messages[0].content,
            ContentBlock::text("Explain rust")
        );
        let e = c.get_prompt("explain", json!({})).await.unwrap_err();
        assert_eq!(e.code(), -32602);
        c.ping().await.unwrap();
    }
}

#[tokio::test]
async fn progress_and_logs_reach_the_client() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let rec = Recorder::default();
        let c = client(&running, mode, rec.clone()).await;
        c.request::<serde_json::Value>(
            "tools/call",
            json!({"name": "progress", "arguments": {}, "_meta": {"progressToken": "p1"}}),
        )
        .await
        .unwrap();
        let progress = rec.progress.lock().unwrap().clone();
        assert_eq!(progress.len(), 3, "{mode:?}");
        assert_eq!(progress[2].progress, 3.0);
        assert_eq!(
            progress[0].progress_token,
            fastmcp::protocol::RequestId::from("p1")
        );
        let logs = rec.logs.lock().unwrap().clone();
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].data, json!("done"));
    }
}

#[tokio::test]
async fn elicitation_works_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let rec = Recorder {
            answer: json!({"name": "Grace", "age": 85})
                .as_object()
                .unwrap()
                .clone(),
            ..Recorder::default()
        };
        let c = client(&running, mode, rec.clone()).await;
        let r = c.call_tool("ask", json!({})).await.unwrap();
        assert_eq!(
            r.content,
            vec![ContentBlock::text("Grace is 85")],
            "{mode:?}"
        );
        let r = c.call_tool("ask_twice", json!({})).await.unwrap();
        assert_eq!(r.content, vec![ContentBlock::text("true true")]);
        assert_eq!(
            *rec.elicitations.lock().unwrap(),
            ["Who are you?", "first?", "second?"]
        );
    }
}

#[tokio::test]
async fn stateless_input_required_carries_a_sealed_state() {
    let running = server().start().await.unwrap();
    let c = client(&running, support::modes()[1], Recorder::default()).await;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}
    });
    // Talk raw: the client's MRTR loop would answer for us. Use max rounds 0 instead.
    let raw = fastmcp::client::Client::builder()
        .mode(support::modes()[1])
        .max_input_rounds(0)
        .handler(Recorder::default())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    let e = raw
        .request_value(
            "tools/call",
            json!({"name": "ask", "arguments": {}, "_meta": meta}),
            None,
        )
        .await
        .unwrap_err();
    assert!(e.message().contains("input rounds"), "{e:?}");
    // A forged state is refused.
    let forged = c
        .request_value(
            "tools/call",
            json!({"name": "ask", "arguments": {}, "requestState": "e30.AAAA", "inputResponses": {}}),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(forged.code(), -32602);
}

#[tokio::test]
async fn unsupported_stateless_version_lists_the_supported_ones() {
    let running = server().start().await.unwrap();
    let c = client(&running, support::modes()[0], Recorder::default()).await;
    let e = c
        .request_value(
            "tools/list",
            json!({"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01", "io.modelcontextprotocol/clientCapabilities": {}}}),
            Some(Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32022);
    assert_eq!(e.data().unwrap()["supported"], json!(["2026-07-28"]));
    assert_eq!(e.data().unwrap()["requested"], json!("2099-01-01"));
}

#[tokio::test]
async fn discover_describes_the_server() {
    let running = server().start().await.unwrap();
    let c = client(&running, support::modes()[1], Recorder::default()).await;
    let d = c.discover().await.unwrap();
    assert!(d.supported_versions.contains(&"2026-07-28".to_string()));
    assert!(d.supported_versions.contains(&"2024-11-05".to_string()));
    assert!(d.capabilities.tools.is_some());
    assert_eq!(d.instructions.as_deref(), Some("For tests."));
}

#[tokio::test]
async fn a_handler_can_choose_the_input_request_key() {
    let running = server().start().await.unwrap();
    let (client_ch, server_ch) = fastmcp::transport::memory::pair(16);
    running.spawn(server_ch);
    let mut ch = client_ch;
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}
    });
    let call = |id: i64, extra: serde_json::Value| {
        let mut params = json!({"name": "ask_named", "arguments": {}, "_meta": meta});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params}).to_string()
    };
    ch.outbound.send(call(1, json!({}))).await.unwrap();
    let r: serde_json::Value =
        serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(r["result"]["resultType"], "input_required");
    assert_eq!(
        r["result"]["inputRequests"]["user_name"]["method"],
        "elicitation/create"
    );
    // Answer under the same key, without requestState: the replay finds it.
    ch.outbound
        .send(call(2, json!({"inputResponses": {"user_name": {"action": "accept", "content": {"name": "Ada"}}}})))
        .await
        .unwrap();
    let r: serde_json::Value =
        serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(r["result"]["resultType"], "complete", "{r}");
    assert_eq!(r["result"]["content"][0]["text"], "Accept");
}

#[tokio::test]
async fn per_call_progress_callbacks_get_that_calls_progress() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let rec = Recorder::default();
        let c = client(&running, mode, rec.clone()).await;
        let seen = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
        let s2 = seen.clone();
        let r = c
            .call_tool_with_progress("progress", json!({}), move |p| {
                s2.lock().unwrap().push(p.progress)
            })
            .await
            .unwrap();
        assert_eq!(r.content[0].as_text(), Some("ok"));
        assert_eq!(*seen.lock().unwrap(), [1.0, 2.0, 3.0], "{mode:?}");
        assert!(
            rec.progress.lock().unwrap().is_empty(),
            "not sent to the handler"
        );
    }
}
