//! The tester against a deliberately broken server: each defect is a failure of the
//! right check, with a diagnostic naming it.

mod common;

use std::time::Duration;

use fastmcp_tester::{run, Era, Options, Report, Status, Target};

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(3),
        ..Options::default()
    }
}

/// Check `id` of the handshake era failed, its diagnostic containing each of `words`.
fn assert_fails(report: &Report, id: &str, words: &[&str]) {
    let table = report.render_table();
    let c = report
        .check(Era::Handshake, id)
        .unwrap_or_else(|| panic!("no {id}\n{table}"));
    assert_eq!(c.status, Status::Fail, "{id}\n{table}");
    let d = c.diagnostic.as_deref().unwrap_or("");
    for w in words {
        assert!(d.contains(w), "{id}: {w:?} not in {d:?}");
    }
}

/// Defects every transport shows.
fn assert_common_defects(report: &Report) {
    assert!(report.failed());
    assert_fails(report, "jsonrpc.ids", &["wrong id", "ping sent with id"]);
    assert_fails(report, "tools.list", &["ListToolsResult", "inputSchema"]);
    assert_fails(
        report,
        "jsonrpc.unknown-method",
        &["-32601", "error -32000"],
    );
    let discover = report
        .check(Era::Stateless, "lifecycle.discover")
        .expect("discover");
    assert_eq!(discover.status, Status::Skip);
    assert!(report.render_table().contains("failed"));
}

#[tokio::test]
async fn broken_server_over_stdio_is_caught() {
    let target = Target::command(env!("CARGO_BIN_EXE_broken-server"), &[]);
    let report = run(target, &options()).await;
    println!("{}", report.render_table());
    assert_common_defects(&report);
    assert_fails(
        &report,
        "jsonrpc.framing",
        &["not JSON", "this line is not JSON"],
    );
}

#[tokio::test]
async fn broken_server_over_http_is_caught() {
    let server = common::start_broken_http();
    let report = run(Target::Url(server.url.clone()), &options()).await;
    println!("{}", report.render_table());
    assert_common_defects(&report);
    assert_fails(
        &report,
        "http.notification-202",
        &["HTTP 200", "202 Accepted"],
    );
}

#[tokio::test]
async fn a_missing_program_is_a_failure_not_a_panic() {
    let target = Target::command("/nonexistent/fastmcp-tester-no-server", &[]);
    let report = run(target, &options()).await;
    assert!(report.failed());
    let c = report
        .check(Era::Handshake, "lifecycle.initialize")
        .expect("initialize");
    assert!(
        c.diagnostic.as_deref().unwrap_or("").contains("could not"),
        "{c:?}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_without_hanging() {
    let target = Target::command(env!("CARGO_BIN_EXE_broken-server"), &["--silent"]);
    let opts = Options {
        timeout: Duration::from_millis(500),
        ..Options::default()
    };
    let started = std::time::Instant::now();
    let report = tokio::time::timeout(Duration::from_secs(30), run(target, &opts))
        .await
        .expect("the run is bounded");
    assert!(started.elapsed() < Duration::from_secs(10));
    let c = report
        .check(Era::Handshake, "lifecycle.initialize")
        .expect("initialize");
    assert_eq!(c.status, Status::Fail);
    assert!(
        c.diagnostic
            .as_deref()
            .unwrap_or("")
            .contains("no response within"),
        "{c:?}"
    );
    let ping = report.check(Era::Handshake, "ping").expect("ping");
    assert_eq!(ping.status, Status::Skip);
}

#[tokio::test]
async fn a_server_that_exits_is_reported_not_a_panic() {
    let target = Target::command(env!("CARGO_BIN_EXE_broken-server"), &["--exit-after-init"]);
    let opts = Options {
        timeout: Duration::from_secs(2),
        ..Options::default()
    };
    let report = tokio::time::timeout(Duration::from_secs(60), run(target, &opts))
        .await
        .expect("the run is bounded");
    println!("{}", report.render_table());
    let ping = report.check(Era::Handshake, "ping").expect("ping");
    assert_eq!(ping.status, Status::Fail);
    let d = ping.diagnostic.as_deref().unwrap_or("");
    assert!(
        d.contains("closed its stdout") || d.contains("stdin"),
        "{d}"
    );
}
