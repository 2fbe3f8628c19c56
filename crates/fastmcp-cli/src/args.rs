//! The command line: every subcommand and its flags (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  done
  1  the server answered with an error, a tool result had isError, or a check failed
  2  the command line or a configuration file is wrong
  3  the server could not be reached (did not start, refused, failed the handshake)
  4  --timeout passed
  5  a cargo build failed

A SERVER is a URL (http(s):// for Streamable HTTP of either era, ending in /sse for
legacy HTTP+SSE, ws(s):// for WebSocket), an MCPConfig file (mcp.json, or mcp.json:NAME
for one of its servers), or a command after `--` (spoken to over stdio).";

/// Run, develop, inspect, call, install and test MCP servers written in any language.
#[derive(Parser)]
#[command(name = "fastmcp", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve a server (a command, a cargo project, an MCPConfig entry or a URL) on the
    /// transport you choose.
    #[command(after_help = "Examples:
  fastmcp run --transport http --port 8000 -- python server.py
  fastmcp run ./my-server                       # a cargo project, built first
  fastmcp run mcp.json:weather --transport ws
  fastmcp run https://example.com/mcp           # a local stdio proxy of a remote server")]
    Run(RunArgs),
    /// Rebuild and restart a cargo project's server on every source change, behind an
    /// HTTP endpoint that stays up.
    #[command(after_help = "Example:
  fastmcp dev ./my-server --port 8000
  # then: fastmcp list http://127.0.0.1:8000/mcp")]
    Dev(DevArgs),
    /// The server's info, capabilities, tools (with schemas), resources, templates and
    /// prompts.
    #[command(after_help = "Examples:
  fastmcp inspect http://127.0.0.1:8000/mcp
  fastmcp inspect --json -- npx -y @modelcontextprotocol/server-everything")]
    Inspect(InspectArgs),
    /// List the server's tools, resources, templates or prompts.
    #[command(after_help = "Examples:
  fastmcp list -- python server.py
  fastmcp list http://127.0.0.1:8000/mcp --what resources --json")]
    List(ListArgs),
    /// Call a tool with key=value arguments (converted by its input schema) or JSON.
    #[command(after_help = "Examples:
  fastmcp call http://127.0.0.1:8000/mcp add a=1 b=2
  fastmcp call add --input-json '{\"a\": 1, \"b\": 2}' -- python server.py
  fastmcp call mcp.json:notes add_note text='buy milk' --json
  fastmcp call http://127.0.0.1:8000/mcp slow_compute seconds=30 --detach")]
    Call(CallArgs),
    /// List, get and cancel the server's tasks.
    #[command(after_help = "Examples:
  ID=$(fastmcp call --era stateless http://127.0.0.1:8000/mcp slow_compute seconds=60 --detach)
  fastmcp tasks --era stateless http://127.0.0.1:8000/mcp get $ID
  fastmcp tasks --era stateless http://127.0.0.1:8000/mcp cancel $ID
  fastmcp tasks http://127.0.0.1:8000/mcp list

In the handshake era (2025-11-25) a task belongs to the session that made it, and each
fastmcp command is a session of its own: `list` shows that session's tasks (none, unless
the server shares them by identity). Stateless-era tasks (--era stateless) are reached by
id from any connection; that era has no tasks/list.")]
    Tasks(TasksArgs),
    /// Add a server to an MCP client's configuration (Claude Desktop, Claude Code, Cursor,
    /// VS Code, Gemini CLI, Goose, or an mcp.json file).
    Install(crate::install::InstallArgs),
    /// Check that a server follows the protocol: both eras, every list, calls with valid
    /// and invalid arguments, error codes, cancellation, HTTP rules; each result checked
    /// against the version's JSON schema.
    #[command(after_help = "Examples:
  fastmcp test http://127.0.0.1:8000/mcp
  fastmcp test --json -- python server.py > report.json
  fastmcp test --compare http://127.0.0.1:8000/mcp 'python server.py'

Exit code 1 when a check fails; each failure's diagnostic is printed under its row.")]
    Test(TestArgs),
    /// Make a new server project that builds and passes its own test.
    #[command(after_help = "Examples:
  fastmcp new my-server
  fastmcp new my-server --http")]
    New(NewArgs),
}

/// How to reach a server: one word (a URL or an MCPConfig file) or a command after `--`.
#[derive(Args, Clone, Default)]
pub struct Connect {
    /// The command that starts the server, after `--` (spoken to over stdio).
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
    /// For a URL: `oauth` to log in with OAuth, or a bearer token.
    #[arg(long, value_name = "oauth|TOKEN")]
    pub auth: Option<String>,
    /// For a URL: an extra HTTP header, `Name: value` (repeatable).
    #[arg(long = "header", short = 'H', value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// For a command: an environment variable, KEY=VALUE (repeatable).
    #[arg(long = "env", short = 'e', value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Speak the stateless protocol (2026-07-28) instead of the initialize handshake;
    /// `auto` asks server/discover first and falls back to the handshake.
    #[arg(long, value_enum, default_value_t = Era::Handshake)]
    pub era: Era,
    /// Give up after this many seconds (each request, whatever progress it reports; and connecting).
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<f64>,
    /// Declare the tasks extension (stateless era), for `call --task`.
    #[arg(skip)]
    pub tasks: bool,
}

/// Which protocol era the client speaks.
#[derive(Clone, Copy, Default, ValueEnum, PartialEq, Eq, Debug)]
pub enum Era {
    /// The initialize handshake (2025-11-25).
    #[default]
    Handshake,
    /// The stateless protocol (2026-07-28).
    Stateless,
    /// server/discover first, then the handshake if the server does not answer it.
    Auto,
}

#[derive(Args)]
pub struct InspectArgs {
    /// The server (see SERVER below), unless a command follows `--`.
    pub server: Option<String>,
    #[command(flatten)]
    pub connect: Connect,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Which list `fastmcp list` prints.
#[derive(Clone, Copy, Default, ValueEnum, PartialEq, Eq, Debug)]
pub enum What {
    #[default]
    Tools,
    Resources,
    Templates,
    Prompts,
}

#[derive(Args)]
pub struct ListArgs {
    /// The server, unless a command follows `--`.
    pub server: Option<String>,
    #[command(flatten)]
    pub connect: Connect,
    /// What to list.
    #[arg(long, value_enum, default_value_t = What::Tools)]
    pub what: What,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CallArgs {
    /// SERVER TOOL KEY=VALUE...: the server comes first unless a command follows `--`.
    #[arg(required = true, value_name = "SERVER|TOOL")]
    pub words: Vec<String>,
    #[command(flatten)]
    pub connect: Connect,
    /// The arguments as one JSON object (instead of KEY=VALUE).
    #[arg(long, value_name = "JSON")]
    pub input_json: Option<String>,
    /// Print the whole result as JSON.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Run the call as a task and wait for its result (status changes on stderr).
    #[arg(long)]
    pub task: bool,
    /// Run the call as a task and print its id at once (see `fastmcp tasks`).
    #[arg(long, conflicts_with = "task")]
    pub detach: bool,
}

#[derive(Args)]
pub struct TasksArgs {
    /// SERVER (unless a command follows `--`), then `list`, `get ID` or `cancel ID`.
    #[arg(required = true, value_name = "SERVER|ACTION")]
    pub words: Vec<String>,
    #[command(flatten)]
    pub connect: Connect,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// What `run` serves on.
#[derive(Clone, Copy, Default, ValueEnum, PartialEq, Eq, Debug)]
pub enum Transport {
    /// stdin and stdout.
    #[default]
    Stdio,
    /// Streamable HTTP (legacy SSE and WebSocket are served beside it).
    Http,
    /// Legacy HTTP+SSE (with Streamable HTTP and WebSocket beside it).
    Sse,
    /// WebSocket (with Streamable HTTP and legacy SSE beside it).
    Ws,
}

#[derive(Args, Clone)]
pub struct Serve {
    /// What to serve on.
    #[arg(long, value_enum, default_value_t = Transport::Stdio)]
    pub transport: Transport,
    /// The address to listen on (HTTP transports).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (HTTP transports; 0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The Streamable HTTP path.
    #[arg(long, default_value = "/mcp")]
    pub path: String,
    /// Serve Streamable HTTP without sessions (each request stands alone).
    #[arg(long)]
    pub stateless: bool,
}

#[derive(Args)]
pub struct RunArgs {
    /// A URL, an MCPConfig file (mcp.json or mcp.json:NAME) or a cargo project (a directory or its
    /// Cargo.toml), unless a command follows `--`.
    pub server: Option<String>,
    #[command(flatten)]
    pub connect: Connect,
    #[command(flatten)]
    pub serve: Serve,
    /// For a cargo project with several binaries: which one.
    #[arg(long)]
    pub bin: Option<String>,
}

#[derive(Args)]
pub struct DevArgs {
    /// The cargo project (a directory or its Cargo.toml; default: the current directory).
    #[arg(default_value = ".")]
    pub project: PathBuf,
    /// Which binary, when the project has several.
    #[arg(long)]
    pub bin: Option<String>,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port (0 picks a free one).
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
    /// The Streamable HTTP path.
    #[arg(long, default_value = "/mcp")]
    pub path: String,
}

#[derive(Args)]
pub struct NewArgs {
    /// The project's directory (its last part is the crate's name).
    pub path: PathBuf,
    /// Serve Streamable HTTP instead of stdio.
    #[arg(long)]
    pub http: bool,
    /// Depend on the fastmcp crate at this path instead of the registry (for working on
    /// fastmcp itself).
    #[arg(long, value_name = "DIR")]
    pub fastmcp_path: Option<PathBuf>,
}

/// Which eras `fastmcp test` tries.
#[derive(Clone, Copy, Default, ValueEnum, PartialEq, Eq, Debug)]
pub enum TestEras {
    /// The handshake era, then the stateless era when the server offers it.
    #[default]
    Both,
    /// The handshake era only.
    Handshake,
    /// The stateless era only.
    Stateless,
}

#[derive(Args)]
pub struct TestArgs {
    /// The server, unless a command follows `--` or --compare names two.
    pub server: Option<String>,
    #[command(flatten)]
    pub connect: Connect,
    /// Which eras to test.
    #[arg(long = "eras", value_enum, default_value_t = TestEras::Both)]
    pub eras: TestEras,
    /// Skip the HTTP checks (session handling, headers, status codes).
    #[arg(long)]
    pub no_http_checks: bool,
    /// Test two servers and show where their behaviour and latency differ (each a URL,
    /// an MCPConfig entry or a command line in quotes).
    #[arg(long, num_args = 2, value_names = ["A", "B"])]
    pub compare: Option<Vec<String>>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}
