//! The notes example (`src/bin/notes.rs`), started as a child process and driven by the
//! client over stdio in both protocol eras and over Streamable HTTP; and its size against
//! the same server in Python FastMCP (`examples/notes/notes.py`): at most 1.3 times its
//! lines.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp::client::{Client, Mode};
use fastmcp::protocol::{ProtocolVersion, ResourceContents};
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::ChildTransport;
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_notes");

fn text(r: &fastmcp::protocol::ReadResourceResult) -> String {
    match &r.contents[0] {
        ResourceContents::Text(t) => t.text.clone(),
        other => panic!("{other:?}"),
    }
}

/// Everything the notes server does, through `c`.
async fn exercise(how: &str, c: &Client) {
    let add = |title: &str, tags: Value| json!({"title": title, "body": format!("about {title}"), "tags": tags});
    let r = c
        .call_tool("add_note", add("milk", json!(["shop"])))
        .await
        .unwrap();
    assert_eq!(r.structured_content.as_ref().unwrap()["id"], 1, "{how}");
    c.call_tool("add_note", add("Ada", json!(["call"])))
        .await
        .unwrap();
    // Tags may be left out.
    let bare = json!({"title": "bare", "body": "x"});
    let r = c.call_tool("add_note", bare).await.unwrap();
    assert_eq!(r.structured_content.unwrap()["tags"], json!([]), "{how}");
    let r = c.call_tool("get_note", json!({"id": 2})).await.unwrap();
    assert_eq!(r.structured_content.unwrap()["title"], "Ada", "{how}");
    // A tool error: a result the model reads, not a protocol error.
    let r = c.call_tool("get_note", json!({"id": 9})).await.unwrap();
    assert!(r.is_error(), "{how}");
    let r = c.call_tool("search", json!({"tag": "shop"})).await.unwrap();
    let found = &r.structured_content.unwrap()["notes"];
    assert_eq!(found.as_array().unwrap().len(), 1, "{how}: {found}");
    // Progress from the export loop.
    let seen = Arc::new(AtomicU32::new(0));
    let counter = seen.clone();
    let r = c
        .call_tool_with_progress("export", json!({}), move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        })
        .await
        .unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert!(
        v["content"][0]["text"].as_str().unwrap().contains("# Ada"),
        "{how}"
    );
    assert_eq!(seen.load(Ordering::SeqCst), 3, "{how}: one report per note");
    // A cancelled export (its future dropped) leaves the server serving.
    let _ = tokio::time::timeout(Duration::from_millis(5), c.call_tool("export", json!({}))).await;
    assert_eq!(
        text(&c.read_resource("notes://count").await.unwrap()),
        "3",
        "{how}"
    );
    assert_eq!(
        text(&c.read_resource("note://1").await.unwrap()),
        "milk\n\nabout milk",
        "{how}"
    );
    let e = c.read_resource("note://7").await.unwrap_err();
    assert!(e.message().contains("note://7"), "{how}: {e}");
    let p = c
        .get_prompt("summarize", json!({"style": "bullet"}))
        .await
        .unwrap();
    assert!(
        serde_json::to_string(&p)
            .unwrap()
            .contains("a bullet summary"),
        "{how}"
    );
}

#[tokio::test]
async fn the_notes_server_over_stdio_in_both_eras() {
    for mode in [
        Mode::Handshake(ProtocolVersion::V2025_11_25),
        Mode::Stateless(ProtocolVersion::V2026_07_28),
    ] {
        let c = Client::builder()
            .mode(mode)
            .connect(ChildTransport::new(BIN).env("FASTMCP_NO_BANNER", "1"))
            .await
            .unwrap();
        exercise(&format!("stdio {mode:?}"), &c).await;
    }
}

#[tokio::test]
async fn the_notes_server_over_streamable_http() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = tokio::process::Command::new(BIN)
        .args(["http", &addr])
        .env("FASTMCP_NO_BANNER", "1")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://{addr}/mcp");
    let mut connected = None;
    for _ in 0..200 {
        if let Ok(c) = Client::connect(StreamableHttp::new(url.clone())).await {
            connected = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let c = connected.expect("the notes server listens");
    exercise("Streamable HTTP", &c).await;
    child.kill().await.unwrap();
}

/// Lines that are neither blank nor comments (`//` and `#` comments; doc comments and
/// docstrings are descriptions the server sends, and count).
fn code_lines(text: &str, comment: &str) -> usize {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .filter(|l| l.starts_with("///") || !l.starts_with(comment))
        .count()
}

#[test]
fn the_notes_server_takes_at_most_1_3_times_the_lines_of_python_fastmcp() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let rust = std::fs::read_to_string(format!("{dir}/src/bin/notes.rs")).unwrap();
    let python = std::fs::read_to_string(format!("{dir}/notes/notes.py")).unwrap();
    // The module docs of both say what the file is, not what the server does.
    let rust: String = rust
        .lines()
        .filter(|l| !l.starts_with("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let python = python
        .split_once("\"\"\"\n\n")
        .map_or(python.as_str(), |(_, rest)| rest);
    let (r, p) = (code_lines(&rust, "//"), code_lines(python, "#"));
    let ratio = r as f64 / p as f64;
    println!("notes: Rust {r} lines, Python FastMCP {p} lines: {ratio:.2}x");
    assert!(
        ratio <= 1.3,
        "Rust {r} lines against Python's {p}: {ratio:.2}x"
    );
}
