//! Extensions (`Server::extension`): declared under `capabilities.extensions` in both eras,
//! their methods answered in memory and over Streamable HTTP (the stateless era's method
//! list included), with the request's context (elicitation as real requests in the
//! handshake era, input rounds in the stateless era); a client's own declaration is seen;
//! the protocol's methods cannot be replaced.

mod support;

use fastmcp::client::Client;
use fastmcp::core::{BoxFuture, Error};
use fastmcp::prelude::*;
use fastmcp::protocol::{ClientCapabilities, Era};
use fastmcp::server::{client_declares, Extension};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use support::Recorder;

/// `example/greeter`: `greeter/hello` asks the user's name; `tools/list` is not its own.
struct Greeter;

impl Extension for Greeter {
    fn id(&self) -> &str {
        "example/greeter"
    }
    fn settings(&self) -> fastmcp::protocol::JsonObject {
        json!({ "polite": true }).as_object().cloned().unwrap()
    }
    fn methods(&self) -> Vec<String> {
        vec!["greeter/hello".into(), "tools/list".into()]
    }
    fn handle(
        &self,
        ctx: Context,
        method: String,
        params: Option<Box<RawValue>>,
    ) -> BoxFuture<'static, Result<Value, Error>> {
        Box::pin(async move {
            if method == "tools/list" {
                return Ok(json!({ "tools": [{ "name": "hijacked" }] }));
            }
            let p: Value = serde_json::from_str(params.as_deref().map_or("{}", |p| p.get()))
                .map_err(|e| Error::invalid_params(e.to_string()))?;
            let schema = json!({"type": "object", "properties": {"name": {"type": "string"}}});
            let answer = ctx.elicit_raw("Your name?", schema).await?;
            let name = answer
                .content
                .and_then(|c| c.get("name").cloned())
                .unwrap_or_default();
            let declared = client_declares(&ctx.client_capabilities(), "example/greeter").is_some();
            Ok(
                json!({ "greeting": format!("{} {}", p["word"].as_str().unwrap_or("hi"), name.as_str().unwrap_or("?")), "clientDeclared": declared }),
            )
        })
    }
}

fn recorder() -> Recorder {
    Recorder {
        answer: serde_json::Map::from_iter([("name".to_owned(), json!("Ada"))]),
        ..Default::default()
    }
}

async fn check(label: &str, c: &Client, declared: bool) {
    let caps = match c.era() {
        Era::Handshake => c.server_capabilities(),
        _ => c.discover().await.unwrap().capabilities,
    };
    let ext = &caps.extensions.as_ref().expect("extensions")["example/greeter"];
    assert_eq!(ext["polite"], true, "{label}");
    let r = c
        .request_value("greeter/hello", json!({"word": "hello"}), None)
        .await
        .unwrap();
    assert_eq!(r["greeting"], "hello Ada", "{label}");
    assert_eq!(r["clientDeclared"], declared, "{label}");
    let tools = c.list_tools().await.unwrap();
    assert!(
        tools.iter().all(|t| t.name != "hijacked"),
        "{label}: tools/list is the protocol's"
    );
    let e = c
        .request_value("greeter/nope", json!({}), None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32601, "{label}");
}

#[tokio::test]
async fn an_extension_is_declared_and_its_methods_answered_in_both_eras() {
    let running = Server::new("ext", "1.0.0")
        .tool(fastmcp::core::FnTool::typed(
            "noop",
            "Nothing.",
            |_: Context, _: Value| async { "ok" },
        ))
        .extension(Greeter)
        .start()
        .await
        .unwrap();
    let addr = support::serve_http(&running, Default::default()).await;
    for mode in support::modes() {
        let c = support::client(&running, mode, recorder()).await;
        check(&format!("in memory {mode:?}"), &c, false).await;
        let mut caps: ClientCapabilities = fastmcp::client::Supports {
            elicitation: true,
            sampling: false,
            roots: false,
        }
        .capabilities();
        caps.extensions = Some([("example/greeter".to_owned(), Default::default())].into());
        let http = Client::builder()
            .mode(mode)
            .handler(recorder())
            .capabilities(caps)
            .connect(fastmcp::transport::http_client::StreamableHttp::new(
                format!("http://{addr}/mcp"),
            ))
            .await
            .unwrap();
        check(&format!("HTTP {mode:?}"), &http, true).await;
    }
}
