//! Cancel-correctness through a real connection, on tokio's paused clock.

mod support;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::Client;
use fastmcp::core::{Context, Error, FnTool};
use fastmcp::Server;
use serde_json::json;
use tokio::time::{sleep, Instant};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

#[derive(Default)]
struct Probe {
    steps: AtomicUsize,
    masked_done: AtomicBool,
    checkpoint_after_mask_failed: AtomicBool,
    child_cleaned: AtomicBool,
    finished: AtomicBool,
}

fn server(probe: Arc<Probe>) -> Server {
    let (p1, p2, p3) = (probe.clone(), probe.clone(), probe.clone());
    Server::new("cancel", "0")
        .cancel_grace(Duration::from_secs(1))
        .tool(FnTool::typed("fast", "", |_: Context, _: Empty| async {
            "fast"
        }))
        .tool(FnTool::typed(
            "slow",
            "",
            |ctx: Context, _: Empty| async move {
                ctx.sleep(Duration::from_secs(1)).await?;
                Ok::<_, Error>("slow")
            },
        ))
        .tool(FnTool::typed("steps", "", move |ctx: Context, _: Empty| {
            let p = p1.clone();
            async move {
                for _ in 0..100 {
                    sleep(Duration::from_millis(100)).await;
                    ctx.checkpoint()?;
                    p.steps.fetch_add(1, Ordering::SeqCst);
                }
                Ok::<_, Error>("all steps")
            }
        }))
        .tool(FnTool::typed(
            "masked",
            "",
            move |ctx: Context, _: Empty| {
                let p = p2.clone();
                async move {
                    ctx.masked(sleep(Duration::from_secs(5))).await;
                    p.masked_done.store(true, Ordering::SeqCst);
                    let after = ctx.checkpoint();
                    p.checkpoint_after_mask_failed
                        .store(after.is_err(), Ordering::SeqCst);
                    after?;
                    p.finished.store(true, Ordering::SeqCst);
                    Ok::<_, Error>("unreachable")
                }
            },
        ))
        .tool(
            FnTool::typed("budgeted", "", |ctx: Context, _: Empty| async move {
                loop {
                    sleep(Duration::from_millis(100)).await;
                    ctx.checkpoint()?;
                }
                #[allow(unreachable_code)]
                Ok::<_, Error>("never")
            })
            .with_timeout(Duration::from_millis(350)),
        )
        .tool(FnTool::typed(
            "parent",
            "",
            move |ctx: Context, _: Empty| {
                let p = p3.clone();
                async move {
                    let c = ctx.clone();
                    let pc = p.clone();
                    ctx.spawn(async move {
                        c.cancelled().await;
                        sleep(Duration::from_millis(50)).await;
                        pc.child_cleaned.store(true, Ordering::SeqCst);
                    });
                    ctx.sleep(Duration::from_secs(3600)).await?;
                    p.finished.store(true, Ordering::SeqCst);
                    Ok::<_, Error>("never")
                }
            },
        ))
}

async fn connect(s: &fastmcp::server::RunningServer) -> Client {
    Client::connect(s.connect_in_memory()).await.unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_slow_tool_does_not_delay_a_fast_one() {
    let running = server(Arc::default()).start().await.unwrap();
    let c = connect(&running).await;
    let start = Instant::now();
    let slow = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("slow", json!({})).await }
    });
    sleep(Duration::from_millis(1)).await;
    let fast = c.call_tool("fast", json!({})).await.unwrap();
    assert_eq!(fast.content[0].as_text(), Some("fast"));
    assert!(
        start.elapsed() < Duration::from_millis(100),
        "{:?}",
        start.elapsed()
    );
    let slow = slow.await.unwrap().unwrap();
    assert_eq!(slow.content[0].as_text(), Some("slow"));
    assert!(start.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn cancelled_request_stops_at_its_next_checkpoint_and_gets_no_response() {
    let probe = Arc::new(Probe::default());
    let running = server(probe.clone()).start().await.unwrap();
    let c = connect(&running).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("steps", json!({})).await }
    });
    sleep(Duration::from_millis(350)).await;
    call.abort(); // drops the client's future: it sends notifications/cancelled
    sleep(Duration::from_secs(2)).await;
    let steps = probe.steps.load(Ordering::SeqCst);
    assert_eq!(
        steps, 3,
        "the handler stopped at the checkpoint after the cancellation"
    );
    // The connection still serves.
    c.ping().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn masked_section_completes_before_cancellation_takes_effect() {
    let probe = Arc::new(Probe::default());
    let running = server(probe.clone()).start().await.unwrap();
    let c = connect(&running).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("masked", json!({})).await }
    });
    sleep(Duration::from_millis(100)).await;
    call.abort();
    sleep(Duration::from_secs(10)).await;
    assert!(probe.masked_done.load(Ordering::SeqCst));
    assert!(
        probe.checkpoint_after_mask_failed.load(Ordering::SeqCst),
        "the first checkpoint after the masked section sees the cancellation"
    );
    assert!(!probe.finished.load(Ordering::SeqCst));
}

#[tokio::test(start_paused = true)]
async fn server_request_timeout_ends_slow_handlers_and_spares_fast_ones() {
    let running = server(Arc::default())
        .request_timeout(Duration::from_millis(500))
        .start()
        .await
        .unwrap();
    let c = connect(&running).await;
    let fast = c.call_tool("fast", json!({})).await.unwrap();
    assert_eq!(fast.content[0].as_text(), Some("fast"));
    let start = Instant::now();
    let e = c.call_tool("slow", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), fastmcp::ErrorKind::Timeout, "{e:?}");
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(1),
        "{took:?}"
    );
    // A tool's own shorter timeout still applies under the server's.
    let e = c.call_tool("budgeted", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), fastmcp::ErrorKind::Timeout);
    c.ping().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_handler_past_its_budget_ends_with_a_timeout_error() {
    let running = server(Arc::default()).start().await.unwrap();
    let c = connect(&running).await;
    let start = Instant::now();
    let e = c.call_tool("budgeted", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), fastmcp::ErrorKind::Timeout);
    assert!(start.elapsed() < Duration::from_millis(500));
    c.ping().await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_client_timeout_cancels_the_request_on_the_server() {
    let probe = Arc::new(Probe::default());
    let running = server(probe.clone()).start().await.unwrap();
    let c = connect(&running).await;
    let e = c
        .request_value(
            "tools/call",
            json!({"name": "steps", "arguments": {}}),
            Some(Duration::from_millis(250)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), fastmcp::ErrorKind::Timeout);
    sleep(Duration::from_secs(2)).await;
    assert_eq!(probe.steps.load(Ordering::SeqCst), 2);
}

#[tokio::test(start_paused = true)]
async fn session_end_cancels_and_awaits_requests_and_their_children() {
    let probe = Arc::new(Probe::default());
    let running = server(probe.clone()).start().await.unwrap();
    let ch = running.connect_in_memory();
    let c = Client::connect(ch).await.unwrap();
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("parent", json!({})).await }
    });
    sleep(Duration::from_millis(100)).await;
    // The session ends: the client closes the connection without cancelling.
    c.close().await.unwrap();
    let _ = call.await;
    running.shutdown().await.unwrap();
    assert!(
        probe.child_cleaned.load(Ordering::SeqCst),
        "the child ran its cleanup"
    );
    assert!(!probe.finished.load(Ordering::SeqCst));
}
