//! A compliance tester for any MCP server, in any language: it speaks raw JSON-RPC over
//! stdio (a child process) or Streamable HTTP, runs a catalogue of checks per protocol
//! era (the 2025-11-25 handshake, and the 2026-07-28 stateless era when the server
//! offers it), validates every result against the negotiated version's JSON schema,
//! and reports each check as pass, fail, warn or skip with a diagnostic.
//!
//! ```no_run
//! # async fn demo() {
//! use fastmcp_tester::{run, Options, Target};
//! let target = Target::command("my-server", &["--stdio"]);
//! let report = run(target, &Options::default()).await;
//! print!("{}", report.render_table());
//! std::process::exit(if report.failed() { 1 } else { 0 });
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod args;
mod catalogue;
mod checks;
mod compare;
mod conn;
mod report;
mod run;
mod schema;
mod session;
mod target;
mod text;

pub use catalogue::{CheckInfo, CATALOGUE};
pub use compare::{compare, Comparison, Difference, Latency};
pub use report::{CheckResult, EraReport, Report, Status, Summary};
pub use run::run;
pub use target::{Era, Options, Target};

/// The protocol version of the handshake era the tester asks for.
pub const HANDSHAKE_VERSION: &str = "2025-11-25";
/// The protocol version of the stateless era.
pub const STATELESS_VERSION: &str = "2026-07-28";
