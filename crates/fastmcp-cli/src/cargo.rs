//! Building a cargo project's server: cargo's own progress on stderr, and the path of the
//! binary it built.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::error::{CliError, CliResult, Exit};

/// The manifest of a project given as a directory or its `Cargo.toml`, if it is one.
pub fn manifest(path: &Path) -> Option<PathBuf> {
    if path.is_dir() && path.join("Cargo.toml").is_file() {
        return Some(path.join("Cargo.toml"));
    }
    (path.file_name().is_some_and(|n| n == "Cargo.toml") && path.is_file())
        .then(|| path.to_path_buf())
}

/// `cargo build` of the project (cargo prints its progress on stderr): the binary it built
/// (`bin` names it when there are several) and how long the build took.
pub fn build(manifest: &Path, bin: Option<&str>) -> CliResult<(PathBuf, Duration)> {
    let started = Instant::now();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--message-format=json-render-diagnostics");
    if let Some(b) = bin {
        cmd.args(["--bin", b]);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| {
            CliError::new(Exit::Build, format!("cannot run {cargo}: {e}"))
                .hint("install Rust with rustup (https://rustup.rs), or set CARGO")
        })?;
    if !out.status.success() {
        return Err(CliError::new(
            Exit::Build,
            format!("cargo build of {} failed", manifest.display()),
        )
        .hint("the compiler's messages are above"));
    }
    let built = executables(&String::from_utf8_lossy(&out.stdout), manifest);
    match (built.as_slice(), bin) {
        ([one], _) => Ok((one.clone(), started.elapsed())),
        ([], _) => Err(
            CliError::usage(format!("{} builds no binary", manifest.display()))
                .hint("a server project has a src/main.rs (fastmcp new makes one)"),
        ),
        (many, None) => Err(CliError::usage(format!(
            "{} builds {} binaries",
            manifest.display(),
            many.len()
        ))
        .hint(format!(
            "pick one with --bin: {}",
            many.iter()
                .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        (many, Some(b)) => many
            .iter()
            .find(|p| p.file_stem().is_some_and(|s| s == b))
            .map(|p| (p.clone(), started.elapsed()))
            .ok_or_else(|| CliError::usage(format!("no binary named {b}"))),
    }
}

/// The executables of the project's own package in cargo's JSON messages.
fn executables(messages: &str, manifest: &Path) -> Vec<PathBuf> {
    let want = std::fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
    let mut out: Vec<PathBuf> = messages
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| {
            m["manifest_path"]
                .as_str()
                .is_some_and(|p| std::fs::canonicalize(p).ok().as_ref() == Some(&want))
        })
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .collect();
    out.sort();
    out.dedup();
    out
}
