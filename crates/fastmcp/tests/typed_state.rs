//! Typed state (S8): the server's state (`Server::state`, `Server::lifespan`) read through
//! `State<T>` parameters of `#[tool]`, `#[resource]` and `#[prompt]` functions and
//! `Context::server_state`; the session's typed state through `SessionState<T>`; the
//! lifespan's value handed back at shutdown; a missing state is a clear error. In memory and
//! over Streamable HTTP in both eras.

mod support;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fastmcp::core::{Context, Error};
use fastmcp::protocol::Era;
use fastmcp::protocol::ResourceContents;
use fastmcp::{prompt, resource, tool, Server, SessionState, State};
use serde_json::{json, Value};
use support::{modes, Recorder};

/// Configuration given with `Server::state`.
struct Greeting(String);

/// A "pool" made by the lifespan hook at start.
struct Pool {
    name: String,
    checkouts: AtomicUsize,
}

/// Per-session counter.
#[derive(Default)]
struct Visits(AtomicU64);

/// Never registered.
struct Missing;

/// Greets with the configured greeting.
#[tool]
async fn greet(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}!", greeting.0)
}

/// Takes a connection from the pool.
#[tool]
async fn checkout(pool: State<Pool>, ctx: &Context) -> String {
    let n = pool.checkouts.fetch_add(1, Ordering::SeqCst) + 1;
    let same = ctx
        .server_state::<Pool>()
        .is_some_and(|p| Arc::ptr_eq(&p, pool.arc()));
    format!("{}#{n} same={same}", pool.name)
}

/// Counts this session's visits.
#[tool]
async fn visit(visits: SessionState<Visits>) -> u64 {
    visits.0.fetch_add(1, Ordering::SeqCst) + 1
}

/// Needs state the server does not have.
#[tool]
async fn needs_missing(_missing: State<Missing>) -> String {
    unreachable!("the state is missing")
}

/// The greeting, as a resource.
#[resource(uri = "config://greeting")]
async fn greeting_resource(greeting: State<Greeting>) -> String {
    greeting.0.clone()
}

/// A greeting template.
#[resource(uri = "greet://{name}")]
async fn greet_resource(name: String, greeting: State<Greeting>) -> String {
    format!("{} {name}", greeting.0)
}

/// A prompt with the greeting.
#[prompt]
async fn welcome(greeting: State<Greeting>, name: String) -> String {
    format!("{}, {name}. How can I help?", greeting.0)
}

/// What the lifespan's `stop` saw: the pool's name and its checkouts.
type Stopped = Arc<Mutex<Option<(String, usize)>>>;

fn server(stopped: Stopped) -> Server {
    Server::new("typed-state", "0")
        .state(Greeting("Hello".into()))
        .lifespan(
            || async {
                Ok(Pool {
                    name: "pool".into(),
                    checkouts: AtomicUsize::new(0),
                })
            },
            move |pool: Arc<Pool>| async move {
                let seen = (pool.name.clone(), pool.checkouts.load(Ordering::SeqCst));
                *stopped.lock().unwrap() = Some(seen);
                Ok(())
            },
        )
        .tool(greet)
        .tool(checkout)
        .tool(visit)
        .tool(needs_missing)
        .resource(greeting_resource)
        .resource(greet_resource)
        .prompt(welcome)
}

fn text(r: &fastmcp::protocol::CallToolResult) -> String {
    match &r.content[0] {
        fastmcp::protocol::ContentBlock::Text(t) => t.text.clone(),
        other => panic!("not text: {other:?}"),
    }
}

#[tokio::test]
async fn handlers_read_the_servers_state_and_it_is_not_an_argument() {
    let s = server(Stopped::default()).start().await.unwrap();
    for (name, c) in support::memory_and_http_clients(&s).await {
        let tools = c.list_tools().await.unwrap();
        let def = tools.iter().find(|t| t.name == "greet").unwrap();
        let schema = serde_json::to_value(&def.input_schema).unwrap();
        assert_eq!(
            schema["properties"]
                .as_object()
                .unwrap()
                .keys()
                .collect::<Vec<_>>(),
            ["name"],
            "{name}: the state is not in the schema: {schema}"
        );
        assert_eq!(schema["required"], json!(["name"]), "{name}");
        let def = tools.iter().find(|t| t.name == "visit").unwrap();
        let schema = serde_json::to_value(&def.input_schema).unwrap();
        assert!(
            schema["properties"]
                .as_object()
                .is_none_or(|p| p.is_empty()),
            "{name}: {schema}"
        );

        let r = c.call_tool("greet", json!({"name": "Ada"})).await.unwrap();
        assert_eq!(text(&r), "Hello, Ada!", "{name}");
        let r = c.call_tool("checkout", json!({})).await.unwrap();
        assert!(text(&r).starts_with("pool#"), "{name}: {}", text(&r));
        assert!(text(&r).ends_with("same=true"), "{name}: {}", text(&r));

        let read = c.read_resource("config://greeting").await.unwrap();
        let ResourceContents::Text(t) = &read.contents[0] else {
            panic!("{name}: not text")
        };
        assert_eq!(t.text, "Hello", "{name}");
        let read = c.read_resource("greet://Bob").await.unwrap();
        let ResourceContents::Text(t) = &read.contents[0] else {
            panic!("{name}: not text")
        };
        assert_eq!(t.text, "Hello Bob", "{name}");

        let p = c
            .get_prompt("welcome", json!({"name": "Eve"}))
            .await
            .unwrap();
        let v = serde_json::to_value(&p.messages[0]).unwrap();
        assert_eq!(
            v["content"]["text"], "Hello, Eve. How can I help?",
            "{name}"
        );
    }
    assert_eq!(
        s.state::<Pool>().unwrap().checkouts.load(Ordering::SeqCst),
        4,
        "one pool, shared by every request"
    );
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn session_state_is_kept_per_session() {
    let s = server(Stopped::default()).start().await.unwrap();
    for (name, a) in support::memory_and_http_clients(&s).await {
        let count = |r: fastmcp::protocol::CallToolResult| text(&r).parse::<u64>().unwrap();
        let first = count(a.call_tool("visit", json!({})).await.unwrap());
        let second = count(a.call_tool("visit", json!({})).await.unwrap());
        match a.era() {
            // A handshake-era session lives as long as the connection.
            Era::Handshake => assert_eq!((first, second), (1, 2), "{name}"),
            // A stateless-era "session" is one request.
            Era::Stateless => assert_eq!((first, second), (1, 1), "{name}"),
        }
    }
    // Two sessions at once do not share their values.
    let mode = modes()[0];
    let a = support::client(&s, mode, Recorder::default()).await;
    let b = support::client(&s, mode, Recorder::default()).await;
    for _ in 0..3 {
        a.call_tool("visit", json!({})).await.unwrap();
    }
    let r = b.call_tool("visit", json!({})).await.unwrap();
    assert_eq!(text(&r), "1", "b has its own counter");
    let r = a.call_tool("visit", json!({})).await.unwrap();
    assert_eq!(text(&r), "4");
    s.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_lifespan_value_is_handed_back_at_shutdown() {
    let stopped = Stopped::default();
    let s = server(stopped.clone()).start().await.unwrap();
    let c = support::client(&s, modes()[0], Recorder::default()).await;
    c.call_tool("checkout", json!({})).await.unwrap();
    c.call_tool("checkout", json!({})).await.unwrap();
    assert!(stopped.lock().unwrap().is_none(), "not stopped yet");
    drop(c);
    s.shutdown().await.unwrap();
    assert_eq!(
        stopped.lock().unwrap().clone(),
        Some(("pool".to_string(), 2)),
        "stop got the value start made, after the calls"
    );
}

#[tokio::test]
async fn a_failing_lifespan_start_stops_the_start_and_its_stop_does_not_run() {
    let stopped = Arc::new(AtomicUsize::new(0));
    let seen = stopped.clone();
    let r = Server::new("failing", "0")
        .lifespan(
            || async { Err::<Pool, _>(Error::internal("database unreachable")) },
            move |_pool: Arc<Pool>| async move {
                seen.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
        )
        .start()
        .await;
    let e = r.err().expect("the start fails");
    assert!(e.message().contains("database unreachable"), "{e}");
    assert_eq!(stopped.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_missing_state_is_a_clear_error_naming_its_type() {
    let s = server(Stopped::default()).start().await.unwrap();
    let c = support::client(&s, modes()[0], Recorder::default()).await;
    // A handler's error is a tool result with `isError` (the model reads it).
    let r = c.call_tool("needs_missing", json!({})).await.unwrap();
    assert_eq!(r.is_error, Some(true));
    let message = text(&r);
    assert!(
        message.contains("typed_state::Missing") && message.contains("Server::state"),
        "{message}"
    );
    // The server keeps serving.
    let r = c.call_tool("greet", json!({"name": "x"})).await.unwrap();
    assert_eq!(text(&r), "Hello, x!");
    let v: Value = serde_json::to_value(s.state::<Greeting>().map(|g| g.0.clone())).unwrap();
    assert_eq!(v, json!("Hello"));
    s.shutdown().await.unwrap();
}

/// A later `state` of the same type replaces the earlier one. (`#[arg]` on a `State`
/// parameter is a compile error: tests/ui/arg_on_state.rs.)
#[tokio::test]
async fn a_later_value_of_the_same_type_replaces_the_earlier() {
    let s = Server::new("replace", "0")
        .state(Greeting("Hi".into()))
        .state(Greeting("Howdy".into()))
        .tool(greet)
        .start()
        .await
        .unwrap();
    let c = support::client(&s, modes()[0], Recorder::default()).await;
    let r = c.call_tool("greet", json!({"name": "Al"})).await.unwrap();
    assert_eq!(text(&r), "Howdy, Al!");
    s.shutdown().await.unwrap();
}
