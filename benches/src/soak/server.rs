//! The `soak-server` process: started, killed and started again on the same port, its
//! counters read from the lines it prints.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The last `stats` line of the server now running.
pub type Stats = Arc<Mutex<BTreeMap<String, u64>>>;

/// The server process of the run.
pub struct ServerProc {
    path: PathBuf,
    pub port: u16,
    child: Option<Child>,
    pub stats: Stats,
}

impl ServerProc {
    /// Start `path --port port` and wait until it answers its first stats line.
    pub async fn start(path: PathBuf, port: u16) -> anyhow::Result<ServerProc> {
        let mut s = ServerProc {
            path,
            port,
            child: None,
            stats: Stats::default(),
        };
        s.restart().await?;
        Ok(s)
    }

    /// The server's pid (none while it is down).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// One counter of the last stats line.
    pub fn stat(&self, key: &str) -> Option<u64> {
        self.stats.lock().expect("stats lock").get(key).copied()
    }

    /// Kill the server with SIGKILL, as a crash would.
    pub async fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill().await;
        }
        self.stats.lock().expect("stats lock").clear();
    }

    /// Start the server (again): retried while the port is still held; ready once it
    /// listens and has printed its counters.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.kill().await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let mut child = Command::new(&self.path)
                .args(["--port", &self.port.to_string()])
                .stdout(Stdio::piped())
                .kill_on_drop(true)
                .spawn()?;
            let out = child.stdout.take().expect("piped stdout");
            let stats = self.stats.clone();
            tokio::spawn(async move {
                let mut lines = BufReader::new(out).lines();
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(rest) = line.strip_prefix("stats ") {
                        *stats.lock().expect("stats lock") = parse(rest);
                    }
                }
            });
            self.child = Some(child);
            if self.ready().await {
                return Ok(());
            }
            self.kill().await;
            anyhow::ensure!(Instant::now() < deadline, "soak-server did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether the server came up: it listens and has printed counters.
    async fn ready(&mut self) -> bool {
        for _ in 0..100 {
            if let Some(c) = self.child.as_mut() {
                if matches!(c.try_wait(), Ok(Some(_))) {
                    return false;
                }
            }
            let listening = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok();
            if listening && self.stat("live_tasks").is_some() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

/// `key=value` pairs.
fn parse(s: &str) -> BTreeMap<String, u64> {
    s.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
        .collect()
}
