//! The clients `fastmcp install` knows, and the scopes of their configuration.

/// An MCP client whose configuration file `fastmcp install` edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Client {
    /// Claude Desktop: `claude_desktop_config.json`, key `mcpServers` (commands only).
    ClaudeDesktop,
    /// Claude Code: `~/.claude.json` (user) or `./.mcp.json` (project), key `mcpServers`.
    ClaudeCode,
    /// Cursor: `~/.cursor/mcp.json` (user) or `./.cursor/mcp.json` (project).
    Cursor,
    /// VS Code: the user profile's `mcp.json` or `./.vscode/mcp.json`, key `servers`.
    Vscode,
    /// Gemini CLI: `~/.gemini/settings.json` or `./.gemini/settings.json`.
    GeminiCli,
    /// Goose: `~/.config/goose/config.yaml`, key `extensions`.
    Goose,
    /// A plain MCPConfig file (`mcpServers`): `--config-path`, default `./mcp.json`.
    McpJson,
}

/// Whose configuration: the user's (every project) or the current directory's project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Scope {
    /// The user's configuration (the default).
    #[default]
    User,
    /// The project in the current directory (a file meant to be committed).
    Project,
}

impl Client {
    /// The name on the command line (and in messages).
    pub fn name(self) -> &'static str {
        match self {
            Client::ClaudeDesktop => "claude-desktop",
            Client::ClaudeCode => "claude-code",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::GeminiCli => "gemini-cli",
            Client::Goose => "goose",
            Client::McpJson => "mcp-json",
        }
    }

    /// The key of the JSON object holding the servers (Goose's YAML has `extensions`).
    pub fn servers_key(self) -> &'static str {
        match self {
            Client::Vscode => "servers",
            Client::Goose => "extensions",
            _ => "mcpServers",
        }
    }

    /// Whether the configuration file is YAML (else JSON).
    pub fn is_yaml(self) -> bool {
        self == Client::Goose
    }
}
