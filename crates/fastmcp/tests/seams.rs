//! The server's seams: providers (where components come from), transforms (what sits
//! between them and the methods), the tower pipeline (middleware), registration errors.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{
    BoxFuture, Context, Error, FnPrompt, FnResource, FnResourceTemplate, FnTool, PromptHandler,
    ResourceHandler,
};
use fastmcp::protocol::{Prompt, ProtocolVersion, Resource, ResourceContents, ResourceTemplate};
use fastmcp::server::{
    BoxMcpService, ChangeNotifier, Kinds, McpRequest, Next, OnDuplicate, Page, Provider,
    RegistrationError, TemplateEntry, ToolEntry, Transform,
};
use fastmcp::Server;
use serde_json::json;
use support::{client, modes, Recorder};
use tower::ServiceExt;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn named(name: &str, reply: &'static str) -> FnTool {
    FnTool::typed(name, "", move |_: Context, _: Empty| async move { reply })
}

fn entry(name: &str, reply: &'static str) -> ToolEntry {
    ToolEntry::new(Arc::new(named(name, reply)))
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    r.content[0].as_text().unwrap_or_default().to_owned()
}

fn contents(r: &fastmcp::protocol::ReadResourceResult) -> &str {
    match &r.contents[0] {
        ResourceContents::Text(t) => &t.text,
        ResourceContents::Blob(_) => "",
    }
}

/// A provider with fixed components, served in pages of one, that keeps the notifier it is
/// given.
#[derive(Default)]
struct Fixed {
    tools: Vec<ToolEntry>,
    resources: Vec<Arc<dyn ResourceHandler>>,
    templates: Vec<Arc<TemplateEntry>>,
    prompts: Vec<Arc<dyn PromptHandler>>,
    changes: Arc<Mutex<Option<ChangeNotifier>>>,
}

/// Page `i` of `items` (one item a page) and the cursor of the next.
fn one_page<T: Clone>(items: &[T], cursor: Option<String>) -> Result<Page<T>, Error> {
    let i: usize = cursor.map_or(Ok(0), |c| c.parse().map_err(|_| Error::invalid_params(c)))?;
    Ok(Page {
        items: items.get(i).cloned().into_iter().collect(),
        next_cursor: (i + 1 < items.len()).then(|| (i + 1).to_string()),
    })
}

impl Provider for Fixed {
    fn kinds(&self) -> Kinds {
        Kinds {
            tools: !self.tools.is_empty(),
            resources: !self.resources.is_empty(),
            templates: !self.templates.is_empty(),
            prompts: !self.prompts.is_empty(),
            task_tools: false,
        }
    }

    fn attach(&self, changes: &ChangeNotifier) {
        *self.changes.lock().unwrap() = Some(changes.clone());
    }

    fn list_tools(&self, c: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move { one_page(&self.tools, c) })
    }

    fn list_resources(
        &self,
        c: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move { one_page(&self.resources, c) })
    }

    fn list_templates(
        &self,
        c: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move { one_page(&self.templates, c) })
    }

    fn list_prompts(
        &self,
        c: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move { one_page(&self.prompts, c) })
    }
}

fn fixed() -> Fixed {
    let template = FnResourceTemplate::new(
        ResourceTemplate::new("extra://items/{id}", "item"),
        |_, _, vars| async move { format!("item {}", vars["id"]) },
    );
    Fixed {
        tools: vec![entry("echo", "from the provider"), entry("extra", "extra")],
        resources: vec![Arc::new(FnResource::new(
            Resource::new("extra://readme", "readme"),
            |_, _| async { "read me" },
        ))],
        templates: vec![Arc::new(TemplateEntry::new(Arc::new(template)).unwrap())],
        prompts: vec![Arc::new(FnPrompt::new(
            Prompt::new("greet"),
            |_, _| async { "hello" },
        ))],
        ..Fixed::default()
    }
}

#[tokio::test]
async fn a_provider_adds_components_after_the_servers_own() {
    let running = Server::new("p", "0")
        .tool(named("echo", "local"))
        .provider(fixed())
        .start()
        .await
        .unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let names: Vec<_> = c
            .list_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(
            names,
            ["echo", "extra"],
            "each name once, the first provider's"
        );
        assert_eq!(
            text(&c.call_tool("echo", json!({})).await.unwrap()),
            "local"
        );
        assert_eq!(
            text(&c.call_tool("extra", json!({})).await.unwrap()),
            "extra"
        );
        let read = c.read_resource("extra://readme").await.unwrap();
        assert_eq!(contents(&read), "read me");
        let read = c.read_resource("extra://items/7").await.unwrap();
        assert_eq!(contents(&read), "item 7");
        assert_eq!(c.list_resources().await.unwrap().len(), 1);
        assert_eq!(c.list_resource_templates().await.unwrap().len(), 1);
        let p = c.get_prompt("greet", json!({})).await.unwrap();
        assert_eq!(p.messages[0].content.as_text(), Some("hello"));
        if c.era() == fastmcp::protocol::Era::Handshake {
            // The capabilities come from what the providers offer.
            let caps = c.server_capabilities();
            assert!(caps.prompts.is_some(), "{caps:?}");
            assert!(
                caps.resources.is_some() && caps.completions.is_some(),
                "{caps:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_provider_that_loops_its_cursor_fails_the_list_clearly() {
    struct Loop;
    impl Provider for Loop {
        fn kinds(&self) -> Kinds {
            Kinds {
                tools: true,
                ..Kinds::default()
            }
        }
        fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
            Box::pin(async {
                Ok(Page {
                    items: vec![],
                    next_cursor: Some("again".into()),
                })
            })
        }
    }
    let running = Server::new("p", "0").provider(Loop).start().await.unwrap();
    let c = Client::connect(running.connect_in_memory()).await.unwrap();
    let e = c.list_tools().await.unwrap_err();
    assert!(e.message().contains("twice"), "{}", e.message());
    // The session goes on.
    c.ping().await.unwrap();
}

#[tokio::test]
async fn a_provider_announces_its_changes_to_sessions() {
    let provider = fixed();
    let changes = provider.changes.clone();
    let running = Server::new("p", "0")
        .provider(provider)
        .start()
        .await
        .unwrap();
    let rec = Recorder::default();
    let _c = client(
        &running,
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        rec.clone(),
    )
    .await;
    let notifier = changes.lock().unwrap().clone().expect("attached at start");
    notifier.prompts_changed();
    for _ in 0..200 {
        if rec
            .other
            .lock()
            .unwrap()
            .iter()
            .any(|m| m == "notifications/prompts/list_changed")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("no prompts/list_changed: {:?}", rec.other.lock().unwrap());
}

/// Offers every tool under `prefix_`; hides tools named `secret`.
struct Prefix(&'static str);

impl Transform for Prefix {
    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        tools
            .into_iter()
            .filter(|t| t.name() != "secret")
            .map(|t| {
                let mut def = t.handler().tool().clone();
                def.name = format!("{}_{}", self.0, def.name);
                let inner = t.handler().clone();
                ToolEntry::new(Arc::new(fastmcp::core::FnTool::new(
                    def,
                    move |ctx, args| inner.clone().call(ctx, args),
                )))
            })
            .collect()
    }

    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            let Some(inner) = name.strip_prefix(self.0).and_then(|n| n.strip_prefix('_')) else {
                return Ok(None);
            };
            if inner == "secret" {
                return Ok(None);
            }
            Ok(next.tool(inner).await?.map(|t| {
                let mut v = self.tools(vec![t]);
                v.remove(0)
            }))
        })
    }
}

#[tokio::test]
async fn transforms_reshape_lists_and_lookups() {
    let running = Server::new("t", "0")
        .tool(named("add", "sum"))
        .tool(named("secret", "hidden"))
        .transform(Prefix("outer"))
        .transform(Prefix("inner"))
        .start()
        .await
        .unwrap();
    let c = Client::connect(running.connect_in_memory()).await.unwrap();
    let names: Vec<_> = c
        .list_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(
        names,
        ["outer_inner_add"],
        "the first transform is the outermost"
    );
    let r = c.call_tool("outer_inner_add", json!({})).await.unwrap();
    assert_eq!(text(&r), "sum");
    for hidden in ["add", "inner_add", "outer_inner_secret", "outer_secret"] {
        let e = c.call_tool(hidden, json!({})).await.unwrap_err();
        assert_eq!(e.code(), -32602, "{hidden}: {}", e.message());
    }
}

#[tokio::test]
async fn a_layer_sees_every_request_and_may_answer_itself() {
    let seen: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let log = seen.clone();
    let record = tower::layer::layer_fn(move |inner: BoxMcpService| {
        let log = log.clone();
        tower::service_fn(move |req: McpRequest| {
            log.lock()
                .unwrap()
                .push((req.method().to_owned(), req.is_nested()));
            inner.clone().oneshot(req)
        })
    });
    let refuse_prompts = tower::layer::layer_fn(|inner: BoxMcpService| {
        tower::service_fn(move |req: McpRequest| {
            let inner = inner.clone();
            async move {
                if req.method() == "prompts/list" {
                    return Err(Error::invalid_request("prompts are closed today"));
                }
                inner.oneshot(req).await
            }
        })
    });
    let outer = FnTool::typed("outer", "", |ctx: Context, _: Empty| async move {
        let r = ctx.call_tool("inner", json!({})).await?;
        Ok::<_, Error>(format!("outer({})", text(&r)))
    });
    let running = Server::new("l", "0")
        .tool(named("inner", "in"))
        .tool(outer)
        .prompt(FnPrompt::new(Prompt::new("p"), |_, _| async { "P" }))
        .layer(record)
        .layer(refuse_prompts)
        .start()
        .await
        .unwrap();
    let c = Client::connect(running.connect_in_memory()).await.unwrap();
    let r = c.call_tool("outer", json!({})).await.unwrap();
    assert_eq!(text(&r), "outer(in)");
    let e = c.list_prompts().await.unwrap_err();
    assert_eq!(e.message(), "prompts are closed today");
    let seen = seen.lock().unwrap().clone();
    let calls: Vec<_> = seen.iter().filter(|(m, _)| m == "tools/call").collect();
    assert_eq!(
        calls,
        [
            &("tools/call".to_owned(), false),
            &("tools/call".to_owned(), true)
        ],
        "the client's call, then the handler's nested call"
    );
    assert!(seen.iter().any(|(m, _)| m == "initialize"));
    assert!(
        seen.iter().any(|(m, _)| m == "prompts/list"),
        "the outer layer saw the request the inner one refused"
    );
}

#[tokio::test]
async fn registration_problems_are_errors_with_their_cause() {
    let bad = FnResourceTemplate::new(
        ResourceTemplate::new("files://{path", "broken"),
        |_, _, _| async { "" },
    );
    let e = Server::new("r", "0")
        .resource(bad)
        .start()
        .await
        .err()
        .expect("an invalid template stops the start");
    assert!(
        e.message()
            .contains(r#"invalid URI template "files://{path""#),
        "{}",
        e.message()
    );

    let server = Server::new("r", "0").on_duplicate(OnDuplicate::Error);
    let handle = server.handle();
    let running = server.tool(named("t", "a")).start().await.unwrap();
    assert_eq!(
        handle.add_tool(named("t", "b")),
        Err(RegistrationError::Duplicate {
            kind: "tool",
            name: "t".into()
        })
    );
    let bad = FnResourceTemplate::new(ResourceTemplate::new("x://{a", "x"), |_, _, _| async { "" });
    assert!(matches!(
        running.handle().add_resource(bad),
        Err(RegistrationError::InvalidTemplate { .. })
    ));
    let c = Client::connect(running.connect_in_memory()).await.unwrap();
    assert_eq!(text(&c.call_tool("t", json!({})).await.unwrap()), "a");
}

#[tokio::test]
async fn tool_arguments_that_are_not_an_object_are_invalid_params() {
    let running = Server::new("a", "0")
        .tool(named("t", "ok"))
        .start()
        .await
        .unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        for bad in [json!([1, 2]), json!("x"), json!(3), json!(true)] {
            let e = c
                .request_value("tools/call", json!({ "name": "t", "arguments": bad }), None)
                .await
                .unwrap_err();
            assert_eq!(e.code(), -32602, "{bad}: {}", e.message());
        }
        for fine in [json!({}), json!(null)] {
            let v = c
                .request_value(
                    "tools/call",
                    json!({ "name": "t", "arguments": fine }),
                    None,
                )
                .await
                .unwrap();
            assert_eq!(v["content"][0]["text"], "ok");
        }
    }
}
