//! `fastmcp inspect`, `list` and `call` against servers nobody here wrote: the official
//! Python SDK's fixture server (mcp==2.3.0) and the reference `server-everything` of the
//! TypeScript SDK (from npm), each over stdio and Streamable HTTP.

mod support;

use std::process::Command;

use support::{everything, loopback_preload, node, py_server, python, run, Served};

/// Inspect, list and call the `add`-like tool of a server; `server` is the words that name
/// it (a URL, or `--` and a command).
fn exercise(server: &[String], tool: &str, args: &[&str], want: &str) {
    let with = |cmd: &[&str], rest: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        let (url, command) = match server.first().map(String::as_str) {
            Some("--") => (vec![], server.to_vec()),
            _ => (server.to_vec(), vec![]),
        };
        v.extend(url);
        v.extend(rest.iter().map(|s| s.to_string()));
        v.extend(command);
        v
    };
    let argv = with(&["inspect", "--json"], &[]);
    let r = run(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{argv:?}: {r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        v["tools"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == tool),
        "{argv:?}: {r:?}"
    );
    let argv = with(&["list", "--what", "prompts"], &[]);
    let r = run(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{argv:?}: {r:?}");
    assert!(r.stdout.starts_with("prompts ("), "{r:?}");
    let mut rest = vec![tool];
    rest.extend(args);
    let argv = with(&["call"], &rest);
    let r = run(&argv.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(r.code, 0, "{argv:?}: {r:?}");
    assert!(r.stdout.contains(want), "{argv:?}: {r:?}");
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

#[test]
fn python_sdk_server_over_stdio() {
    let py = python().display().to_string();
    let script = py_server().display().to_string();
    exercise(
        &words(&["--", &py, &script]),
        "add",
        &["a=20", "b=22"],
        "42",
    );
    // Progress from a server in another language.
    let r = run(&["call", "count_with_progress", "--", &py, &script]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("progress "), "{r:?}");
}

#[test]
fn python_sdk_server_over_streamable_http() {
    let port = support::free_port();
    let _server = Served::start(
        Command::new(python())
            .arg(py_server())
            .args(["--port", &port.to_string()]),
    );
    support::wait_port(port);
    let url = format!("http://127.0.0.1:{port}/mcp");
    exercise(&words(&[&url]), "add", &["a=1", "b=2"], "3");
    let r = run(&["test", &url]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("  http.session-id                PASS"),
        "{r:?}"
    );
    let r = run(&["call", "--era", "stateless", &url, "add", "a=3", "b=4"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains('7'), "{r:?}");
}

#[test]
fn typescript_server_everything_over_stdio() {
    let node = node().display().to_string();
    let e = everything().display().to_string();
    exercise(
        &words(&["--", &node, &e, "stdio"]),
        "get-sum",
        &["a=2", "b=3"],
        "5",
    );
    let r = run(&[
        "call",
        "trigger-long-running-operation",
        "duration=0.3",
        "steps=3",
        "--",
        &node,
        &e,
        "stdio",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("progress 3/3"), "{r:?}");
    // The tester: no failure on stdio; its long operation's defaults outlast --timeout (a
    // warning), and an invalid log level is answered -32603 instead of -32602 (a warning).
    let r = run(&["test", "--timeout", "3", "--", &node, &e, "stdio"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("no answer within 3s"), "{r:?}");
    assert!(
        r.stdout.contains("  logging.setLevel               WARN"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("stateless era (2026-07-28) — negotiated: not offered"),
        "{r:?}"
    );
}

#[test]
fn typescript_server_everything_over_streamable_http() {
    let port = support::free_port();
    let _server = Served::start(
        Command::new(node())
            .arg("--require")
            .arg(loopback_preload())
            .arg(everything())
            .arg("streamableHttp")
            .env("PORT", port.to_string()),
    );
    support::wait_port(port);
    let url = format!("http://127.0.0.1:{port}/mcp");
    exercise(&words(&[&url]), "echo", &["message=hi there"], "hi there");
    // Its HTTP example answers an unknown or deleted session 400 with an error that has
    // no id, where the spec says 404: the tester reports both, and exits 1.
    let r = run(&["test", "--timeout", "3", &url]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        r.stdout.contains("  http.session-id                FAIL"),
        "{r:?}"
    );
    assert!(r.stdout.contains("got: HTTP 400"), "{r:?}");
    assert!(
        r.stdout.contains("  http.delete-session            FAIL"),
        "{r:?}"
    );
}
