//! Server-initiated traffic: list_changed, resource updates, `subscriptions/listen`,
//! sampling and roots, dynamic components, pagination.

mod support;

use std::time::Duration;

use fastmcp::core::{Context, Error, FnPrompt, FnResource, FnTool};
use fastmcp::protocol::{ContentBlock, Prompt, Resource};
use fastmcp::Server;
use serde_json::json;
use support::{client, modes, Recorder};
use tokio::time::sleep;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

fn echo(name: &str) -> FnTool {
    let n = name.to_owned();
    FnTool::typed(name, "", move |_: Context, _: Empty| {
        let n = n.clone();
        async move { n }
    })
}

fn server() -> Server {
    Server::new("notify", "0")
        .tool(echo("a"))
        .tool(FnTool::typed(
            "sample",
            "",
            |ctx: Context, _: Empty| async move { ctx.sample_text("hello?", 50).await },
        ))
        .tool(FnTool::typed(
            "roots",
            "",
            |ctx: Context, _: Empty| async move {
                let roots = ctx.list_roots().await?;
                Ok::<_, Error>(
                    roots
                        .iter()
                        .map(|r| r.uri.clone())
                        .collect::<Vec<_>>()
                        .join(","),
                )
            },
        ))
        .resource(FnResource::new(
            Resource::new("test://watched", "watched"),
            |_, _| async { "v1" },
        ))
}

async fn wait_for(rec: &Recorder, method: &str) -> bool {
    for _ in 0..200 {
        if rec.other.lock().unwrap().iter().any(|m| m == method) {
            return true;
        }
        sleep(Duration::from_millis(5)).await;
    }
    false
}

/// A `subscriptions/listen` request for `notifications`, running until the server ends
/// it, once its stream is acknowledged.
async fn listen(
    c: &fastmcp::client::Client,
    rec: &Recorder,
    notifications: serde_json::Value,
) -> tokio::task::JoinHandle<Result<serde_json::Value, Error>> {
    let c = c.clone();
    let listen = tokio::spawn(async move {
        c.request_value("subscriptions/listen", notifications, None)
            .await
    });
    assert!(wait_for(rec, "notifications/subscriptions/acknowledged").await);
    listen
}

#[tokio::test]
async fn handshake_sessions_hear_list_changed_and_subscribed_updates() {
    let running = server().start().await.unwrap();
    let rec = Recorder::default();
    let c = client(&running, modes()[0], rec.clone()).await;
    c.subscribe("test://watched").await.unwrap();
    let handle = running.handle();
    handle.add_tool(echo("b")).unwrap();
    assert!(wait_for(&rec, "notifications/tools/list_changed").await);
    assert_eq!(c.list_tools().await.unwrap().len(), 4);
    assert!(handle.remove_tool("b"));
    assert_eq!(c.list_tools().await.unwrap().len(), 3);
    handle.notify_resource_updated("test://other");
    handle.notify_resource_updated("test://watched");
    assert!(wait_for(&rec, "notifications/resources/updated").await);
    assert_eq!(
        rec.other
            .lock()
            .unwrap()
            .iter()
            .filter(|m| *m == "notifications/resources/updated")
            .count(),
        1,
        "only the subscribed resource"
    );
    c.unsubscribe("test://watched").await.unwrap();
}

#[tokio::test]
async fn subscriptions_listen_delivers_what_was_asked_for() {
    let running = server().start().await.unwrap();
    let rec = Recorder::default();
    let c = client(&running, modes()[1], rec.clone()).await;
    let listen = listen(&c, &rec, json!({"notifications": {"toolsListChanged": true, "promptsListChanged": true, "resourceSubscriptions": ["test://watched"]}})).await;
    let handle = running.handle();
    handle.add_tool(echo("c")).unwrap();
    handle.notify_resource_updated("test://watched");
    assert!(wait_for(&rec, "notifications/tools/list_changed").await);
    assert!(wait_for(&rec, "notifications/resources/updated").await);
    // Server shutdown ends the stream with a result.
    let shut = tokio::spawn(async move { running.shutdown().await });
    let r = listen.await.unwrap().unwrap();
    assert_eq!(r["resultType"], "complete");
    assert!(r["_meta"]["io.modelcontextprotocol/subscriptionId"].is_number());
    shut.await.unwrap().unwrap();
}

fn count(rec: &Recorder, method: &str) -> usize {
    rec.other
        .lock()
        .unwrap()
        .iter()
        .filter(|m| *m == method)
        .count()
}

/// Waits until `method` was heard `n` times.
async fn wait_count(rec: &Recorder, method: &str, n: usize) -> bool {
    for _ in 0..200 {
        if count(rec, method) >= n {
            return true;
        }
        sleep(Duration::from_millis(5)).await;
    }
    false
}

fn resource(uri: &str) -> FnResource {
    FnResource::new(Resource::new(uri, uri), |_, _| async { "x" })
}

fn prompt(name: &str) -> FnPrompt {
    FnPrompt::new(Prompt::new(name), |_, _| async { "hi" })
}

#[tokio::test]
async fn handshake_sessions_hear_resource_and_prompt_list_changes() {
    let running = server().prompt(prompt("p1")).start().await.unwrap();
    let rec = Recorder::default();
    let c = client(&running, modes()[0], rec.clone()).await;
    let handle = running.handle();
    let (resources, prompts) = (
        "notifications/resources/list_changed",
        "notifications/prompts/list_changed",
    );
    handle.add_resource(resource("test://added")).unwrap();
    assert!(wait_count(&rec, resources, 1).await);
    assert_eq!(c.list_resources().await.unwrap().len(), 2);
    assert!(handle.remove_resource("test://added"));
    assert!(wait_count(&rec, resources, 2).await);
    assert_eq!(c.list_resources().await.unwrap().len(), 1);
    handle.add_prompt(prompt("p2")).unwrap();
    assert!(wait_count(&rec, prompts, 1).await);
    assert_eq!(c.list_prompts().await.unwrap().len(), 2);
    assert!(handle.remove_prompt("p2"));
    assert!(wait_count(&rec, prompts, 2).await);
    assert_eq!(c.list_prompts().await.unwrap().len(), 1);
    assert_eq!(count(&rec, resources), 2, "one notification per change");
    assert_eq!(count(&rec, prompts), 2, "one notification per change");
    assert_eq!(count(&rec, "notifications/tools/list_changed"), 0);
}

#[tokio::test]
async fn subscriptions_listen_delivers_resource_and_prompt_list_changes() {
    let running = server().prompt(prompt("p1")).start().await.unwrap();
    let rec = Recorder::default();
    let c = client(&running, modes()[1], rec.clone()).await;
    let listen = listen(
        &c,
        &rec,
        json!({"notifications": {"resourcesListChanged": true, "promptsListChanged": true}}),
    )
    .await;
    let handle = running.handle();
    handle.add_resource(resource("test://added")).unwrap();
    assert!(wait_count(&rec, "notifications/resources/list_changed", 1).await);
    handle.add_prompt(prompt("p2")).unwrap();
    assert!(wait_count(&rec, "notifications/prompts/list_changed", 1).await);
    assert!(handle.remove_prompt("p2"));
    assert!(wait_count(&rec, "notifications/prompts/list_changed", 2).await);
    assert!(handle.remove_resource("test://added"));
    assert!(wait_count(&rec, "notifications/resources/list_changed", 2).await);
    // Not asked for: no tool list changes on this stream.
    handle.add_tool(echo("z")).unwrap();
    sleep(Duration::from_millis(50)).await;
    assert_eq!(count(&rec, "notifications/tools/list_changed"), 0);
    let shut = tokio::spawn(async move { running.shutdown().await });
    let r = listen.await.unwrap().unwrap();
    assert_eq!(r["resultType"], "complete");
    shut.await.unwrap().unwrap();
}

/// More changes than a session's backlog holds (64, and the 1,024 it was), made while
/// nothing else runs (a `current_thread` test), so that every listener falls behind.
fn flood(running: &fastmcp::server::RunningServer) {
    let handle = running.handle();
    for i in 0..2_000 {
        handle.notify_resource_updated(&format!("test://other/{i}"));
    }
}

/// A handshake session that fell behind the server's changes is told that every list the
/// server serves and every resource it subscribed to may have changed, over the in-memory
/// transport and Streamable HTTP: none of the changes it skipped was about what it
/// subscribed to, so without that it would hear nothing.
#[tokio::test]
async fn a_session_that_fell_behind_hears_what_may_have_changed() {
    let running = server().start().await.unwrap();
    let addr = support::serve_http(&running, Default::default()).await;
    let (memory, http) = (Recorder::default(), Recorder::default());
    let m = client(&running, modes()[0], memory.clone()).await;
    let h = fastmcp::client::Client::builder()
        .mode(modes()[0])
        .handler(http.clone())
        .connect(fastmcp::transport::http_client::StreamableHttp::new(
            format!("http://{addr}/mcp"),
        ))
        .await
        .unwrap();
    for c in [&m, &h] {
        c.subscribe("test://watched").await.unwrap();
    }
    // Both sessions listen (the HTTP one on its GET stream) before the flood.
    running.handle().add_tool(echo("b")).unwrap();
    for rec in [&memory, &http] {
        assert!(wait_count(rec, "notifications/tools/list_changed", 1).await);
    }
    flood(&running);
    for (name, rec) in [("in-memory", &memory), ("HTTP", &http)] {
        assert!(
            wait_count(rec, "notifications/tools/list_changed", 2).await,
            "{name}"
        );
        assert!(
            wait_count(rec, "notifications/resources/updated", 1).await,
            "{name}"
        );
        assert!(
            wait_count(rec, "notifications/resources/list_changed", 1).await,
            "{name}"
        );
        assert_eq!(
            count(rec, "notifications/prompts/list_changed"),
            0,
            "{name}: the server serves no prompts"
        );
    }
}

/// The same for a `subscriptions/listen` stream: it hears what it asked for, and only that.
#[tokio::test]
async fn a_listen_stream_that_fell_behind_hears_what_may_have_changed() {
    let running = server().start().await.unwrap();
    let rec = Recorder::default();
    let c = client(&running, modes()[1], rec.clone()).await;
    let listen = listen(&c, &rec, json!({"notifications": {"toolsListChanged": true, "resourceSubscriptions": ["test://watched"]}})).await;
    flood(&running);
    assert!(wait_count(&rec, "notifications/tools/list_changed", 1).await);
    assert!(wait_count(&rec, "notifications/resources/updated", 1).await);
    assert_eq!(
        count(&rec, "notifications/resources/list_changed"),
        0,
        "not asked for"
    );
    let shut = tokio::spawn(async move { running.shutdown().await });
    listen.await.unwrap().unwrap();
    shut.await.unwrap().unwrap();
}

#[tokio::test]
async fn sampling_and_roots_work_in_both_eras() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let s = c.call_tool("sample", json!({})).await.unwrap();
        assert_eq!(
            s.content,
            vec![ContentBlock::text("sampled 1 message(s)")],
            "{mode:?}"
        );
        let r = c.call_tool("roots", json!({})).await.unwrap();
        assert_eq!(
            r.content,
            vec![ContentBlock::text("file:///work")],
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn missing_client_capability_is_an_error() {
    let running = server().start().await.unwrap();
    for mode in modes() {
        let c = fastmcp::client::Client::builder()
            .mode(mode)
            .capabilities(Default::default())
            .connect(running.connect_in_memory())
            .await
            .unwrap();
        let e = c.call_tool("sample", json!({})).await.unwrap_err();
        assert_eq!(e.code(), -32021, "{mode:?}: {e:?}");
    }
}

#[tokio::test]
async fn pagination_lists_every_page_once() {
    let mut s = Server::new("paged", "0").page_size(3);
    for i in 0..10 {
        s = s.tool(echo(&format!("t{i:02}")));
    }
    let running = s.start().await.unwrap();
    for mode in modes() {
        let c = client(&running, mode, Recorder::default()).await;
        let first = c
            .request_value("tools/list", json!({}), None)
            .await
            .unwrap();
        assert_eq!(first["tools"].as_array().unwrap().len(), 3);
        assert!(first["nextCursor"].is_string());
        let all = c.list_tools().await.unwrap();
        let names: Vec<_> = all.iter().map(|t| t.name.clone()).collect();
        assert_eq!(
            names,
            (0..10).map(|i| format!("t{i:02}")).collect::<Vec<_>>()
        );
        let bad = c
            .request_value("tools/list", json!({"cursor": "nope"}), None)
            .await
            .unwrap_err();
        assert_eq!(bad.code(), -32602);
    }
}

#[tokio::test]
async fn lifespan_hooks_run_and_shutdown_drains_requests_in_flight() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let events = Arc::new(AtomicUsize::new(0));
    let (e1, e2) = (events.clone(), events.clone());
    let running = Server::new("life", "0")
        .on_startup(move || async move {
            e1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
        .on_shutdown(move || async move {
            e2.fetch_add(10, Ordering::SeqCst);
            Ok(())
        })
        .tool(FnTool::typed(
            "work",
            "",
            |ctx: Context, _: Empty| async move {
                ctx.sleep(Duration::from_millis(200)).await?;
                Ok::<_, Error>("done")
            },
        ))
        .start()
        .await
        .unwrap();
    assert_eq!(events.load(Ordering::SeqCst), 1);
    let c = client(&running, modes()[0], Recorder::default()).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("work", json!({})).await }
    });
    sleep(Duration::from_millis(50)).await;
    running.shutdown().await.unwrap();
    // The request in flight finished within the shutdown grace and was answered.
    let r = call.await.unwrap().unwrap();
    assert_eq!(r.content, vec![ContentBlock::text("done")]);
    assert_eq!(events.load(Ordering::SeqCst), 11);
}
