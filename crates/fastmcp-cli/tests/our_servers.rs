//! `fastmcp inspect`, `list`, `call` and `run` through the real binary against our own
//! servers: the quick start and the conformance server over stdio, and the same behind
//! `fastmcp run` on Streamable HTTP (both eras), legacy SSE and WebSocket; what they print,
//! and their exit codes when something is wrong.

mod support;

use support::{run, workspace_bin, Served};

fn quickstart() -> String {
    workspace_bin("quickstart").display().to_string()
}

#[test]
fn inspect_shows_info_capabilities_and_tool_schemas_in_text_and_json() {
    let q = quickstart();
    let r = run(&["inspect", "--", &q]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("calc 1.0.0\n"), "{r:?}");
    assert!(r.stdout.contains("protocol     2025-11-25"), "{r:?}");
    assert!(r.stdout.contains("capabilities tools"), "{r:?}");
    assert!(r.stdout.contains("  add  Add two numbers."), "{r:?}");
    assert!(r.stdout.contains("      a: integer, required"), "{r:?}");

    let r = run(&["inspect", "--json", "--", &q]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["serverInfo"]["name"], "calc");
    assert_eq!(v["protocolVersion"], "2025-11-25");
    let add = v["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "add")
        .unwrap();
    assert_eq!(add["inputSchema"]["properties"]["a"]["type"], "integer");
}

#[test]
fn call_converts_arguments_by_schema_and_prints_structured_output() {
    let q = quickstart();
    let r = run(&["call", "add", "a=2", "b=40", "--", &q]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v, serde_json::json!({"result": 42}));

    let r = run(&[
        "call",
        "add",
        "--json",
        "--input-json",
        r#"{"a": 1, "b": 2}"#,
        "--",
        &q,
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["content"][0]["text"], "3");
    assert_eq!(v["structuredContent"]["result"], 3);
}

#[test]
fn failures_are_one_line_with_a_hint_and_a_documented_exit_code() {
    let q = quickstart();
    // A tool result with isError: 1.
    let r = run(&["call", "divide", "a=1", "b=0", "--", &q]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(
        r.stderr, "error: the tool answered with an error: division by zero\n",
        "{r:?}"
    );
    // A value the schema refuses: 2, before anything is sent.
    let r = run(&["call", "add", "a=two", "b=1", "--", &q]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.starts_with("error: a=two: a is integer"), "{r:?}");
    assert!(r.stderr.contains("\n  hint: "), "{r:?}");
    // An unknown tool: 2, with the tools there are.
    let r = run(&["call", "nope", "--", &q]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("hint: its tools: add, divide"), "{r:?}");
    // A server that is not there: 3.
    let port = support::free_port();
    let r = run(&["list", &format!("http://127.0.0.1:{port}/mcp")]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("Connection refused"), "{r:?}");
    // A command that is not a server: 3, and never a backtrace.
    let r = run(&["list", "--", "true"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        !r.stderr.contains("panicked") && !r.stderr.contains("backtrace"),
        "{r:?}"
    );
    // A word that is no server: 2.
    let r = run(&["list", "server.py"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(
        r.stderr
            .contains("hint: to start a program, put it after --"),
        "{r:?}"
    );
    // The codes are in --help.
    let r = run(&["--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Exit codes:"), "{r:?}");
}

#[test]
fn timeout_ends_a_slow_call_with_exit_code_4() {
    let conf = workspace_bin("conformance-server").display().to_string();
    let r = run(&[
        "call",
        "test_tool_with_progress",
        "--timeout",
        "0.05",
        "--",
        &conf,
        "--stdio",
    ]);
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("hint: raise --timeout"), "{r:?}");
}

#[test]
fn progress_and_logs_go_to_stderr_and_the_result_to_stdout() {
    let conf = workspace_bin("conformance-server").display().to_string();
    let r = run(&["call", "test_tool_with_progress", "--", &conf, "--stdio"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("progress 50/100 Halfway"), "{r:?}");
    assert!(r.stderr.contains("progress 100/100 Done"), "{r:?}");
    assert!(!r.stdout.contains("progress"), "{r:?}");
    let r = run(&["call", "test_tool_with_logging", "--", &conf, "--stdio"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("[info] Tool processing data"), "{r:?}");
    // --quiet: no progress lines.
    let r = run(&[
        "call",
        "--quiet",
        "test_tool_with_progress",
        "--",
        &conf,
        "--stdio",
    ]);
    assert!(!r.stderr.contains("progress"), "{r:?}");
}

#[test]
fn run_serves_a_command_on_every_http_transport_and_list_reaches_each() {
    let q = quickstart();
    let served = Served::start(support::fastmcp().env_remove("FASTMCP_NO_BANNER").args([
        "run",
        "--transport",
        "http",
        "--port",
        "0",
        "--",
        &q,
    ]));
    let base = served.http_base(30);
    for url in [
        format!("{base}/mcp"),
        format!("{base}/sse"),
        format!("{}/ws", base.replace("http://", "ws://")),
    ] {
        let r = run(&["list", &url]);
        assert_eq!(r.code, 0, "{url}: {r:?}");
        assert!(r.stdout.contains("  add  Add two numbers."), "{url}: {r:?}");
    }
    // The stateless era over the same endpoint, and a call.
    let mcp = format!("{base}/mcp");
    let r = run(&["call", "--era", "stateless", &mcp, "add", "a=1", "b=1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"result\": 2"), "{r:?}");
    let r = run(&["inspect", "--era", "auto", &mcp]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("protocol     2026-07-28"), "{r:?}");
}

#[test]
fn an_mcpconfig_entry_names_the_server() {
    let dir = std::env::temp_dir().join(format!("fastmcp-cli-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mcp.json");
    let config = serde_json::json!({"mcpServers": {
        "calc": {"command": quickstart()},
        "other": {"url": "http://127.0.0.1:9/mcp"}
    }});
    std::fs::write(&file, config.to_string()).unwrap();
    let f = file.display().to_string();
    let r = run(&["call", &format!("{f}:calc"), "add", "a=5", "b=5"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"result\": 10"), "{r:?}");
    // Two servers and none chosen: a usage error that names them.
    let r = run(&["list", &f]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("its servers: calc, other"), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn auth_sends_a_bearer_token_and_a_401_hints_at_it() {
    let port = support::free_port();
    let _server = Served::start(
        std::process::Command::new(workspace_bin("protected"))
            .env("ADDR", format!("127.0.0.1:{port}"))
            .env("FASTMCP_NO_BANNER", "1"),
    );
    support::wait_port(port);
    let url = format!("http://127.0.0.1:{port}/mcp");
    let r = run(&["list", &url]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("401"), "{r:?}");
    assert!(
        r.stderr
            .contains("hint: the server wants credentials: --auth"),
        "{r:?}"
    );
    let r = run(&["list", &url, "--auth", "reader-token"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.starts_with("tools (1)\n  read "), "{r:?}");
    let r = run(&["list", &url, "--auth", "writer-token"]);
    assert!(r.stdout.starts_with("tools (2)\n"), "{r:?}");
    // A header instead of --auth.
    let r = run(&["list", &url, "-H", "Authorization: Bearer writer-token"]);
    assert!(r.stdout.starts_with("tools (2)\n"), "{r:?}");
}

#[test]
fn run_proxies_a_url_on_stdio_and_serves_an_mcpconfig_entry() {
    // A remote server (here: `fastmcp run` of a command on HTTP) made a local stdio server
    // by `fastmcp run URL`, which `fastmcp call` starts as its child.
    let q = quickstart();
    let front = Served::start(support::fastmcp().env_remove("FASTMCP_NO_BANNER").args([
        "run",
        "--transport",
        "http",
        "--port",
        "0",
        "--",
        &q,
    ]));
    let url = format!("{}/mcp", front.http_base(30));
    let me = env!("CARGO_BIN_EXE_fastmcp");
    let r = run(&["call", "add", "a=20", "b=1", "--", me, "run", &url]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("\"result\": 21"), "{r:?}");

    // An MCPConfig entry served on HTTP.
    let dir = std::env::temp_dir().join(format!("fastmcp-cli-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("servers.json");
    let config = serde_json::json!({"mcpServers": {"calc": {"command": q}}});
    std::fs::write(&file, config.to_string()).unwrap();
    let served = Served::start(support::fastmcp().env_remove("FASTMCP_NO_BANNER").args([
        "run",
        &format!("{}:calc", file.display()),
        "--transport",
        "http",
        "--port",
        "0",
        "--stateless",
    ]));
    let url = format!("{}/mcp", served.http_base(30));
    let r = run(&["call", "--era", "stateless", &url, "divide", "a=1", "b=4"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("0.25"), "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
