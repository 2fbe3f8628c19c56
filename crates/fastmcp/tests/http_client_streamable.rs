//! Our client over Streamable HTTP against our server on 127.0.0.1, in both eras.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::core::{CancelReason, Context, Error, FnPrompt, FnResource, FnTool};
use fastmcp::protocol::{
    CallToolResult, ContentBlock, Prompt, ProtocolVersion, Resource, ResourceContents, Tool,
};
use fastmcp::server::{HttpOptions, RunningServer};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::Server;
use serde_json::{json, Value};
use support::tools::{self, Empty};
use support::Recorder;

const HANDSHAKE: Mode = Mode::Handshake(ProtocolVersion::V2025_11_25);
const STATELESS: Mode = Mode::Stateless(ProtocolVersion::V2026_07_28);

/// What the server saw of cancellations.
#[derive(Default)]
struct Seen {
    cancelled: Mutex<Vec<String>>,
}

fn server(seen: Arc<Seen>) -> Server {
    let region_schema = json!({
        "type": "object",
        "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "query": {"type": "string"}
        },
        "required": ["region", "query"]
    });
    Server::new("http-test", "1.0.0")
        .tool(tools::add())
        .tool(FnTool::new(
            Tool::new("sql", region_schema),
            |_, args| async move {
                let v: Value = args.parse()?;
                Ok(CallToolResult::text(format!(
                    "{} in {}",
                    v["query"].as_str().unwrap_or(""),
                    v["region"].as_str().unwrap_or("")
                )))
            },
        ))
        .tool(tools::progress(Some("step")))
        .tool(tools::ask())
        .tool(FnTool::typed(
            "slow",
            "Sleeps for a minute unless cancelled.",
            move |ctx: Context, _: Empty| {
                let seen = seen.clone();
                async move {
                    let r = ctx.sleep(Duration::from_secs(60)).await;
                    if let Some(reason) = ctx.cancel_reason() {
                        let text = match reason {
                            CancelReason::Requested(r) => r.unwrap_or_default(),
                            other => format!("{other:?}"),
                        };
                        seen.cancelled.lock().unwrap().push(text);
                    }
                    r?;
                    Ok::<_, Error>("slept")
                }
            },
        ))
        .tool(FnTool::typed(
            "ticks",
            "Progress at once, then three more 400 ms apart.",
            |ctx: Context, _: Empty| async move {
                ctx.report_progress(0.0, Some(3.0), None).await?;
                for i in 1..=3 {
                    ctx.sleep(Duration::from_millis(400)).await?;
                    ctx.report_progress(i as f64, Some(3.0), None).await?;
                }
                Ok::<_, Error>("ticked")
            },
        ))
        .resource(FnResource::new(
            Resource::new("test://café/menu", "menu"),
            |_, _| async { "croissant" },
        ))
        .prompt(FnPrompt::new(Prompt::new("greet"), |_, _| async {
            "Hello"
        }))
}

async fn serve(server: Server, opts: HttpOptions) -> (String, RunningServer) {
    let running = server.start().await.unwrap();
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    let r = running.clone();
    tokio::spawn(async move { r.serve_http(l, opts).await });
    (url, running)
}

async fn client(url: &str, mode: Mode, rec: Recorder) -> Client {
    Client::builder()
        .mode(mode)
        .handler(rec)
        .log_level(fastmcp::protocol::LoggingLevel::Debug)
        .timeout(Duration::from_secs(20))
        .connect(StreamableHttp::new(url))
        .await
        .expect("connect")
}

fn text(r: &CallToolResult) -> &str {
    r.content[0].as_text().unwrap_or("")
}

/// A POST with the raw HTTP client, for what our Client would never send.
async fn raw_post(url: &str, headers: &[(&str, &str)], body: Value) -> (u16, Value) {
    let mut rb = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn lists_calls_reads_and_prompts_in_both_eras() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    for mode in [HANDSHAKE, STATELESS] {
        let c = client(&url, mode, Recorder::default()).await;
        match mode {
            Mode::Handshake(_) => {
                assert!(c.session_id().is_some(), "a session was made");
                assert_eq!(c.server_info().unwrap().name, "http-test");
            }
            _ => assert_eq!(c.session_id(), None),
        }
        let tools = c.list_tools().await.unwrap();
        assert_eq!(tools.len(), 6, "{mode:?}");
        let r = c.call_tool("add", json!({"a": 2, "b": 3})).await.unwrap();
        assert_eq!(r.structured_content, Some(json!({"result": 5})), "{mode:?}");
        // 2026-07-28: the server checks Mcp-Name (base64 for the non-ASCII URI) and the
        // Mcp-Param-Region header the client learnt from tools/list.
        let read = c.read_resource("test://café/menu").await.unwrap();
        assert_eq!(
            read.contents,
            vec![ResourceContents::text(
                "test://café/menu",
                "text/plain",
                "croissant"
            )],
            "{mode:?}"
        );
        let r = c
            .call_tool("sql", json!({"region": "eu-west 1 ", "query": "select 1"}))
            .await
            .unwrap();
        assert_eq!(text(&r), "select 1 in eu-west 1 ", "{mode:?}");
        let p = c.get_prompt("greet", json!({})).await.unwrap();
        assert_eq!(p.messages[0].content, ContentBlock::text("Hello"));
        c.ping().await.unwrap();
        // Concurrent requests each get their own POST.
        let calls = (0..8).map(|i| {
            let c = c.clone();
            async move { c.call_tool_as::<i64>("add", json!({"a": i, "b": 1})).await }
        });
        let sums: Vec<i64> = futures::future::try_join_all(calls).await.unwrap();
        assert_eq!(sums, (1..=8).collect::<Vec<_>>());
        c.close().await.unwrap();
    }
}

#[tokio::test]
async fn progress_and_logs_arrive_on_the_response_stream() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    for mode in [HANDSHAKE, STATELESS] {
        let rec = Recorder::default();
        let c = client(&url, mode, rec.clone()).await;
        c.request::<Value>(
            "tools/call",
            json!({"name": "progress", "arguments": {}, "_meta": {"progressToken": "p1"}}),
        )
        .await
        .unwrap();
        let progress = rec.progress.lock().unwrap().clone();
        assert_eq!(progress.len(), 3, "{mode:?}");
        assert_eq!(progress[2].progress, 3.0);
        let logs = rec.logs.lock().unwrap().clone();
        assert_eq!(logs.len(), 1, "{mode:?}");
        assert_eq!(logs[0].data, json!("done"));
    }
}

#[tokio::test]
async fn elicitation_in_both_eras() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    for mode in [HANDSHAKE, STATELESS] {
        let rec = Recorder {
            answer: json!({"name": "Grace", "age": 85})
                .as_object()
                .unwrap()
                .clone(),
            ..Recorder::default()
        };
        let c = client(&url, mode, rec.clone()).await;
        // Handshake: elicitation/create arrives on the POST's SSE stream and the answer is
        // POSTed back. Stateless: input_required, answered by retrying (MRTR).
        let r = c.call_tool("ask", json!({})).await.unwrap();
        assert_eq!(text(&r), "Grace is 85", "{mode:?}");
        assert_eq!(*rec.elicitations.lock().unwrap(), ["Who are you?"]);
    }
}

async fn wait_for<F: Fn() -> bool>(what: &str, f: F) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn handshake_cancellation_posts_notifications_cancelled() {
    let seen = Arc::new(Seen::default());
    let (url, _running) = serve(server(seen.clone()), HttpOptions::default()).await;
    let c = client(&url, HANDSHAKE, Recorder::default()).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("slow", json!({})).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    call.abort(); // the client sends notifications/cancelled
    wait_for("the server to see the cancellation", || {
        !seen.cancelled.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        *seen.cancelled.lock().unwrap(),
        ["cancelled by the client"],
        "the reason of the client's notification"
    );
    c.ping().await.unwrap();
}

#[tokio::test]
async fn stateless_cancellation_closes_the_response_stream() {
    let seen = Arc::new(Seen::default());
    let (url, _running) = serve(server(seen.clone()), HttpOptions::default()).await;
    let c = client(&url, STATELESS, Recorder::default()).await;
    let call = tokio::spawn({
        let c = c.clone();
        async move { c.call_tool("slow", json!({})).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    call.abort(); // no notification: the transport drops the POST's response
    wait_for("the server to see the cancellation", || {
        !seen.cancelled.lock().unwrap().is_empty()
    })
    .await;
    assert_eq!(
        *seen.cancelled.lock().unwrap(),
        ["response stream closed"],
        "cancelled by the closed stream, not by a notification"
    );
    c.ping().await.unwrap();
}

#[tokio::test]
async fn a_deleted_session_is_initialized_again() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    let c = client(&url, HANDSHAKE, Recorder::default()).await;
    let first = c.session_id().unwrap();
    // End the session behind the client's back.
    let r = reqwest::Client::new()
        .delete(&url)
        .header("mcp-session-id", &first)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // The next request gets 404, the client initializes again and retries.
    let r = c.call_tool("add", json!({"a": 1, "b": 1})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 2})));
    let second = c.session_id().unwrap();
    assert_ne!(first, second);
    // Concurrent requests on an expired session re-initialize once.
    let r = reqwest::Client::new()
        .delete(&url)
        .header("mcp-session-id", &second)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let calls = (0..4).map(|i| {
        let c = c.clone();
        async move { c.call_tool_as::<i64>("add", json!({"a": i, "b": 0})).await }
    });
    let sums: Vec<i64> = futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(sums, [0, 1, 2, 3]);
    let third = c.session_id().unwrap();
    assert_ne!(second, third);
    c.ping().await.unwrap();
    assert_eq!(
        c.session_id().unwrap(),
        third,
        "one new session, not one per request"
    );
}

#[tokio::test]
async fn an_idle_expired_session_is_initialized_again() {
    let opts = HttpOptions::default().session_idle_timeout(Duration::from_millis(200));
    let (url, _running) = serve(server(Arc::default()), opts).await;
    // A client that reads its GET stream keeps its session alive while idle.
    let listening = client(&url, HANDSHAKE, Recorder::default()).await;
    // One that does not listen loses it after the idle timeout.
    let c = Client::builder()
        .mode(HANDSHAKE)
        .connect(fastmcp::transport::http_client::StreamableHttp::new(&url).get_stream(false))
        .await
        .unwrap();
    let first = c.session_id().unwrap();
    tokio::time::sleep(Duration::from_millis(900)).await;
    let ping = |sid: String| {
        let url = url.clone();
        async move {
            raw_post(
                &url,
                &[("mcp-session-id", &sid)],
                json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
            )
            .await
            .0
        }
    };
    assert_eq!(
        ping(first.clone()).await,
        404,
        "the server forgot the idle session"
    );
    assert_eq!(
        ping(listening.session_id().unwrap()).await,
        200,
        "the listening session lives"
    );
    c.ping().await.unwrap();
    assert_ne!(c.session_id().unwrap(), first);
}

#[tokio::test]
async fn closing_the_client_deletes_the_session() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    let c = client(&url, HANDSHAKE, Recorder::default()).await;
    let sid = c.session_id().unwrap();
    c.close().await.unwrap();
    let (status, _) = raw_post(
        &url,
        &[("mcp-session-id", &sid)],
        json!({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_get_stream_carries_server_notifications() {
    let (url, running) = serve(server(Arc::default()), HttpOptions::default()).await;
    let rec = Recorder::default();
    let c = client(&url, HANDSHAKE, rec.clone()).await;
    c.list_tools().await.unwrap();
    // Give the GET stream a moment to open, then change the tools.
    tokio::time::sleep(Duration::from_millis(300)).await;
    running
        .handle()
        .add_tool(FnTool::typed("late", "", |_: Context, _: Empty| async {
            "late"
        }))
        .unwrap();
    wait_for("tools/list_changed on the GET stream", || {
        rec.other
            .lock()
            .unwrap()
            .iter()
            .any(|m| m == "notifications/tools/list_changed")
    })
    .await;
}

#[tokio::test]
async fn http_errors_reach_the_caller_as_json_rpc_errors() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    // 400 with a JSON-RPC body: a stateless call of a tool whose x-mcp-header the client
    // has not learnt yet (no tools/list) lacks Mcp-Param-Region.
    let c = client(&url, STATELESS, Recorder::default()).await;
    let e = c
        .call_tool("sql", json!({"region": "eu", "query": "q"}))
        .await
        .unwrap_err();
    assert_eq!(e.code(), -32020, "{e:?}");
    assert!(e.message().contains("Mcp-Param-Region"), "{e:?}");
    c.list_tools().await.unwrap();
    assert!(c
        .call_tool("sql", json!({"region": "eu", "query": "q"}))
        .await
        .is_ok());

    // An unsupported version, straight on the channel: the 400's body is the answer.
    let mut ch = StreamableHttp::new(&url).connect().unwrap();
    let bad = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}});
    ch.outbound.send(bad.to_string()).await.unwrap();
    let reply: Value = serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(reply["id"], 7);
    assert_eq!(reply["error"]["code"], -32022, "{reply}");

    // A request of an unknown session: 404 with a body of id null: the id is filled in.
    let mut ch = StreamableHttp::new(&url)
        .header("mcp-session-id", "nope")
        .connect()
        .unwrap();
    ch.outbound
        .send(json!({"jsonrpc": "2.0", "id": "x", "method": "ping"}).to_string())
        .await
        .unwrap();
    let reply: Value = serde_json::from_slice(&ch.inbound.recv().await.unwrap().unwrap()).unwrap();
    assert_eq!(reply["id"], "x", "{reply}");
    assert_eq!(reply["error"]["code"], -32600, "{reply}");

    // No server at all: a made-up transport error, at once.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/mcp", dead.local_addr().unwrap());
    drop(dead);
    let e = Client::builder()
        .timeout(Duration::from_secs(5))
        .connect(StreamableHttp::new(&dead_url))
        .await
        .err()
        .expect("no server");
    assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
}

#[tokio::test]
async fn responses_over_the_limit_are_refused() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    let c = Client::builder()
        .mode(STATELESS)
        .timeout(Duration::from_secs(10))
        .connect(StreamableHttp::new(&url).max_message_size(200))
        .await
        .unwrap();
    let e = c.list_tools().await.unwrap_err();
    assert_eq!(e.code(), fastmcp::transport::TRANSPORT_ERROR, "{e:?}");
    assert!(e.message().contains("larger than 200 bytes"), "{e:?}");
    // A small answer still comes through on the same connection. (Not `call_tool_as`: it
    // would list the tools to learn their output schemas, and the list is too large.)
    let r = c.call_tool("add", json!({"a": 1, "b": 2})).await.unwrap();
    assert_eq!(r.structured_content, Some(json!({"result": 3})));
}

#[tokio::test]
async fn a_broken_response_stream_is_resumed_from_our_server() {
    let (url, _running) = serve(server(Arc::default()), HttpOptions::default()).await;
    // A read timeout shorter than the gaps between events breaks the POST's stream after
    // its first event; the transport resumes it with GET and Last-Event-ID (after the
    // server's `retry:` of 1 s), and the server replays what was missed.
    let http = reqwest::Client::builder()
        .read_timeout(Duration::from_millis(250))
        .build()
        .unwrap();
    let rec = Recorder::default();
    let c = Client::builder()
        .mode(HANDSHAKE)
        .handler(rec.clone())
        .timeout(Duration::from_secs(20))
        .connect(StreamableHttp::new(&url).client(http).get_stream(false))
        .await
        .unwrap();
    let r: CallToolResult = c
        .request(
            "tools/call",
            json!({"name": "ticks", "arguments": {}, "_meta": {"progressToken": 9}}),
        )
        .await
        .unwrap();
    assert_eq!(text(&r), "ticked");
    let progress: Vec<f64> = rec
        .progress
        .lock()
        .unwrap()
        .iter()
        .map(|p| p.progress)
        .collect();
    assert_eq!(progress, [0.0, 1.0, 2.0, 3.0], "each event exactly once");
}
