//! `fastmcp new`, `fastmcp run` of a cargo project and `fastmcp dev`, through the real
//! binary: a new project builds and passes its own test; `run` builds and serves it;
//! `dev` serves it on an endpoint that stays up while an edit is rebuilt and replaces it,
//! and a broken edit leaves the last good build serving.
//!
//! The projects live in a temporary directory, build offline against this checkout's
//! `fastmcp` (pinned by the workspace's `Cargo.lock`), in `target/quickstart`, which the
//! quick start's test fills with the same dependencies.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{repo, run, run_with, Served};

fn target_dir() -> PathBuf {
    repo().join("target/quickstart")
}

/// `fastmcp` with the environment the nested cargo builds need.
fn fastmcp() -> Command {
    let mut c = support::fastmcp();
    c.env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_NET_OFFLINE", "true");
    c
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("fastmcp-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `fastmcp new` a project at `dir`, pinned by the workspace's lock file.
fn new_project(dir: &Path, http: bool) {
    let mut cmd = fastmcp();
    cmd.arg("new").arg(dir);
    if http {
        cmd.arg("--http");
    }
    let r = run_with(&mut cmd);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.starts_with(&format!("created {}", dir.display())),
        "{r:?}"
    );
    std::fs::copy(repo().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // Not inside another workspace, whatever the temporary directory is.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(manifest.contains("fastmcp = { path = "), "{manifest}");
}

fn cargo_test(dir: &Path) -> String {
    let out = Command::new(env!("CARGO"))
        .args(["test", "--offline"])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "cargo test of the new project:\n{all}"
    );
    all
}

#[test]
fn a_new_project_builds_passes_its_test_and_runs_and_dev_reloads_it() {
    let root = scratch("new");
    let dir = root.join("hello-mcp");
    new_project(&dir, false);
    assert!(cargo_test(&dir).contains("test tests::greets ... ok"));

    // `run` builds the project (cargo's progress on stderr) and serves it.
    let served = Served::start(fastmcp().env_remove("FASTMCP_NO_BANNER").args([
        "run",
        dir.to_str().unwrap(),
        "--transport",
        "http",
        "--port",
        "0",
    ]));
    served.wait_for("built ", 600);
    let base = served.http_base(30);
    let r = run(&["call", &format!("{base}/mcp"), "greet", "name=Ada"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "Hello, Ada!\n", "{r:?}");
    drop(served);

    // `dev`: an edit is rebuilt and served at the same URL.
    let dev = Served::start(fastmcp().env_remove("FASTMCP_NO_BANNER").args([
        "dev",
        dir.to_str().unwrap(),
        "--port",
        "0",
    ]));
    let base = dev.http_base(600);
    dev.wait_for("watching ", 30);
    let url = format!("{base}/mcp");
    let r = run(&["call", &url, "greet", "name=Ada"]);
    assert_eq!(r.stdout, "Hello, Ada!\n", "{r:?}");
    let main = dir.join("src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, text.replace("Hello, {name}!", "Howdy, {name}!")).unwrap();
    let changed = dev.wait_for("changed: ", 30);
    assert_eq!(changed, "changed: src/main.rs", "relative to the project");
    dev.wait_for("rebuilt in ", 600);
    let r = run(&["call", &url, "greet", "name=Ada"]);
    assert_eq!(r.stdout, "Howdy, Ada!\n", "{r:?}");

    // A broken edit: the last good build keeps serving.
    std::fs::write(
        &main,
        text.replace("Hello, {name}!", "Howdy, {name}!") + "\nfn broken( {}\n",
    )
    .unwrap();
    dev.wait_for("still serving the last good build", 600);
    std::thread::sleep(Duration::from_millis(200));
    let r = run(&["call", &url, "greet", "name=Bo"]);
    assert_eq!(r.stdout, "Howdy, Bo!\n", "{r:?}");
    drop(dev);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_new_http_project_builds_and_passes_its_test() {
    let root = scratch("new-http");
    let dir = root.join("hello-http");
    new_project(&dir, true);
    let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
    assert!(main.contains("run_http"), "{main}");
    assert!(cargo_test(&dir).contains("test tests::greets ... ok"));
    // A second `new` into the same place is refused.
    let r = run_with(fastmcp().arg("new").arg(&dir));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("exists and is not empty"), "{r:?}");
    let _ = std::fs::remove_dir_all(&root);
}
