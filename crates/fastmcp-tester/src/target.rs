//! What to test ([`Target`]) and how ([`Options`]).

use std::time::Duration;

use serde::Serialize;

/// The server under test: a command speaking stdio, or a Streamable HTTP endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A program started once per connection; newline-delimited JSON-RPC on its
    /// stdin/stdout. Its stderr is kept (the tail) for diagnostics.
    Command {
        /// The program to run.
        program: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables.
        env: Vec<(String, String)>,
    },
    /// A Streamable HTTP endpoint, e.g. `http://127.0.0.1:8000/mcp`.
    Url(String),
}

impl Target {
    /// A command without extra environment.
    pub fn command(program: impl Into<String>, args: &[&str]) -> Self {
        Target::Command {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: Vec::new(),
        }
    }

    /// Whether this is an HTTP target.
    pub fn is_http(&self) -> bool {
        matches!(self, Target::Url(_))
    }

    /// A one-line description (the command line or the URL).
    pub fn describe(&self) -> String {
        match self {
            Target::Command { program, args, .. } => {
                let mut s = program.clone();
                for a in args {
                    s.push(' ');
                    s.push_str(a);
                }
                s
            }
            Target::Url(u) => u.clone(),
        }
    }
}

/// A protocol era: the checks run once per era the server offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    /// `initialize` + `notifications/initialized` (protocol version 2025-11-25).
    Handshake,
    /// No handshake: `server/discover`, `_meta` on every request (2026-07-28).
    Stateless,
}

impl Era {
    /// The protocol version the tester asks for in this era.
    pub fn version(self) -> &'static str {
        match self {
            Era::Handshake => crate::HANDSHAKE_VERSION,
            Era::Stateless => crate::STATELESS_VERSION,
        }
    }

    /// A label for tables: the era and its version.
    pub fn label(self) -> &'static str {
        match self {
            Era::Handshake => "handshake era (2025-11-25)",
            Era::Stateless => "stateless era (2026-07-28)",
        }
    }
}

/// How to test.
#[derive(Debug, Clone)]
pub struct Options {
    /// The bound of every wait (one request, one connection, one process start).
    pub timeout: Duration,
    /// The eras to try, in order. The stateless era runs only when `server/discover`
    /// answers.
    pub eras: Vec<Era>,
    /// Whether to run the `http.*` checks (HTTP targets only).
    pub http_checks: bool,
    /// How many tools to call, resources to read and prompts to get (at most).
    pub max_items: usize,
    /// How many pages a listing may have before the tester gives up on it.
    pub max_pages: usize,
    /// Repetitions per method when measuring latency ([`crate::compare`]).
    pub latency_reps: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            eras: vec![Era::Handshake, Era::Stateless],
            http_checks: true,
            max_items: 20,
            max_pages: 50,
            latency_reps: 5,
        }
    }
}
