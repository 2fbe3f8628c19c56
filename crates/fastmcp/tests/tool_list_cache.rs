//! `tools/list` answers are reused while the listed tools are the same ones (see the
//! server's `list_cache`): what a client lists is still what the server has, page by
//! page and era by era, as tools are added, replaced, removed, disabled and hidden at run
//! time, whether the catalog tells its revision (the answer for every caller is reused
//! without listing) or not (every request lists).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fastmcp::client::{Client, Mode};
use fastmcp::core::{BoxFuture, Context, FnTool};
use fastmcp::prelude::*;
use fastmcp::protocol::{ProtocolVersion, Tool};
use fastmcp::server::{Kinds, Page, Provider, RunningServer, ToolEntry, Transform};
use serde_json::{json, Map, Value};

fn echo(name: &str, description: &str) -> FnTool {
    FnTool::new(
        Tool::new(name, json!({"type": "object"})).with_description(description),
        |_ctx, _args| async { Ok(CallToolResult::text("ok")) },
    )
}

/// Every page of `tools/list`, raw: names and descriptions.
async fn pages(c: &Client) -> Pages {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let params = match &cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let r: Value = c.request("tools/list", params).await.unwrap();
        let page = r["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let d = t["description"].as_str().unwrap_or_default();
                (t["name"].as_str().unwrap().to_owned(), d.to_owned())
            })
            .collect();
        out.push(page);
        match r["nextCursor"].as_str() {
            Some(n) => cursor = Some(n.to_owned()),
            None => return out,
        }
    }
}

/// The pages a listing should show.
type Pages = Vec<Vec<(String, String)>>;

fn page(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(n, d)| (n.to_string(), d.to_string()))
        .collect()
}

#[tokio::test]
async fn lists_follow_every_change_in_both_eras_and_on_every_page() {
    let server = Server::new("lists", "1.0.0")
        .page_size(2)
        .tool(echo("a", "first"))
        .tool(echo("b", "second"))
        .tool(echo("c", "third"));
    let (running, clients) = serving(server).await;
    let handle = running.handle();
    let steps: Vec<(Change, Pages)> = vec![
        (
            Box::new(|| {}),
            vec![
                page(&[("a", "first"), ("b", "second")]),
                page(&[("c", "third")]),
            ],
        ),
        (
            Box::new(|| handle.add_tool(echo("d", "fourth")).unwrap()),
            vec![
                page(&[("a", "first"), ("b", "second")]),
                page(&[("c", "third"), ("d", "fourth")]),
            ],
        ),
        (
            // The same name, a new tool: its new description is listed.
            Box::new(|| handle.add_tool(echo("b", "second, again")).unwrap()),
            vec![
                page(&[("a", "first"), ("b", "second, again")]),
                page(&[("c", "third"), ("d", "fourth")]),
            ],
        ),
        (
            Box::new(|| assert!(handle.remove_tool("a"))),
            vec![
                page(&[("b", "second, again"), ("c", "third")]),
                page(&[("d", "fourth")]),
            ],
        ),
    ];
    for (change, expected) in steps {
        change();
        for c in &clients {
            // Twice: the second listing is answered from what the first one made.
            assert_eq!(pages(c).await, expected, "{:?}", c.mode());
            assert_eq!(pages(c).await, expected, "{:?}", c.mode());
        }
    }
    running.shutdown().await.unwrap();
}

fn modes() -> [Mode; 2] {
    [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ]
}

/// `server` started, and a client of it in each era.
async fn serving(server: Server) -> (RunningServer, Vec<Client>) {
    let running = server.start().await.unwrap();
    let mut clients = vec![];
    for m in modes() {
        let c = Client::builder()
            .mode(m)
            .connect(running.connect_in_memory());
        clients.push(c.await.unwrap());
    }
    (running, clients)
}

/// A change made at run time.
type Change<'a> = Box<dyn Fn() + 'a>;

#[tokio::test]
async fn the_answer_for_every_caller_follows_every_change_in_both_eras() {
    let server = Server::new("lists", "1.0.0")
        .tool(echo("a", "first"))
        .tool(echo("b", "second").with_tags(["beta"]));
    let (running, mut clients) = serving(server).await;
    clients.push(Client::connect(running.connect_in_memory()).await.unwrap());
    let (handle, visibility) = (running.handle(), running.visibility());
    let steps: Vec<(Change, Vec<(&str, &str)>)> = vec![
        (Box::new(|| {}), vec![("a", "first"), ("b", "second")]),
        (
            Box::new(|| handle.add_tool(echo("c", "third")).unwrap()),
            vec![("a", "first"), ("b", "second"), ("c", "third")],
        ),
        (
            Box::new(|| handle.add_tool(echo("a", "first, again")).unwrap()),
            vec![("a", "first, again"), ("b", "second"), ("c", "third")],
        ),
        (
            Box::new(|| assert!(visibility.disable_tool("c"))),
            vec![("a", "first, again"), ("b", "second")],
        ),
        (
            Box::new(|| assert!(visibility.disable_tag("beta"))),
            vec![("a", "first, again")],
        ),
        (
            Box::new(|| assert!(visibility.enable_tag("beta") && visibility.enable_tool("c"))),
            vec![("a", "first, again"), ("b", "second"), ("c", "third")],
        ),
        (
            Box::new(|| assert!(handle.remove_tool("a"))),
            vec![("b", "second"), ("c", "third")],
        ),
    ];
    for (change, expected) in steps {
        change();
        for c in &clients {
            assert_eq!(pages(c).await, vec![page(&expected)], "{:?}", c.mode());
            assert_eq!(pages(c).await, vec![page(&expected)], "{:?}", c.mode());
        }
    }
    running.shutdown().await.unwrap();
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Empty {}

async fn names(c: &Client) -> Vec<String> {
    let tools = c.list_tools().await.unwrap();
    tools.into_iter().map(|t| t.name).collect()
}

#[tokio::test]
async fn a_session_that_hides_a_tool_lists_without_it_and_others_still_see_it() {
    let hide = FnTool::typed("hide", "", |ctx: Context, _: Empty| async move {
        ctx.session().disable("tool:secret");
        "hidden"
    });
    let running = Server::new("h", "0")
        .tool(echo("secret", "s"))
        .tool(hide)
        .start()
        .await
        .unwrap();
    let a = Client::connect(running.connect_in_memory()).await.unwrap();
    let b = Client::connect(running.connect_in_memory()).await.unwrap();
    assert_eq!(names(&b).await, ["secret", "hide"]);
    assert_eq!(names(&a).await, ["secret", "hide"]);
    a.call_tool("hide", json!({})).await.unwrap();
    for _ in 0..2 {
        assert_eq!(names(&a).await, ["hide"]);
        assert_eq!(names(&b).await, ["secret", "hide"]);
    }
    running.shutdown().await.unwrap();
}

/// Tools `t0`, `t1`, … (one per `shown`), with a revision when it `tells`, counting how
/// often it is listed.
struct Counted {
    shown: AtomicUsize,
    revision: AtomicU64,
    tells: bool,
    listed: AtomicUsize,
}

impl Counted {
    fn new(tells: bool) -> Arc<Self> {
        Arc::new(Counted {
            shown: AtomicUsize::new(1),
            revision: AtomicU64::new(0),
            tells,
            listed: AtomicUsize::new(0),
        })
    }

    /// One more tool (announced by its revision, when it tells one).
    fn grow(&self) {
        self.shown.fetch_add(1, Ordering::SeqCst);
        self.revision.fetch_add(1, Ordering::SeqCst);
    }

    fn expected(&self) -> Vec<String> {
        let n = self.shown.load(Ordering::SeqCst);
        (0..n).map(|i| format!("t{i}")).collect()
    }
}

struct Shared(Arc<Counted>);

impl Provider for Shared {
    fn kinds(&self) -> Kinds {
        Kinds {
            tools: true,
            ..Kinds::default()
        }
    }

    fn tools_revision(&self) -> Option<u64> {
        let c = &self.0;
        c.tells.then(|| c.revision.load(Ordering::SeqCst))
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        self.0.listed.fetch_add(1, Ordering::SeqCst);
        let tools = self.0.expected().into_iter();
        let tools = tools.map(|n| ToolEntry::new(Arc::new(echo(&n, "counted"))));
        let all = Page::all(tools.collect());
        Box::pin(async move { Ok(all) })
    }
}

#[tokio::test]
async fn a_provider_that_tells_its_revision_is_listed_once_per_revision() {
    let counted = Counted::new(true);
    let (running, clients) = serving(Server::new("p", "0").provider(Shared(counted.clone()))).await;
    for round in 0..3 {
        let before = counted.listed.load(Ordering::SeqCst);
        for c in &clients {
            for _ in 0..3 {
                assert_eq!(names(c).await, counted.expected());
            }
        }
        // One listing per era's first request; the others reuse its answer.
        let listed = counted.listed.load(Ordering::SeqCst) - before;
        assert_eq!(listed, 2, "round {round}");
        counted.grow();
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_provider_that_cannot_tell_is_listed_on_every_request() {
    let counted = Counted::new(false);
    let (running, clients) = serving(Server::new("p", "0").provider(Shared(counted.clone()))).await;
    for _ in 0..3 {
        for c in &clients {
            assert_eq!(names(c).await, counted.expected());
        }
        // Changed without a revision, nor an announcement: the next list shows it.
        counted.grow();
    }
    assert_eq!(counted.listed.load(Ordering::SeqCst), 6);
    running.shutdown().await.unwrap();
}

/// Leaves out of the list the tools named in its own, which changes at any time: it cannot
/// tell a revision.
struct HideNamed(Arc<Mutex<Vec<String>>>);

impl Transform for HideNamed {
    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        let hidden = self.0.lock().unwrap();
        tools
            .into_iter()
            .filter(|t| !hidden.iter().any(|h| h == t.name()))
            .collect()
    }
}

#[tokio::test]
async fn a_transform_that_cannot_tell_its_revision_is_applied_on_every_request() {
    let hidden = Arc::new(Mutex::new(vec![]));
    let (running, clients) = serving(
        Server::new("t", "0")
            .tool(echo("a", ""))
            .tool(echo("b", ""))
            .transform(HideNamed(hidden.clone())),
    )
    .await;
    for (hide, expected) in [(None, vec!["a", "b"]), (Some("a"), vec!["b"])] {
        if let Some(h) = hide {
            hidden.lock().unwrap().push(h.to_owned());
        }
        for c in &clients {
            assert_eq!(names(c).await, expected);
            assert_eq!(names(c).await, expected);
        }
    }
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_mounted_servers_changes_show_in_the_parents_list() {
    let child = Server::new("child", "0").tool(echo("one", ""));
    let child_handle = child.handle();
    let (running, clients) = serving(
        Server::new("parent", "0")
            .tool(echo("own", ""))
            .mount(child, "kid"),
    )
    .await;
    for c in &clients {
        assert_eq!(names(c).await, ["own", "kid_one"]);
    }
    child_handle
        .add_tool(FnTool::typed(
            "two",
            "",
            |_: Context, _: Map<String, Value>| async { 2 },
        ))
        .unwrap();
    for c in &clients {
        assert_eq!(names(c).await, ["own", "kid_one", "kid_two"]);
        assert_eq!(names(c).await, ["own", "kid_one", "kid_two"]);
    }
    running.shutdown().await.unwrap();
}
