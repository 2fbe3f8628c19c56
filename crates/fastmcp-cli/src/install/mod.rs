//! `fastmcp install`: add an MCP server to a client's configuration file (Claude Desktop,
//! Claude Code, Cursor, VS Code, Gemini CLI, Goose, or a plain MCPConfig file).
//!
//! The file is merged, never clobbered: every other key and server is kept (in its order),
//! a server of the same name is replaced only with `--force`, a file that does not parse
//! is left alone, and the new file is written atomically (temporary file, then rename).
//! `--dry-run` prints a unified diff and writes nothing.
//!
//! Locations (see [`paths`] for the table): on Linux from `$HOME` and `$XDG_CONFIG_HOME`,
//! on macOS from `$HOME` (`~/Library/Application Support` for Claude Desktop and VS Code),
//! on Windows from `%APPDATA%` (Claude Desktop, VS Code, Goose) and `%USERPROFILE%` (the
//! others).

mod client;
mod entry;
mod json_doc;
mod merge;
mod paths;
mod server;
mod write;
mod yaml_doc;

use std::path::PathBuf;

pub use client::{Client, Scope};
pub use server::Transport;

use crate::error::CliResult;
use server::{Server, ServerArgs};

const EXAMPLES: &str = "\
Examples:
  fastmcp install claude-desktop calc -- python /abs/path/server.py
  fastmcp install claude-code docs --url https://example.com/mcp --header 'Authorization: Bearer TOKEN'
  fastmcp install cursor calc --scope project --env API_KEY=secret -- uvx calc-server
  fastmcp install vscode calc --dry-run -- node server.js
  fastmcp install gemini-cli docs --url http://127.0.0.1:8000/mcp
  fastmcp install goose calc -- python server.py
  fastmcp install mcp-json calc --config-path ./servers.json -- ./target/release/calc

Files (user scope):
  claude-desktop  Linux ~/.config/Claude/claude_desktop_config.json ($XDG_CONFIG_HOME),
                  macOS ~/Library/Application Support/Claude/claude_desktop_config.json,
                  Windows %APPDATA%\\Claude\\claude_desktop_config.json
  claude-code     ~/.claude.json ($CLAUDE_CONFIG_DIR/.claude.json when set; Windows %USERPROFILE%)
  cursor          ~/.cursor/mcp.json (Windows %USERPROFILE%\\.cursor\\mcp.json)
  vscode          Linux ~/.config/Code/User/mcp.json, macOS ~/Library/Application Support/Code/User/mcp.json,
                  Windows %APPDATA%\\Code\\User\\mcp.json
  gemini-cli      ~/.gemini/settings.json (Windows %USERPROFILE%\\.gemini\\settings.json)
  goose           ~/.config/goose/config.yaml ($XDG_CONFIG_HOME; Windows %APPDATA%\\Block\\goose\\config\\config.yaml)
  mcp-json        ./mcp.json
Project scope (current directory): claude-code .mcp.json, cursor .cursor/mcp.json,
  vscode .vscode/mcp.json, gemini-cli .gemini/settings.json.";

/// The arguments of `fastmcp install`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXAMPLES)]
pub struct InstallArgs {
    /// The client whose configuration to edit.
    #[arg(value_enum)]
    pub client: Client,
    /// The server's name in that configuration.
    pub name: String,
    /// The URL of a remote server (instead of a command after `--`).
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The remote transport (default: `sse` when the URL's path ends in `/sse`, else `http`).
    #[arg(long, value_enum, requires = "url")]
    pub transport: Option<Transport>,
    /// An environment variable of the server (repeatable).
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// An HTTP header sent to a remote server (repeatable).
    #[arg(long = "header", value_name = "'NAME: VALUE'")]
    pub header: Vec<String>,
    /// Edit this file instead of the client's usual one.
    #[arg(long, value_name = "FILE")]
    pub config_path: Option<PathBuf>,
    /// The user's configuration or the current directory's project.
    #[arg(long, value_enum, default_value_t)]
    pub scope: Scope,
    /// Print the change as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace a server of the same name.
    #[arg(long)]
    pub force: bool,
    /// The command that starts the server, after `--`.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// Add the server to the client's configuration (or print the diff with `--dry-run`).
pub fn install(args: InstallArgs) -> CliResult {
    if args.name.trim().is_empty() || args.name.chars().any(char::is_control) {
        return Err(
            crate::error::CliError::usage(format!("{:?} is not a server name", args.name))
                .hint("use a short name such as `calc` or `my-server`"),
        );
    }
    let server = Server::from_args(&ServerArgs {
        url: args.url.as_deref(),
        transport: args.transport,
        command: &args.command,
        env: &args.env,
        headers: &args.header,
    })?;
    let path = match &args.config_path {
        Some(p) => p.clone(),
        None => {
            let os = paths::Os::current();
            let env = paths::Env::from_process(os)?;
            paths::config_path(args.client, args.scope, os, &env)?
        }
    };
    let path = write::resolve(&path);
    let old = write::read(&path)?;
    let merged = merge_into(&args, &server, &path, old.as_deref())?;
    let verb = if merged.replaced { "replaced" } else { "added" };
    if args.dry_run {
        print!("{}", write::diff(&path, old.as_deref(), &merged.text));
        println!(
            "dry run: would have {verb} server {:?} in {} (nothing written)",
            args.name,
            path.display()
        );
        return Ok(());
    }
    write::atomic_write(&path, &merged.text)?;
    println!(
        "wrote {}: {verb} server {:?} ({}) for {}",
        path.display(),
        args.name,
        server.summary(),
        args.client.name()
    );
    Ok(())
}

fn merge_into(
    args: &InstallArgs,
    server: &Server,
    path: &std::path::Path,
    old: Option<&str>,
) -> CliResult<merge::Merged> {
    let key = args.client.servers_key();
    if args.client.is_yaml() {
        let entry = entry::goose_entry(&args.name, server)?;
        yaml_doc::merge(path, old, key, &args.name, entry, args.force)
    } else {
        let entry = entry::json_entry(args.client, server)?;
        json_doc::merge(path, old, key, &args.name, entry, args.force)
    }
}
