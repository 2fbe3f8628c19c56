//! `fastmcp call --task/--detach`, `fastmcp tasks` and `fastmcp test` through the real
//! binary, against the conformance server over Streamable HTTP and the tester's
//! deliberately broken server.

mod support;

use std::process::Command;

use support::{run, workspace_bin, Served};

fn conformance_http() -> (Served, String) {
    let port = support::free_port();
    let served = Served::start(
        Command::new(workspace_bin("conformance-server")).args(["--port", &port.to_string()]),
    );
    support::wait_port(port);
    (served, format!("http://127.0.0.1:{port}/mcp"))
}

#[test]
fn a_task_is_waited_for_or_detached_then_got_and_cancelled_by_id() {
    let (_server, url) = conformance_http();
    // --task: status changes on stderr, the result on stdout.
    let r = run(&[
        "call",
        &url,
        "slow_compute",
        "seconds=0.3",
        "label=x",
        "--task",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "Computed \"x\" in 0.3 s\n", "{r:?}");
    assert!(r.stderr.contains(": Completed"), "{r:?}");
    // --detach in the stateless era: the id, then get and cancel from other processes.
    let r = run(&[
        "call",
        "--era",
        "stateless",
        &url,
        "slow_compute",
        "seconds=60",
        "--detach",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let id = r.stdout.trim().to_owned();
    assert_eq!(id.len(), 36, "a task id: {r:?}");
    let r = run(&["tasks", "--era", "stateless", &url, "get", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, format!("{id}  working\n"), "{r:?}");
    let r = run(&["tasks", "--era", "stateless", &url, "cancel", &id]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with(&format!("{id}  cancelled")), "{r:?}");
    let r = run(&["tasks", "--era", "stateless", &url, "get", &id, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["status"], "cancelled", "{r:?}");
    // An unknown id is the server's error: 1; a list in the stateless era: 2, with a hint.
    let r = run(&["tasks", "--era", "stateless", &url, "get", "no-such-task"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("Task not found"), "{r:?}");
    let r = run(&["tasks", "--era", "stateless", &url, "list"]);
    assert_eq!(r.code, 2, "{r:?}");
    // The handshake era lists this session's tasks: none.
    let r = run(&["tasks", &url, "list"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "tasks (0)\n", "{r:?}");
}

#[test]
fn fastmcp_test_passes_our_server_and_reports_a_broken_ones_defects() {
    let (_server, url) = conformance_http();
    let r = run(&["test", &url]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("== handshake era (2025-11-25)"), "{r:?}");
    assert!(r.stdout.contains("== stateless era (2026-07-28)"), "{r:?}");
    assert!(r.stdout.contains(" 0 failed"), "{r:?}");

    let broken = workspace_bin("broken-server").display().to_string();
    let r = run(&["test", "--", &broken]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("wrong id: ping sent with id"), "{r:?}");
    assert!(r.stdout.contains("inputSchema"), "{r:?}");
    assert!(r.stderr.starts_with("error: "), "{r:?}");
    assert!(r.stderr.contains("checks failed"), "{r:?}");

    let r = run(&["test", "--json", "--", &broken]);
    assert_eq!(r.code, 1, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let checks = v["eras"][0]["checks"].as_array().unwrap();
    let ids = checks.iter().find(|c| c["id"] == "jsonrpc.ids").unwrap();
    assert_eq!(ids["status"], "fail", "{ids}");

    let r = run(&["test", "--compare", &url, &broken]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stdout.contains("jsonrpc.ids"), "{r:?}");
}
