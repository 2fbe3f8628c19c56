//! Server processes: spawning, stopping, their CPU time and memory from `/proc`, and what
//! their logs say when they fail.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use tokio::process::{Child, Command};

use crate::cli::Impl;
use crate::outcome::Cell2;

pub const EXIT_UNSUPPORTED: i32 = fastmcp_bench::EXIT_UNSUPPORTED;

/// Fields of `/proc/<pid>/status` in KiB (`VmHWM:`, `VmRSS:`, `RssAnon:`), in order.
fn status_kib<const N: usize>(pid: u32, names: [&str; N]) -> Option<[u64; N]> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let mut out = [0; N];
    for (o, name) in out.iter_mut().zip(names) {
        *o = field(name)?;
    }
    Some(out)
}

/// (VmHWM, VmRSS) in KiB.
fn memory_kib(pid: u32) -> Option<(u64, u64)> {
    status_kib(pid, ["VmHWM:", "VmRSS:"]).map(|[hwm, rss]| (hwm, rss))
}

/// CPU time of a process in nanoseconds: the sum over its threads of the time on CPU from
/// `/proc/<pid>/task/<tid>/schedstat` (nanosecond resolution). Threads that end during a
/// measurement take their time with them, so this can undercount for servers that start and
/// stop threads per request; `/proc/<pid>/stat` (which keeps it, at 10 ms resolution) is the
/// fallback when schedstat is missing.
fn cpu_ns(pid: u32) -> Option<u64> {
    let mut total = 0u64;
    let mut any = false;
    if let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in tasks.flatten() {
            if let Ok(s) = std::fs::read_to_string(t.path().join("schedstat")) {
                if let Some(ns) = s
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    total += ns;
                    any = true;
                }
            }
        }
    }
    if any {
        return Some(total);
    }
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of proc_pid_stat(5); `rest` starts at field 3.
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(ticks * 10_000_000) // USER_HZ is 100 on Linux
}

/// CPU µs per operation between two `cpu_ns` readings.
pub fn cpu_per_op(before: Option<u64>, after: Option<u64>, ops: usize) -> Option<f64> {
    let (b, a) = (before?, after?);
    (ops > 0).then(|| a.saturating_sub(b) as f64 / 1_000.0 / ops as f64)
}

pub struct Server {
    pub child: Child,
    pid: u32,
    log: PathBuf,
}

impl Server {
    pub fn spawn(imp: &Impl, args: &[String], stdio: bool, log: &Path) -> anyhow::Result<Server> {
        let file = std::fs::File::create(log).with_context(|| format!("creating {log:?}"))?;
        let mut cmd = Command::new(&imp.cmd[0]);
        cmd.args(&imp.cmd[1..])
            .args(args)
            .stderr(file.try_clone()?)
            .kill_on_drop(true);
        if stdio {
            cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
        } else {
            cmd.stdin(Stdio::null()).stdout(file);
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("spawning {}", imp.cmd.join(" ")))?;
        let pid = child.id().ok_or_else(|| anyhow!("no pid"))?;
        Ok(Server {
            child,
            pid,
            log: log.to_owned(),
        })
    }

    /// (VmHWM, VmRSS) in KiB.
    pub fn memory(&self) -> Option<(u64, u64)> {
        memory_kib(self.pid)
    }

    /// The private part of the RSS in KiB (`RssAnon`): memory of the process's own, not the
    /// pages of the files it maps. Those (the binary's code) count in VmRSS as the kernel
    /// maps them, a 64 KiB window around each page touched when the file is in the page
    /// cache: the same binary shows up to 1.5 MiB more or less of them after a copy.
    pub fn private_memory(&self) -> Option<u64> {
        status_kib(self.pid, ["RssAnon:"]).map(|[anon]| anon)
    }

    /// CPU time so far, in nanoseconds.
    pub fn cpu(&self) -> Option<u64> {
        cpu_ns(self.pid)
    }

    /// Turn an error into the cell to show, looking at how the server ended.
    pub async fn explain(&mut self, e: anyhow::Error) -> Cell2 {
        let status = tokio::time::timeout(Duration::from_millis(500), self.child.wait()).await;
        if let Ok(Ok(st)) = status {
            if st.code() == Some(EXIT_UNSUPPORTED) {
                return Cell2::Unsupported(log_tail(&self.log));
            }
            return Cell2::Failed(format!(
                "{e:#}; server exited ({st}); {}",
                log_tail(&self.log)
            ));
        }
        Cell2::Failed(format!("{e:#}; {}", log_tail(&self.log)))
    }

    /// `explain` the error, then stop the server.
    pub async fn fail(mut self, e: anyhow::Error) -> Cell2 {
        let cell = self.explain(e).await;
        self.stop().await;
        cell
    }

    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// The last two non-empty lines of a server's log (at most 300 characters), and its path.
pub fn log_tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = lines[lines.len().saturating_sub(2)..].join(" | ");
    let tail: String = tail.chars().take(300).collect();
    format!("log {}: {tail}", log.display())
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
