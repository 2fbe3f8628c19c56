//! URL-mode elicitation as an error (-32042) and its completion notification
//! (`notifications/elicitation/complete`).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, ClientHandler};
use fastmcp::core::{Context, Error, ErrorKind, FnTool};
use fastmcp::protocol::{ClientCapabilities, ElicitRequestUrlParams};
use fastmcp::Server;
use serde_json::json;
use serde_json::value::RawValue;
use support::{client, modes, Recorder};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn server() -> Server {
    Server::new("url-elicit", "0")
        .tool(FnTool::typed(
            "calendar",
            "Needs the user to sign in first.",
            |ctx: Context, _: Empty| async move {
                if ctx.get_state::<bool>("signed_in") == Some(true) {
                    return Ok("3 meetings".to_owned());
                }
                Err::<String, _>(
                    ctx.url_elicitation_required(vec![ElicitRequestUrlParams::new(
                        "Sign in to the calendar",
                        "https://example.com/oauth?e=cal-1",
                        "cal-1",
                    )]),
                )
            },
        ))
        .tool(FnTool::typed(
            "sign_in_done",
            "What the OAuth callback would do.",
            |ctx: Context, _: Empty| async move {
                ctx.set_state("signed_in", true)?;
                ctx.elicitation_complete("cal-1").await?;
                Ok::<_, Error>("ok")
            },
        ))
}

#[tokio::test]
async fn a_handler_fails_with_url_elicitation_required_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let e = c
            .request_value(
                "tools/call",
                json!({"name": "calendar", "arguments": {}}),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), -32042, "{mode:?}: {e:?}");
        assert_eq!(e.kind(), ErrorKind::UrlElicitationRequired);
        let data = e.data().expect("data");
        let first = &data["elicitations"][0];
        assert_eq!(first["mode"], "url", "{data}");
        assert_eq!(first["elicitationId"], "cal-1");
        assert_eq!(first["url"], "https://example.com/oauth?e=cal-1");
        assert_eq!(first["message"], "Sign in to the calendar");
        // The typed view of the same error, as the client surfaces it.
        let typed = c.call_tool("calendar", json!({})).await.unwrap_err();
        let list = typed.url_elicitations().expect("typed elicitations");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].elicitation_id.as_deref(), Some("cal-1"));
    }
}

#[tokio::test]
async fn clients_without_url_mode_get_missing_capability_instead() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let c = Client::builder()
            .mode(mode)
            .capabilities(ClientCapabilities::default())
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        let e = c.call_tool("calendar", json!({})).await.unwrap_err();
        assert_eq!(e.code(), -32021, "{mode:?}: {e:?}");
        assert!(e.url_elicitations().is_none());
    }
}

/// Records the params of `notifications/elicitation/complete`.
#[derive(Default, Clone)]
struct Completions(Arc<Mutex<Vec<serde_json::Value>>>);

impl ClientHandler for Completions {
    /// URL elicitations are shown to the user out of band: the client supports them.
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            sampling: false,
            roots: false,
        }
        .capabilities()
    }

    fn on_notification(&self, method: &str, params: Option<&RawValue>) {
        if method == "notifications/elicitation/complete" {
            let v = serde_json::from_str(params.map_or("null", RawValue::get)).unwrap();
            self.0.lock().unwrap().push(v);
        }
    }
}

#[tokio::test]
async fn the_client_hears_that_the_elicitation_completed_and_retries() {
    let running = server().start().await.unwrap();
    let heard = Completions::default();
    let c = Client::builder()
        .mode(modes()[0])
        .handler(heard.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    let e = c.call_tool("calendar", json!({})).await.unwrap_err();
    assert_eq!(e.code(), -32042);
    c.call_tool("sign_in_done", json!({})).await.unwrap();
    for _ in 0..200 {
        if !heard.0.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let got = heard.0.lock().unwrap().clone();
    assert_eq!(got, vec![json!({"elicitationId": "cal-1"})]);
    let r = c.call_tool("calendar", json!({})).await.unwrap();
    assert_eq!(
        r.content,
        vec![fastmcp::protocol::ContentBlock::text("3 meetings")]
    );
}

#[tokio::test]
async fn no_completion_notification_in_the_stateless_era() {
    let running = server().start().await.unwrap();
    let heard = Completions::default();
    let c = Client::builder()
        .mode(modes()[1])
        .handler(heard.clone())
        .connect(running.connect_in_memory())
        .await
        .unwrap();
    c.call_tool("sign_in_done", json!({})).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(heard.0.lock().unwrap().is_empty());
}
