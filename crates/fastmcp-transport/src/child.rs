//! The child-process transport (client side): spawn a server and speak to it over its
//! stdin and stdout.

mod stderr;
mod terminate;

pub use stderr::DEFAULT_STDERR_LINE_LIMIT;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::PoisonError;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::channel::Channel;
use crate::lines::{line_channel, LineOptions};

/// What to do with the child's stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StderrMode {
    /// Keep the last 1000 lines in memory (readable with [`ChildProcess::stderr_lines`]),
    /// each cut at [`ChildTransport::stderr_line_limit`], and log them at debug level. The
    /// pipe is always drained, so the child never blocks on it.
    #[default]
    Capture,
    /// Let the child write to this process's stderr.
    Inherit,
    /// Discard.
    Null,
}

/// How to start a server as a child process.
///
/// ```no_run
/// # async fn f() -> std::io::Result<()> {
/// use fastmcp_transport::ChildTransport;
/// let (channel, child) = ChildTransport::new("my-server").arg("--stdio").env("LOG", "1").spawn()?;
/// # drop(channel); child.shutdown().await; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ChildTransport {
    program: OsString,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    cwd: Option<PathBuf>,
    stderr: StderrMode,
    grace: Duration,
    opts: LineOptions,
    stderr_line_limit: usize,
}

impl ChildTransport {
    /// A transport that runs `program`.
    pub fn new(program: impl Into<OsString>) -> Self {
        ChildTransport {
            program: program.into(),
            args: vec![],
            env: vec![],
            cwd: None,
            stderr: StderrMode::default(),
            grace: Duration::from_secs(2),
            opts: LineOptions::default(),
            stderr_line_limit: DEFAULT_STDERR_LINE_LIMIT,
        }
    }

    /// Add an argument.
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Add arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Set an environment variable of the child.
    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Set the working directory.
    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }

    /// What to do with stderr.
    pub fn stderr(mut self, mode: StderrMode) -> Self {
        self.stderr = mode;
        self
    }

    /// The longest stderr line kept with [`StderrMode::Capture`], in bytes (default
    /// [`DEFAULT_STDERR_LINE_LIMIT`], 4 KiB): a longer line keeps its first `n` bytes
    /// followed by ` [... truncated, N bytes in all]`, the rest is read and discarded.
    /// With the last 1000 lines kept, the capture holds at most about 1000 × `n` bytes.
    ///
    /// ```
    /// use fastmcp_transport::ChildTransport;
    /// let t = ChildTransport::new("my-server").stderr_line_limit(16 * 1024);
    /// # drop(t);
    /// ```
    pub fn stderr_line_limit(mut self, n: usize) -> Self {
        self.stderr_line_limit = n;
        self
    }

    /// How long to wait after closing stdin, and again after SIGTERM (Unix), before
    /// escalating.
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Line options (message size limit).
    pub fn line_options(mut self, opts: LineOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Start the child.
    pub fn spawn(&self) -> std::io::Result<(Channel, ChildProcess)> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(match self.stderr {
                StderrMode::Capture => Stdio::piped(),
                StderrMode::Inherit => Stdio::inherit(),
                StderrMode::Null => Stdio::null(),
            })
            .kill_on_drop(true);
        if let Some(d) = &self.cwd {
            cmd.current_dir(d);
        }
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = stderr::Lines::default();
        if let Some(err) = child.stderr.take() {
            tokio::spawn(stderr::capture(err, lines.clone(), self.stderr_line_limit));
        }
        let channel = line_channel(stdout, stdin, self.opts);
        Ok((
            channel,
            ChildProcess {
                child,
                stderr: lines,
                grace: self.grace,
            },
        ))
    }
}

/// A running child server. Dropping it kills the child (SIGKILL); [`ChildProcess::shutdown`]
/// stops it gently: stdin closed (by dropping the channel), then SIGTERM, then SIGKILL. On
/// Windows, which has no SIGTERM, the child is killed once the first grace period is over.
#[derive(Debug)]
pub struct ChildProcess {
    child: Child,
    stderr: stderr::Lines,
    grace: Duration,
}

impl ChildProcess {
    /// The process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// The last lines the child wrote to stderr (with [`StderrMode::Capture`]).
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }

    /// Stop the child and reap it. Drop the [`Channel`] first so its stdin closes: a
    /// well-behaved server exits on EOF. After the grace period it gets SIGTERM, and after
    /// another, SIGKILL (on Windows it is killed after the first).
    pub async fn shutdown(mut self) -> std::io::Result<ExitStatus> {
        if let Ok(s) = tokio::time::timeout(self.grace, self.child.wait()).await {
            return s;
        }
        if terminate::request_exit(&self.child) {
            if let Ok(s) = tokio::time::timeout(self.grace, self.child.wait()).await {
                return s;
            }
        }
        self.child.start_kill()?;
        self.child.wait().await
    }
}
