//! The tester against our own conformance server, over HTTP and over stdio: every
//! check passes or is skipped.

mod common;

use fastmcp_tester::{run, Era, Options, Report, Status, Target, CATALOGUE};

/// Checks allowed to warn against the conformance server, and why.
const ALLOWED_WARNINGS: &[(&str, &str)] = &[];

fn assert_clean(report: &Report) {
    let table = report.render_table();
    println!("{table}");
    for e in &report.eras {
        for c in &e.checks {
            let allowed = ALLOWED_WARNINGS.iter().any(|(id, _)| *id == c.id);
            assert!(
                c.status == Status::Pass
                    || c.status == Status::Skip
                    || (c.status == Status::Warn && allowed),
                "{:?} {}: {:?}\n{table}",
                e.era,
                c.id,
                c.status
            );
        }
    }
    assert!(
        report.eras.iter().all(|e| e.protocol_version.is_some()),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_server_over_http_passes() {
    let server = common::start_conformance_http();
    let report = run(Target::Url(server.url.clone()), &Options::default()).await;
    assert_clean(&report);
    assert_eq!(
        report
            .check(Era::Handshake, "http.delete-session")
            .map(|c| c.status),
        Some(Status::Pass)
    );
    let ran: Vec<&str> = report.eras[0]
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let listed: Vec<&str> = CATALOGUE
        .iter()
        .map(|c| c.id)
        .filter(|id| *id != "lifecycle.discover")
        .collect();
    assert_eq!(ran, listed, "the handshake era runs the catalogue in order");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["eras"][0]["era"], "handshake");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_server_over_stdio_passes() {
    let bin = common::conformance_server();
    let target = Target::command(bin.to_string_lossy(), &["--stdio"]);
    let report = run(target, &Options::default()).await;
    assert_clean(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickstart_over_stdio_passes() {
    let bin = common::workspace_bin("examples", "quickstart");
    let opts = Options {
        eras: vec![Era::Handshake],
        ..Options::default()
    };
    let report = run(Target::command(bin.to_string_lossy(), &[]), &opts).await;
    let table = report.render_table();
    println!("{table}");
    for c in report.all() {
        assert!(
            matches!(c.status, Status::Pass | Status::Skip),
            "{}\n{table}",
            c.id
        );
    }
    let called = report.check(Era::Handshake, "tools.call.valid").unwrap();
    assert_eq!(called.status, Status::Pass, "{table}");
}
