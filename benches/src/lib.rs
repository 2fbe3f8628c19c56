//! Shared pieces of the benchmark binaries: the command line every echo server accepts.
//!
//! Every server of the benchmark (ours, rmcp, pmcp, the framework-free limit, and the Python
//! and TypeScript peers in `benches/peers/`) takes the same arguments:
//!
//! ```text
//! <server> stdio [--tools N]
//! <server> http --port N [--stateful] [--tools N] [--max-sessions N]
//! ```
//!
//! and serves the same tools: `echo(message: string) -> string` (one text block with the
//! message), `slow(ms: integer) -> string` (sleeps, then answers `"slept"`),
//! `work(ms: integer) -> string` (sleeps half of `ms`, computes the other half, then answers
//! `"worked"`; see [`work`]), and with `--tools N` the extra tools `tool_0` .. `tool_{N-1}`
//! (each an echo).
//!
//! HTTP servers listen on `127.0.0.1:N` and serve Streamable HTTP at `/mcp`; without
//! `--stateful` they are stateless with JSON responses, with it they keep sessions
//! (`Mcp-Session-Id`) and answer POSTs with SSE streams.
#![warn(missing_docs)]

pub mod echo;
pub mod soak;
pub mod work;

/// A log subscriber on stderr at `WARN`: the request events of `Logging` (`INFO`) are
/// filtered out, as on a production server that logs warnings only.
pub fn quiet_logs() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Exit status of a server asked for a transport or mode it does not have.
pub const EXIT_UNSUPPORTED: i32 = 64;

/// How many tools every server has without `--tools`: `echo`, `slow` and `work`.
pub const BUILTIN_TOOLS: usize = 3;

/// The reply of the `slow` tool.
pub const SLOW_REPLY: &str = "slept";

/// How a server should run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One client on stdin/stdout.
    Stdio,
    /// Streamable HTTP on `127.0.0.1:port` at `/mcp`.
    Http {
        /// The TCP port.
        port: u16,
        /// Sessions and SSE responses (otherwise stateless with JSON responses).
        stateful: bool,
    },
}

/// The parsed command line of an echo server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerArgs {
    /// The transport.
    pub mode: Mode,
    /// How many extra echo tools (`tool_0` ..) to register.
    pub tools: usize,
    /// The most sessions at once, for servers that limit them (`--max-sessions N`; the
    /// scale scenarios of the driver open up to 100,000). Servers without a limit ignore it.
    pub max_sessions: Option<usize>,
}

impl ServerArgs {
    /// Parse `std::env::args()`; print usage and exit with status 2 when they are wrong.
    pub fn from_env() -> ServerArgs {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match Self::parse(&args) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("{e}\nusage: <server> stdio [--tools N] | http --port N [--stateful] [--tools N] [--max-sessions N]");
                std::process::exit(2);
            }
        }
    }

    /// Parse arguments (without the program name).
    pub fn parse(args: &[String]) -> Result<ServerArgs, String> {
        let mut it = args.iter();
        let transport = it.next().ok_or("missing transport")?;
        let mut port = None;
        let mut stateful = false;
        let mut tools = 0;
        let mut max_sessions = None;
        while let Some(a) = it.next() {
            match a.as_str() {
                "--port" => {
                    let v = it.next().ok_or("--port needs a value")?;
                    port = Some(v.parse::<u16>().map_err(|e| format!("--port: {e}"))?);
                }
                "--stateful" => stateful = true,
                "--tools" => {
                    let v = it.next().ok_or("--tools needs a value")?;
                    tools = v.parse().map_err(|e| format!("--tools: {e}"))?;
                }
                "--max-sessions" => {
                    let v = it.next().ok_or("--max-sessions needs a value")?;
                    let n = v.parse().map_err(|e| format!("--max-sessions: {e}"))?;
                    max_sessions = Some(n);
                }
                other => return Err(format!("unknown argument {other}")),
            }
        }
        let mode = match transport.as_str() {
            "stdio" => Mode::Stdio,
            "http" => Mode::Http {
                port: port.ok_or("http needs --port")?,
                stateful,
            },
            other => return Err(format!("unknown transport {other}")),
        };
        Ok(ServerArgs {
            mode,
            tools,
            max_sessions,
        })
    }
}

/// The name of extra tool `i`.
pub fn extra_tool_name(i: usize) -> String {
    format!("tool_{i}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_both_transports() {
        assert_eq!(
            ServerArgs::parse(&s(&["stdio", "--tools", "1000"])).unwrap(),
            ServerArgs {
                mode: Mode::Stdio,
                tools: 1000,
                max_sessions: None
            }
        );
        assert_eq!(
            ServerArgs::parse(&s(&["http", "--port", "8080", "--stateful"])).unwrap(),
            ServerArgs {
                mode: Mode::Http {
                    port: 8080,
                    stateful: true
                },
                tools: 0,
                max_sessions: None
            }
        );
        assert_eq!(
            ServerArgs::parse(&s(&["http", "--port", "1", "--max-sessions", "100000"]))
                .unwrap()
                .max_sessions,
            Some(100_000)
        );
        assert!(ServerArgs::parse(&s(&["http"])).is_err());
        assert!(ServerArgs::parse(&s(&["ws"])).is_err());
    }
}
