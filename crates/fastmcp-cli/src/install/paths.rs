//! Where each client keeps its configuration, computed from the environment (so that tests
//! can use a temporary `HOME`).
//!
//! | client | Linux | macOS | Windows |
//! |---|---|---|---|
//! | claude-desktop | `$XDG_CONFIG_HOME/Claude/claude_desktop_config.json` (`~/.config`) | `~/Library/Application Support/Claude/claude_desktop_config.json` | `%APPDATA%\Claude\claude_desktop_config.json` |
//! | claude-code (user) | `~/.claude.json` (`$CLAUDE_CONFIG_DIR/.claude.json` when set) | same | `%USERPROFILE%\.claude.json` |
//! | cursor (user) | `~/.cursor/mcp.json` | same | `%USERPROFILE%\.cursor\mcp.json` |
//! | vscode (user) | `$XDG_CONFIG_HOME/Code/User/mcp.json` | `~/Library/Application Support/Code/User/mcp.json` | `%APPDATA%\Code\User\mcp.json` |
//! | gemini-cli (user) | `~/.gemini/settings.json` | same | `%USERPROFILE%\.gemini\settings.json` |
//! | goose | `$XDG_CONFIG_HOME/goose/config.yaml` | same (`~/.config`) | `%APPDATA%\Block\goose\config\config.yaml` |
//!
//! Project scope (the current directory): claude-code `.mcp.json`, cursor
//! `.cursor/mcp.json`, vscode `.vscode/mcp.json`, gemini-cli `.gemini/settings.json`.
//! mcp-json: `./mcp.json` unless `--config-path`.

use std::path::PathBuf;

use super::client::{Client, Scope};
use crate::error::{CliError, CliResult};

/// The operating system whose conventions apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Linux and other Unix-likes (XDG).
    Linux,
    /// macOS.
    Mac,
    /// Windows.
    Windows,
}

impl Os {
    /// The system this binary runs on.
    pub fn current() -> Os {
        if cfg!(windows) {
            Os::Windows
        } else if cfg!(target_os = "macos") {
            Os::Mac
        } else {
            Os::Linux
        }
    }
}

/// The environment variables the locations depend on.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `$HOME` (on Windows `%USERPROFILE%`).
    pub home: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (used only when absolute, as the XDG spec says).
    pub xdg_config_home: Option<PathBuf>,
    /// `%APPDATA%` (Windows).
    pub appdata: Option<PathBuf>,
    /// `$CLAUDE_CONFIG_DIR` (Claude Code keeps `.claude.json` there when set).
    pub claude_config_dir: Option<PathBuf>,
    /// The current directory (for project scope).
    pub cwd: PathBuf,
}

impl Env {
    /// The environment of this process.
    pub fn from_process(os: Os) -> CliResult<Env> {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        let home = if os == Os::Windows {
            var("USERPROFILE").or_else(|| var("HOME"))
        } else {
            var("HOME")
        };
        Ok(Env {
            home,
            xdg_config_home: var("XDG_CONFIG_HOME").filter(|p| p.is_absolute()),
            appdata: var("APPDATA"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
            cwd: std::env::current_dir()?,
        })
    }

    fn home(&self) -> CliResult<PathBuf> {
        self.home.clone().ok_or_else(|| {
            CliError::usage("the home directory is unknown (HOME is not set)")
                .hint("set HOME, or give the file with --config-path FILE")
        })
    }

    fn appdata(&self) -> CliResult<PathBuf> {
        self.appdata.clone().ok_or_else(|| {
            CliError::usage("%APPDATA% is not set").hint("give the file with --config-path FILE")
        })
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    fn xdg_config(&self) -> CliResult<PathBuf> {
        match &self.xdg_config_home {
            Some(p) => Ok(p.clone()),
            None => Ok(self.home()?.join(".config")),
        }
    }

    /// The per-user application data directory of Electron apps (Claude Desktop, VS Code).
    fn app_data(&self, os: Os) -> CliResult<PathBuf> {
        match os {
            Os::Linux => self.xdg_config(),
            Os::Mac => Ok(self.home()?.join("Library/Application Support")),
            Os::Windows => self.appdata(),
        }
    }
}

/// The configuration file of `client` for `scope`.
pub fn config_path(client: Client, scope: Scope, os: Os, env: &Env) -> CliResult<PathBuf> {
    if scope == Scope::Project {
        return project_path(client, env);
    }
    Ok(match client {
        Client::ClaudeDesktop => env.app_data(os)?.join("Claude/claude_desktop_config.json"),
        Client::ClaudeCode => match &env.claude_config_dir {
            Some(dir) => dir.join(".claude.json"),
            None => env.home()?.join(".claude.json"),
        },
        Client::Cursor => env.home()?.join(".cursor/mcp.json"),
        Client::Vscode => env.app_data(os)?.join("Code/User/mcp.json"),
        Client::GeminiCli => env.home()?.join(".gemini/settings.json"),
        Client::Goose => match os {
            Os::Windows => env.appdata()?.join("Block/goose/config/config.yaml"),
            _ => env.xdg_config()?.join("goose/config.yaml"),
        },
        Client::McpJson => env.cwd.join("mcp.json"),
    })
}

fn project_path(client: Client, env: &Env) -> CliResult<PathBuf> {
    let rel = match client {
        Client::ClaudeCode => ".mcp.json",
        Client::Cursor => ".cursor/mcp.json",
        Client::Vscode => ".vscode/mcp.json",
        Client::GeminiCli => ".gemini/settings.json",
        Client::McpJson => "mcp.json",
        Client::ClaudeDesktop | Client::Goose => {
            return Err(CliError::usage(format!(
                "{} has no project configuration, only the user's",
                client.name()
            ))
            .hint("drop --scope project (or give a file with --config-path FILE)"))
        }
    };
    Ok(env.cwd.join(rel))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn env() -> Env {
        Env {
            home: Some("/h".into()),
            cwd: "/p".into(),
            appdata: Some("/a".into()),
            ..Env::default()
        }
    }

    fn user(client: Client, os: Os, env: &Env) -> PathBuf {
        config_path(client, Scope::User, os, env).unwrap()
    }

    #[test]
    fn linux_locations() {
        let e = env();
        let l = Os::Linux;
        let cases = [
            (
                Client::ClaudeDesktop,
                "/h/.config/Claude/claude_desktop_config.json",
            ),
            (Client::ClaudeCode, "/h/.claude.json"),
            (Client::Cursor, "/h/.cursor/mcp.json"),
            (Client::Vscode, "/h/.config/Code/User/mcp.json"),
            (Client::GeminiCli, "/h/.gemini/settings.json"),
            (Client::Goose, "/h/.config/goose/config.yaml"),
            (Client::McpJson, "/p/mcp.json"),
        ];
        for (c, p) in cases {
            assert_eq!(user(c, l, &e), Path::new(p), "{c:?}");
        }
        let x = Env {
            xdg_config_home: Some("/x".into()),
            ..env()
        };
        assert_eq!(
            user(Client::Vscode, l, &x),
            Path::new("/x/Code/User/mcp.json")
        );
        assert_eq!(
            user(Client::Goose, l, &x),
            Path::new("/x/goose/config.yaml")
        );
    }

    #[test]
    fn macos_locations() {
        let e = env();
        let m = Os::Mac;
        let support = "/h/Library/Application Support";
        assert_eq!(
            user(Client::ClaudeDesktop, m, &e),
            Path::new(support).join("Claude/claude_desktop_config.json")
        );
        assert_eq!(
            user(Client::Vscode, m, &e),
            Path::new(support).join("Code/User/mcp.json")
        );
        assert_eq!(
            user(Client::Goose, m, &e),
            Path::new("/h/.config/goose/config.yaml")
        );
        assert_eq!(
            user(Client::Cursor, m, &e),
            Path::new("/h/.cursor/mcp.json")
        );
    }

    #[test]
    fn windows_locations() {
        let e = env();
        let w = Os::Windows;
        assert_eq!(
            user(Client::ClaudeDesktop, w, &e),
            Path::new("/a/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            user(Client::Vscode, w, &e),
            Path::new("/a/Code/User/mcp.json")
        );
        assert_eq!(
            user(Client::Goose, w, &e),
            Path::new("/a/Block/goose/config/config.yaml")
        );
    }

    #[test]
    fn project_scope_and_overrides() {
        let e = env();
        let project = |c| config_path(c, Scope::Project, Os::Linux, &e);
        assert_eq!(
            project(Client::ClaudeCode).unwrap(),
            Path::new("/p/.mcp.json")
        );
        assert_eq!(
            project(Client::Cursor).unwrap(),
            Path::new("/p/.cursor/mcp.json")
        );
        assert_eq!(
            project(Client::Vscode).unwrap(),
            Path::new("/p/.vscode/mcp.json")
        );
        assert_eq!(
            project(Client::GeminiCli).unwrap(),
            Path::new("/p/.gemini/settings.json")
        );
        assert_eq!(project(Client::Goose).unwrap_err().exit as i32, 2);
        assert!(project(Client::ClaudeDesktop).is_err());
        let c = Env {
            claude_config_dir: Some("/c".into()),
            ..env()
        };
        assert_eq!(
            user(Client::ClaudeCode, Os::Linux, &c),
            Path::new("/c/.claude.json")
        );
        let no_home = Env::default();
        assert!(config_path(Client::Cursor, Scope::User, Os::Linux, &no_home).is_err());
    }
}
