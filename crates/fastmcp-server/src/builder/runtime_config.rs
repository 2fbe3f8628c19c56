//! How the tokio runtime under a server is built: the flavour and the worker count, chosen
//! by measurement for each transport and settable by the user (or the environment).

use std::future::Future;

/// The environment variable [`RuntimeConfig::from_env`] reads: `current_thread`,
/// `multi_thread` or `multi_thread:N` (N worker threads).
pub const RUNTIME_ENV: &str = "FASTMCP_RUNTIME";

/// The tokio runtime a server runs on, for a `main` without `#[tokio::main]`.
///
/// [`RuntimeConfig::for_stdio`] and [`RuntimeConfig::for_http`] are the defaults measured
/// in `benches/RESULTS.md` ("Runtime"); [`RuntimeConfig::from_env`] lets the deployment
/// override them with `FASTMCP_RUNTIME`. A `#[tokio::main]` of your own (with its
/// `flavor` and `worker_threads`) is just as good: the server runs on any tokio runtime.
///
/// ```no_run
/// use fastmcp_server::{RuntimeConfig, Server};
///
/// fn main() -> Result<(), fastmcp_core::Error> {
///     let server = Server::new("echo", "1.0.0");
///     RuntimeConfig::for_stdio().from_env().block_on(server.run_stdio())?
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// `None`: one thread, the caller's (`current_thread`); `Some(0)`: a worker per core.
    workers: Option<usize>,
}

impl RuntimeConfig {
    /// Everything on the thread that calls [`RuntimeConfig::block_on`]: no worker threads,
    /// no wake-ups across threads. Handlers that compute for long block every other request
    /// (move such work to `tokio::task::spawn_blocking`).
    pub fn current_thread() -> RuntimeConfig {
        RuntimeConfig { workers: None }
    }

    /// Tokio's work-stealing runtime with one worker per core (or `TOKIO_WORKER_THREADS`).
    pub fn multi_thread() -> RuntimeConfig {
        RuntimeConfig { workers: Some(0) }
    }

    /// The work-stealing runtime with `n` worker threads (at least one).
    pub fn worker_threads(self, n: usize) -> RuntimeConfig {
        RuntimeConfig {
            workers: Some(n.max(1)),
        }
    }

    /// The runtime measured best for one stdio client: see `benches/RESULTS.md`.
    pub fn for_stdio() -> RuntimeConfig {
        RuntimeConfig::multi_thread()
    }

    /// The runtime measured best for an HTTP server: a worker per core.
    pub fn for_http() -> RuntimeConfig {
        RuntimeConfig::multi_thread()
    }

    /// This configuration, unless `FASTMCP_RUNTIME` says otherwise (`current_thread`,
    /// `multi_thread` or `multi_thread:N`). A value it cannot read is reported on stderr
    /// and ignored.
    pub fn from_env(self) -> RuntimeConfig {
        match std::env::var(RUNTIME_ENV) {
            Ok(v) => RuntimeConfig::parse(&v).unwrap_or_else(|e| {
                eprintln!("{RUNTIME_ENV}: {e}; using {self:?}");
                self
            }),
            Err(_) => self,
        }
    }

    /// Read `current_thread`, `multi_thread` or `multi_thread:N`.
    ///
    /// ```
    /// use fastmcp_server::RuntimeConfig;
    /// assert_eq!(RuntimeConfig::parse("current_thread"), Ok(RuntimeConfig::current_thread()));
    /// assert_eq!(
    ///     RuntimeConfig::parse("multi_thread:3"),
    ///     Ok(RuntimeConfig::multi_thread().worker_threads(3))
    /// );
    /// assert!(RuntimeConfig::parse("multi_thread:0").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<RuntimeConfig, String> {
        let s = s.trim();
        match s.split_once(':') {
            None if s == "current_thread" => Ok(RuntimeConfig::current_thread()),
            None if s == "multi_thread" => Ok(RuntimeConfig::multi_thread()),
            Some(("multi_thread", n)) => match n.trim().parse::<usize>() {
                Ok(n) if n > 0 => Ok(RuntimeConfig::multi_thread().worker_threads(n)),
                _ => Err(format!("{n:?} is not a worker count (1 or more)")),
            },
            _ => Err(format!(
                "{s:?} is not current_thread, multi_thread or multi_thread:N"
            )),
        }
    }

    /// Worker threads this configuration asks for: `None` for `current_thread`, `Some(0)`
    /// for one per core.
    pub fn workers(&self) -> Option<usize> {
        self.workers
    }

    /// Build the runtime (I/O and timers enabled).
    pub fn build(&self) -> std::io::Result<tokio::runtime::Runtime> {
        let mut b = match self.workers {
            None => tokio::runtime::Builder::new_current_thread(),
            Some(n) => {
                let mut b = tokio::runtime::Builder::new_multi_thread();
                if n > 0 {
                    b.worker_threads(n);
                }
                b
            }
        };
        b.enable_all().build()
    }

    /// Build the runtime and run `fut` on it to the end, on one of its workers (with
    /// `multi_thread`) or on the calling thread (with `current_thread`). On a worker, the
    /// thread that waits for I/O is the one that runs the server: no wake-up crosses
    /// threads between reading a request and answering it (a `#[tokio::main]` runs its
    /// body on the calling thread instead, which costs a wake-up per request). Fails only
    /// when the runtime cannot be built (the operating system refused a thread or an I/O
    /// driver); a panic of `fut` is resumed on the calling thread.
    pub fn block_on<F>(&self, fut: F) -> std::io::Result<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let rt = self.build()?;
        if self.workers.is_none() {
            return Ok(rt.block_on(fut));
        }
        let task = rt.spawn(fut);
        joined(rt.block_on(task)).map_err(std::io::Error::other)
    }
}

/// A spawned task's outcome, its panic resumed on the thread that waited for it; the
/// error left is a cancellation (the runtime shut down under the task).
pub(crate) fn joined<T>(r: Result<T, tokio::task::JoinError>) -> Result<T, tokio::task::JoinError> {
    r.map_err(|e| match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_flavour_runs_a_future_on_the_runtime_it_names() {
        let on = |c: RuntimeConfig| {
            c.block_on(async { tokio::runtime::Handle::current().runtime_flavor() })
                .unwrap()
        };
        // On a worker of a multi-thread runtime, on the calling thread of a current one.
        let caller = std::thread::current().id();
        let ran_on = |c: RuntimeConfig| c.block_on(async { std::thread::current().id() }).unwrap();
        assert_ne!(ran_on(RuntimeConfig::multi_thread()), caller);
        assert_eq!(ran_on(RuntimeConfig::current_thread()), caller);
        use tokio::runtime::RuntimeFlavor::*;
        assert_eq!(on(RuntimeConfig::current_thread()), CurrentThread);
        assert_eq!(on(RuntimeConfig::multi_thread()), MultiThread);
        let workers = RuntimeConfig::multi_thread()
            .worker_threads(3)
            .block_on(async { tokio::runtime::Handle::current().metrics().num_workers() })
            .unwrap();
        assert_eq!(workers, 3);
    }

    #[test]
    #[should_panic(expected = "the server's own panic")]
    fn a_panic_on_a_worker_reaches_the_caller() {
        let _ = RuntimeConfig::multi_thread().block_on(async { panic!("the server's own panic") });
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        for bad in [
            "",
            "multi",
            "multi_thread:",
            "multi_thread:x",
            "current_thread:2",
        ] {
            let e = RuntimeConfig::parse(bad).unwrap_err();
            assert!(e.contains("not"), "{bad}: {e}");
        }
        assert_eq!(
            RuntimeConfig::parse(" multi_thread "),
            Ok(RuntimeConfig::multi_thread())
        );
    }
}
