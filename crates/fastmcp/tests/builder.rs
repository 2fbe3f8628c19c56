//! Server builder options and smaller protocol paths.

mod support;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{Context, Error, FnPrompt, FnResource, FnTool};
use fastmcp::protocol::{ContentBlock, Icon, LoggingLevel, Prompt, ProtocolVersion, Resource};
use fastmcp::server::OnDuplicate;
use fastmcp::Server;
use serde_json::json;
use support::{client, modes, Recorder};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct One {
    x: i64,
}

fn named(name: &str, reply: &'static str) -> FnTool {
    FnTool::typed(name, "", move |_: Context, _: Empty| async move { reply })
}

#[tokio::test]
async fn on_duplicate_policies() {
    let text = |s: Server| async move {
        let r = s.start().await.unwrap();
        let c = Client::connect(r.connect_in_memory()).await.unwrap();
        c.call_tool("t", json!({})).await.unwrap().content[0]
            .as_text()
            .unwrap()
            .to_owned()
    };
    let s = Server::new("d", "0")
        .on_duplicate(OnDuplicate::Replace)
        .tool(named("t", "old"))
        .tool(named("t", "new"));
    assert_eq!(text(s).await, "new");
    let s = Server::new("d", "0")
        .on_duplicate(OnDuplicate::Ignore)
        .tool(named("t", "old"))
        .tool(named("t", "new"));
    assert_eq!(text(s).await, "old");
    let s = Server::new("d", "0")
        .on_duplicate(OnDuplicate::Error)
        .tool(named("t", "old"));
    assert!(s.handle().add_tool(named("t", "new")).is_err());
    let e = Server::new("d", "0")
        .on_duplicate(OnDuplicate::Error)
        .tool(named("t", "a"))
        .tool(named("t", "b"))
        .start()
        .await
        .err()
        .expect("start refuses a duplicate under OnDuplicate::Error");
    assert!(
        e.message()
            .contains(r#"a tool named "t" is already registered"#),
        "{}",
        e.message()
    );
}

/// A tracing subscriber that keeps the messages of warning events.
#[derive(Clone, Default)]
struct Warnings(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Message(String);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                if f.name() == "message" {
                    self.0 = format!("{v:?}");
                }
            }
        }
        if *event.metadata().level() == tracing::Level::WARN {
            let mut m = Message(String::new());
            event.record(&mut m);
            self.0.lock().unwrap().push(m.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn on_duplicate_warn_replaces_and_logs_a_warning() {
    let warnings = Warnings::default();
    let s = tracing::subscriber::with_default(warnings.clone(), || {
        Server::new("d", "0")
            .on_duplicate(OnDuplicate::Warn)
            .tool(named("t", "old"))
            .tool(named("t", "new"))
    });
    let logged = warnings.0.lock().unwrap().clone();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert!(logged[0].contains("replacing tool \"t\""), "{logged:?}");
    let r = s.start().await.unwrap();
    let c = Client::connect(r.connect_in_memory()).await.unwrap();
    let out = c.call_tool("t", json!({})).await.unwrap();
    assert_eq!(out.content[0].as_text(), Some("new"));
    assert_eq!(c.list_tools().await.unwrap().len(), 1);
}

#[tokio::test]
async fn mask_error_details_hides_internal_errors_only() {
    let tools = |s: Server| {
        s.tool(FnTool::typed(
            "internal",
            "",
            |_: Context, _: Empty| async {
                Err::<String, _>(Error::internal("database password is hunter2"))
            },
        ))
        .tool(FnTool::typed("tool", "", |_: Context, _: Empty| async {
            Err::<String, _>(Error::tool("bad input"))
        }))
    };
    let masked = tools(Server::new("m", "0").mask_error_details(true))
        .start()
        .await
        .unwrap();
    let c = Client::connect(masked.connect_in_memory()).await.unwrap();
    let r = c.call_tool("internal", json!({})).await.unwrap();
    assert!(r.is_error());
    assert_eq!(
        r.content,
        vec![ContentBlock::text("Error calling tool 'internal'")]
    );
    assert_eq!(
        c.call_tool("tool", json!({})).await.unwrap().content,
        vec![ContentBlock::text("bad input")]
    );
    let open = tools(Server::new("m", "0")).start().await.unwrap();
    let c = Client::connect(open.connect_in_memory()).await.unwrap();
    let r = c.call_tool("internal", json!({})).await.unwrap();
    assert!(r.content[0].as_text().unwrap().contains("hunter2"));
}

#[tokio::test]
async fn strict_input_validation_refuses_unknown_arguments() {
    let tool = || FnTool::typed("one", "", |_: Context, a: One| async move { a.x });
    let strict = Server::new("s", "0")
        .strict_input_validation(true)
        .tool(tool())
        .start()
        .await
        .unwrap();
    let c = Client::connect(strict.connect_in_memory()).await.unwrap();
    let r = c.call_tool("one", json!({"x": 1, "y": 2})).await.unwrap();
    assert!(r.is_error());
    assert_eq!(
        r.content,
        vec![ContentBlock::text("Unexpected argument(s): y")]
    );
    let lax = Server::new("s", "0").tool(tool()).start().await.unwrap();
    let c = Client::connect(lax.connect_in_memory()).await.unwrap();
    assert_eq!(
        c.call_tool_as::<i64>("one", json!({"x": 1, "y": 2}))
            .await
            .unwrap(),
        1
    );
    // Lenient coercion can be turned off.
    let exact = Server::new("s", "0")
        .lenient_arguments(false)
        .tool(tool())
        .start()
        .await
        .unwrap();
    let c = Client::connect(exact.connect_in_memory()).await.unwrap();
    assert!(c
        .call_tool("one", json!({"x": "1"}))
        .await
        .unwrap()
        .is_error());
}

fn logging_server() -> Server {
    Server::new("l", "0").tool(FnTool::typed(
        "talk",
        "",
        |ctx: Context, _: Empty| async move {
            ctx.debug("d").await?;
            ctx.info("i").await?;
            ctx.error("e").await?;
            Ok::<_, Error>("ok")
        },
    ))
}

#[tokio::test]
async fn log_level_filters_messages() {
    let running = logging_server().start().await.unwrap();
    // Handshake: logging/setLevel on the session.
    let rec = Recorder::default();
    let c = Client::builder()
        .handler(rec.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    c.set_log_level(LoggingLevel::Info).await.unwrap();
    c.call_tool("talk", json!({})).await.unwrap();
    let got: Vec<_> = rec
        .logs
        .lock()
        .unwrap()
        .iter()
        .map(|l| l.data.clone())
        .collect();
    assert_eq!(got, [json!("i"), json!("e")]);
    // Stateless: only with a logLevel in _meta, per request.
    let rec = Recorder::default();
    let c = Client::builder()
        .mode(modes()[1])
        .handler(rec.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    c.call_tool("talk", json!({})).await.unwrap();
    assert!(rec.logs.lock().unwrap().is_empty(), "no logLevel, no logs");
    let rec = Recorder::default();
    let c = Client::builder()
        .mode(modes()[1])
        .log_level(LoggingLevel::Error)
        .handler(rec.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    c.call_tool("talk", json!({})).await.unwrap();
    assert_eq!(rec.logs.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn batches_are_answered_in_2025_03_26() {
    let running = Server::new("b", "0")
        .tool(named("t", "x"))
        .start()
        .await
        .unwrap();
    let mut ch = running.connect_in_memory();
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {"protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "c", "version": "0"}}});
    ch.outbound.send(init.to_string()).await.unwrap();
    ch.inbound.recv().await.unwrap().unwrap();
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "t", "arguments": {}}},
        {"jsonrpc": "2.0", "id": 3, "method": "nope"}
    ]);
    ch.outbound.send(batch.to_string()).await.unwrap();
    let reply: serde_json::Value =
        serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    let arr = reply.as_array().expect("a batch reply is an array");
    assert_eq!(arr.len(), 3);
    assert_eq!(arr[0]["id"], 1);
    assert_eq!(arr[1]["result"]["content"][0]["text"], "x");
    assert_eq!(arr[2]["error"]["code"], -32601);
    ch.outbound.send("[]").await.unwrap();
    let empty: serde_json::Value =
        serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(empty["error"]["code"], -32600);
}

#[tokio::test]
async fn handlers_read_resources_and_prompts_of_their_own_server() {
    let running = Server::new("n", "0")
        .resource(FnResource::new(
            Resource::new("mem://a", "a"),
            |_, _| async { "A" },
        ))
        .prompt(FnPrompt::new(Prompt::new("p"), |_, _| async { "P" }))
        .tool(FnTool::typed(
            "both",
            "",
            |ctx: Context, _: Empty| async move {
                let r = ctx.read_resource("mem://a").await?;
                let p = ctx.get_prompt("p", json!({})).await?;
                let text = match &r.contents[0] {
                    fastmcp::protocol::ResourceContents::Text(t) => t.text.clone(),
                    _ => String::new(),
                };
                Ok::<_, Error>(format!(
                    "{text}{}",
                    p.messages[0].content.as_text().unwrap_or_default()
                ))
            },
        ))
        .start()
        .await
        .unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        assert_eq!(
            c.call_tool("both", json!({})).await.unwrap().content,
            vec![ContentBlock::text("AP")]
        );
    }
}

#[tokio::test]
async fn a_session_can_hide_a_tool_from_itself() {
    let running = Server::new("h", "0")
        .tool(named("secret", "s"))
        .tool(FnTool::typed(
            "hide",
            "",
            |ctx: Context, _: Empty| async move {
                ctx.session().disable("tool:secret");
                "hidden"
            },
        ))
        .start()
        .await
        .unwrap();
    let a = Client::connect(running.connect_in_memory()).await.unwrap();
    let b = Client::connect(running.connect_in_memory()).await.unwrap();
    a.call_tool("hide", json!({})).await.unwrap();
    assert_eq!(a.list_tools().await.unwrap().len(), 1);
    assert_eq!(
        a.call_tool("secret", json!({})).await.unwrap_err().code(),
        -32602
    );
    assert_eq!(
        b.list_tools().await.unwrap().len(),
        2,
        "other sessions still see it"
    );
}

#[tokio::test]
async fn server_metadata_is_announced() {
    let running = Server::new("meta", "2.0.0")
        .title("Meta Server")
        .description("Describes itself.")
        .website_url("https://example.com")
        .icon(
            serde_json::from_value::<Icon>(
                json!({"src": "https://example.com/i.png", "mimeType": "image/png"}),
            )
            .unwrap(),
        )
        .start()
        .await
        .unwrap();
    let c = Client::builder()
        .mode(Mode::Handshake(ProtocolVersion::V2025_11_25))
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    let info = c.server_info().unwrap();
    assert_eq!(info.title.as_deref(), Some("Meta Server"));
    assert_eq!(info.website_url.as_deref(), Some("https://example.com"));
    assert_eq!(info.icons.unwrap()[0].src, "https://example.com/i.png");
    assert_eq!(info.description.as_deref(), Some("Describes itself."));
}

#[tokio::test]
async fn dynamic_components_carry_titles_icons_meta_and_annotations() {
    use fastmcp::core::FnResourceTemplate;
    use fastmcp::protocol::{Annotations, ResourceTemplate, Role, ToolAnnotations};
    let audience = || Annotations {
        audience: Some(vec![Role::User]),
        ..Default::default()
    };
    let running = Server::new("display", "0")
        .tool(
            named("t", "x")
                .title("Tool T")
                .icon(Icon::new("https://example.com/t.png"))
                .meta("team", json!("tools"))
                .annotations(ToolAnnotations {
                    read_only_hint: Some(true),
                    ..Default::default()
                }),
        )
        .resource(
            FnResource::new(Resource::new("test://r", "r"), |_, _| async { "r" })
                .title("Resource R")
                .icon(Icon::new("https://example.com/r.png"))
                .meta("team", json!("docs"))
                .annotations(audience()),
        )
        .resource(
            FnResourceTemplate::new(
                ResourceTemplate::new("test://{id}", "tpl"),
                |_, _, _| async { "t" },
            )
            .title("Template")
            .icon(Icon::new("https://example.com/tpl.png"))
            .meta("team", json!("templates"))
            .annotations(audience()),
        )
        .prompt(
            FnPrompt::new(Prompt::new("p"), |_, _| async { "hi" })
                .title("Prompt P")
                .icon(Icon::new("https://example.com/p.png"))
                .meta("team", json!("prompts")),
        )
        .start()
        .await
        .unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let lists = [
            ("tools/list", "tools", "Tool T", "tools"),
            ("resources/list", "resources", "Resource R", "docs"),
            (
                "resources/templates/list",
                "resourceTemplates",
                "Template",
                "templates",
            ),
            ("prompts/list", "prompts", "Prompt P", "prompts"),
        ];
        for (method, key, title, team) in lists {
            let v = c.request_value(method, json!({}), None).await.unwrap();
            let item = &v[key][0];
            assert_eq!(item["title"], title, "{mode:?} {method}: {item}");
            assert!(
                item["icons"][0]["src"].as_str().unwrap().ends_with(".png"),
                "{item}"
            );
            assert_eq!(item["_meta"]["team"], team, "{item}");
        }
        let v = c
            .request_value("resources/list", json!({}), None)
            .await
            .unwrap();
        assert_eq!(
            v["resources"][0]["annotations"]["audience"],
            json!(["user"])
        );
        let v = c
            .request_value("resources/templates/list", json!({}), None)
            .await
            .unwrap();
        assert_eq!(
            v["resourceTemplates"][0]["annotations"]["audience"],
            json!(["user"])
        );
        let v = c
            .request_value("tools/list", json!({}), None)
            .await
            .unwrap();
        assert_eq!(v["tools"][0]["annotations"]["readOnlyHint"], true);
    }
}
