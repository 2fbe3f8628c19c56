//! The official MCP conformance suite in client mode (`@modelcontextprotocol/conformance`
//! 0.1.16, and 0.2.0-alpha.12 with `--spec-version 2025-11-25` and `2026-07-28`) against
//! `conformance-client`, through `scripts/conformance-client.sh`: every scenario, the
//! `auth/*` ones included, must pass, with no FAILURE and no WARNING check (the extension
//! scenarios are run and reported, not scored). About a minute once Node and the suites
//! are installed.
//!
//! The suite runs in a private network namespace (`unshare -n`), which needs root (as on
//! CI). `scripts/setup-node.sh` installs Node 22 and the suites into `target/node-cache`
//! on first use; that needs `npm` and the npm registry. Set `FASTMCP_SKIP_INTEROP=1` to skip
//! this test.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(600);

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate lives in the workspace")
        .to_path_buf()
}

fn skipped() -> bool {
    std::env::var_os("FASTMCP_SKIP_INTEROP").is_some_and(|v| !v.is_empty() && v != "0")
}

#[test]
fn the_official_client_suite_passes() {
    if skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the official client suite");
        return;
    }
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-client");
    let mut child = Command::new("bash")
        .arg(repo_root().join("scripts/conformance-client.sh"))
        .env(
            "CONFORMANCE_CLIENT_BIN",
            env!("CARGO_BIN_EXE_conformance-client"),
        )
        .env("CONFORMANCE_CLIENT_OUT", &out_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scripts/conformance-client.sh");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).ok();
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).ok();
        s
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for the script") {
            break Some(s);
        }
        if Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let (out, err) = (out_t.join().unwrap(), err_t.join().unwrap());
    let report = format!(
        "{out}\n{err}\n(results in {}; set FASTMCP_SKIP_INTEROP=1 to skip)",
        out_dir.display()
    );
    let status = status.unwrap_or_else(|| panic!("the suite ran over {TIMEOUT:?}:\n{report}"));
    assert!(
        status.success(),
        "the client suite failed ({status}):\n{report}"
    );
    // The script's verdict line, and every invocation with scenarios run and none failed.
    let last = out
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    assert!(
        last.starts_with("conformance-client: ") && last.ends_with(", 0 failed"),
        "unexpected last line {last:?}:\n{report}"
    );
    for run in ["0.1", "2025-11-25", "2026-07-28"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("{run}: ")))
            .unwrap_or_else(|| panic!("no summary of {run}:\n{report}"));
        assert!(
            line.contains(" 0 failed") && !line.starts_with(&format!("{run}: 0 passed")),
            "{line}\n{report}"
        );
        // The OAuth scenarios ran (and passed) too.
        assert!(
            line.contains(" of them auth/*)") && !line.contains("(0 of them auth/*)"),
            "no auth scenario passed: {line}\n{report}"
        );
    }
}
