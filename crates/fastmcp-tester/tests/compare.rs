//! `compare`: the conformance server (A) against the broken server (B).

mod common;

use std::time::Duration;

use fastmcp_tester::{compare, Era, Options, Status, Target};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_reports_differences_and_latencies() {
    let a = common::conformance_server();
    let a = Target::command(a.to_string_lossy(), &["--stdio"]);
    let b = Target::command(env!("CARGO_BIN_EXE_broken-server"), &[]);
    let opts = Options {
        timeout: Duration::from_secs(3),
        latency_reps: 3,
        ..Options::default()
    };
    let c = compare(a, b, &opts).await;
    let table = c.render_table();
    println!("{table}");
    assert!(c.differs());
    let ids = c
        .differences
        .iter()
        .find(|d| d.era == Era::Handshake && d.id == "jsonrpc.ids")
        .expect("jsonrpc.ids differs");
    assert_eq!((ids.a, ids.b), (Some(Status::Pass), Some(Status::Fail)));
    assert!(c
        .differences
        .iter()
        .any(|d| d.era == Era::Stateless && d.b.is_none()));
    assert_eq!(c.latency.len(), 2);
    assert!(c.latency.iter().all(|l| l.a_median_ms.is_some()), "{table}");
    let json = serde_json::to_value(&c).unwrap();
    assert!(json["differences"]
        .as_array()
        .is_some_and(|d| !d.is_empty()));
    assert!(table.contains("jsonrpc.ids") && table.contains("median"));
}
