//! The tester's verdicts agree with the official conformance suite's
//! (`@modelcontextprotocol/conformance`, from npm) on the scenarios both cover, against a
//! server that passes (our conformance server) and one that does not (the broken fixture),
//! both over Streamable HTTP on 127.0.0.1. A check the tester skips (the server does not
//! declare the capability) is not compared.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use fastmcp_tester::{run, Era, Options, Status, Target};

/// Scenario of the official suite, and the tester's check for the same requirement.
const PAIRS: &[(&str, &str)] = &[
    ("server-initialize", "lifecycle.initialize"),
    ("ping", "ping"),
    ("tools-list", "tools.list"),
    ("logging-set-level", "logging.setLevel"),
    ("resources-list", "resources.list"),
    ("prompts-list", "prompts.list"),
    ("completion-complete", "completion.complete"),
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Node 22 and the suite, from scripts/setup-node.sh: (node, the suite's entry point).
fn suite() -> (PathBuf, PathBuf) {
    let out = Command::new(repo().join("scripts/setup-node.sh"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "scripts/setup-node.sh failed");
    let bin = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim().to_owned());
    let cache = bin.parent().unwrap().parent().unwrap().to_path_buf();
    (
        bin.join("node"),
        cache.join("node_modules/conformance-0.1/dist/index.js"),
    )
}

/// Whether the suite's scenario passes against `url` (a run past 20 s fails: the suite's
/// client waits forever for a response that carries the wrong id).
fn suite_passes(node: &Path, cli: &Path, url: &str, scenario: &str) -> bool {
    let dir = std::env::temp_dir().join(format!(
        "fastmcp-tester-suite-{}-{scenario}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(node)
        .arg(cli)
        .args(["server", "--url", url, "--scenario", scenario, "-o"])
        .arg(dir.join("results"))
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let passed = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = std::fs::remove_dir_all(&dir);
    passed
}

/// Compare the verdicts on `url`; the number of (compared, failed) pairs.
async fn compare(url: &str, node: &Path, cli: &Path) -> (usize, usize) {
    let opts = Options {
        eras: vec![Era::Handshake],
        timeout: Duration::from_secs(5),
        ..Options::default()
    };
    let report = run(Target::Url(url.to_owned()), &opts).await;
    let (mut compared, mut failed) = (0, 0);
    for (scenario, check) in PAIRS {
        let ours = report.check(Era::Handshake, check).unwrap().status;
        if ours == Status::Skip {
            continue;
        }
        let theirs = suite_passes(node, cli, url, scenario);
        assert_eq!(
            theirs,
            ours == Status::Pass,
            "{url}: the suite's {scenario} {} but the tester's {check} is {ours:?}\n{}",
            if theirs { "passes" } else { "fails" },
            report.render_table()
        );
        compared += 1;
        failed += usize::from(!theirs);
    }
    (compared, failed)
}

#[tokio::test(flavor = "multi_thread")]
async fn verdicts_agree_with_the_official_suite() {
    let (node, cli) = suite();
    let good = common::start_conformance_http();
    let (compared, failed) = compare(&good.url, &node, &cli).await;
    assert_eq!(
        (compared, failed),
        (PAIRS.len(), 0),
        "every scenario applies and passes"
    );
    let broken = common::start_broken_http();
    let (compared, failed) = compare(&broken.url, &node, &cli).await;
    assert!(
        compared >= 3 && failed >= 2,
        "compared {compared}, failed {failed}"
    );
}
