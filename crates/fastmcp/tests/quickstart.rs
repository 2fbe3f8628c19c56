//! The README's quick start, as a newcomer would use it: a new cargo project with nothing
//! but `fastmcp` (a path dependency here) and `tokio` in its `Cargo.toml`, and the README's
//! `src/main.rs` word for word (its blocks one after the other), builds and passes its own
//! in-memory test; the server it makes answers a real client over stdio (its tool with
//! structured input and output, its resource over shared state, its prompt, its tool with
//! progress).
//!
//! The build is offline, pinned by the workspace's `Cargo.lock`, in a target directory of
//! its own (`target/quickstart`), so it never waits on the lock of the build running it.

use std::path::{Path, PathBuf};
use std::process::Command;

use fastmcp::client::Client;
use fastmcp::transport::ChildTransport;
use serde_json::json;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fenced blocks of `lang` in the README's `## Quick start` section, in order.
fn quick_start_blocks(readme: &str, lang: &str) -> Vec<String> {
    let section = readme
        .split_once("\n## Quick start\n")
        .expect("the README has a `## Quick start` section")
        .1;
    let mut rest = section.split("\n## ").next().unwrap();
    let fence = format!("```{lang}\n");
    let mut blocks = vec![];
    while let Some(i) = rest.find(&fence) {
        let body = &rest[i + fence.len()..];
        let len = body.find("```").expect("a closed block");
        blocks.push(body[..len].to_owned());
        rest = &body[len + 3..];
    }
    assert!(!blocks.is_empty(), "a {lang} block in the quick start");
    blocks
}

/// The project's `Cargo.toml`: the README's dependencies, `fastmcp` pointed at this
/// workspace's crate, and nothing else.
fn manifest(dependencies: &str) -> String {
    let facade = workspace().join("crates/fastmcp").canonicalize().unwrap();
    let mut lines = vec![];
    for line in dependencies.lines() {
        if line.starts_with("fastmcp ") || line.starts_with("fastmcp=") {
            lines.push(format!(
                "fastmcp = {{ path = {:?} }}",
                facade.display().to_string()
            ));
        } else {
            lines.push(line.to_owned());
        }
    }
    let deps = lines.join("\n");
    assert!(
        deps.contains("[dependencies]") && deps.contains("tokio"),
        "the quick start's Cargo.toml lines: {deps}"
    );
    let names: Vec<&str> = deps
        .lines()
        .filter(|l| !l.starts_with('[') && l.contains('='))
        .map(|l| l.split(['=', ' ']).next().unwrap())
        .collect();
    assert_eq!(names, ["fastmcp", "tokio"], "nothing but fastmcp and tokio");
    format!(
        "[package]\nname = \"quickstart-check\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
         publish = false\n\n{deps}\n\n# Not a member of the workspace it sits in.\n[workspace]\n"
    )
}

/// Runs `cargo <args>` in the project `dir`, offline, in its own target directory.
fn cargo(dir: &Path, args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .args(["--offline", "--quiet"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target())
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?} fails on the quick start:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn target() -> PathBuf {
    workspace().join("target/quickstart")
}

#[tokio::test]
async fn the_readme_quick_start_builds_with_only_fastmcp_and_tokio_and_serves() {
    let readme = std::fs::read_to_string(workspace().join("README.md")).unwrap();
    let dir = target().join("project");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let toml = quick_start_blocks(&readme, "toml").remove(0);
    std::fs::write(dir.join("Cargo.toml"), manifest(&toml)).unwrap();
    let main = quick_start_blocks(&readme, "rust").join("\n");
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let built = dir.clone();
    let test = tokio::task::spawn_blocking(move || {
        cargo(&built, &["build"]);
        // Its own in-memory test, as the README shows it.
        cargo(&built, &["test"])
    })
    .await
    .unwrap();
    let ran = String::from_utf8_lossy(&test.stdout).into_owned();
    assert!(
        ran.contains("1 passed"),
        "the quick start's test ran: {ran}"
    );
    let bin = target().join("debug/quickstart-check");

    let c = Client::connect(ChildTransport::new(bin).env("FASTMCP_NO_BANNER", "1"))
        .await
        .unwrap();
    let tools = c.list_tools().await.unwrap();
    let add = tools
        .iter()
        .find(|t| t.name == "add_note")
        .expect("add_note");
    assert_eq!(add.description.as_deref(), Some("Keep a note."));
    let schema = serde_json::to_value(&add.input_schema).unwrap();
    assert!(
        schema.to_string().contains("A short title."),
        "field docs in the schema: {schema}"
    );
    assert!(
        add.output_schema.is_some(),
        "Json<Kept> has an output schema"
    );
    for (i, title) in ["milk", "call Ada"].into_iter().enumerate() {
        let r = c
            .call_tool(
                "add_note",
                json!({"note": {"title": title, "body": "today"}}),
            )
            .await
            .unwrap();
        assert_eq!(r.structured_content, Some(json!({"count": i + 1})), "{r:?}");
    }
    let read = c.read_resource("notes://all").await.unwrap();
    let text = serde_json::to_value(&read.contents[0]).unwrap()["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(text, "milk: today\ncall Ada: today\n");
    let r = c.call_tool("check_all", json!({})).await.unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap()["content"][0]["text"],
        "2 notes checked"
    );
    let prompt = c
        .get_prompt("summarize", json!({"style": "bullet"}))
        .await
        .unwrap();
    let v = serde_json::to_value(&prompt).unwrap();
    assert!(
        v.to_string().contains("a bullet summary"),
        "the prompt's text: {v}"
    );
}
