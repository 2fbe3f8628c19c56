//! A server named on the command line: a URL, an MCPConfig file (or one of its entries) or
//! a command after `--`, resolved to an MCPConfig [`ServerEntry`] and connected with the
//! client settings of the flags.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use fastmcp::client::{AuthEntry, Client, McpConfig, Mode, ServerEntry};
use fastmcp::protocol::{ClientCapabilities, ProtocolVersion, TASKS_EXTENSION};

use crate::args::{Connect, Era};
use crate::error::{CliError, CliResult, Exit};
use crate::show::Console;

/// A server to connect to, and how to name it in messages.
pub struct Named {
    /// The URL, the command line or `file:name`.
    pub label: String,
    /// How to reach it.
    pub entry: ServerEntry,
}

/// Resolve `word` (a URL or an MCPConfig file) or the command after `--`.
pub fn resolve(word: Option<&str>, c: &Connect) -> CliResult<Named> {
    match (word, c.command.split_first()) {
        (Some(w), Some(_)) => Err(CliError::usage(format!(
            "both {w:?} and a command after -- name the server"
        ))
        .hint("give a URL or an MCPConfig file, or a command after --, not both")),
        (None, None) => Err(CliError::usage("no server named").hint(
            "give a URL (http://127.0.0.1:8000/mcp), an MCPConfig file (mcp.json:NAME) or a command after -- (-- python server.py)",
        )),
        (None, Some((program, args))) => Ok(Named {
            label: c.command.join(" "),
            entry: ServerEntry::Stdio {
                command: program.clone(),
                args: args.to_vec(),
                env: pairs(&c.env, '=', "--env", "KEY=VALUE")?,
                cwd: None,
            },
        }),
        (Some(w), None) if is_url(w) => url_entry(w, c),
        (Some(w), None) => config_entry(w),
    }
}

/// `words` as the server's word (unless a command after `--` names the server) and the
/// rest.
pub fn split_words<'a>(words: &'a [String], c: &Connect) -> (Option<&'a str>, &'a [String]) {
    match words.split_first() {
        Some((s, rest)) if c.command.is_empty() => (Some(s.as_str()), rest),
        _ => (None, words),
    }
}

/// Whether `w` is a URL of a transport we speak.
pub fn is_url(w: &str) -> bool {
    ["http://", "https://", "ws://", "wss://"]
        .iter()
        .any(|s| w.starts_with(s))
}

fn url_entry(url: &str, c: &Connect) -> CliResult<Named> {
    let transport = if url.starts_with("ws") {
        Some("ws".to_owned())
    } else if url.trim_end_matches('/').ends_with("/sse") {
        Some("sse".to_owned())
    } else {
        None
    };
    Ok(Named {
        label: url.to_owned(),
        entry: ServerEntry::Remote {
            url: url.to_owned(),
            headers: pairs(&c.headers, ':', "--header", "Name: value")?,
            transport,
            auth: c.auth.clone().map(AuthEntry::Name),
        },
    })
}

/// `file.json` (its only server) or `file.json:NAME`.
fn config_entry(word: &str) -> CliResult<Named> {
    let (file, name) = match word.rsplit_once(".json:") {
        Some((f, n)) => (format!("{f}.json"), Some(n)),
        None => (word.to_owned(), None),
    };
    if !file.ends_with(".json") {
        return Err(
            CliError::usage(format!("{word:?} is not a URL or an MCPConfig file")).hint(format!(
                "to start a program, put it after --: fastmcp ... -- {word}"
            )),
        );
    }
    if !Path::new(&file).is_file() {
        return Err(CliError::usage(format!("no MCPConfig file at {file}")));
    }
    let config = McpConfig::from_file(&file).map_err(|e| {
        CliError::usage(format!("{file}: {}", e.message()))
            .hint("an MCPConfig file is {\"mcpServers\": {\"name\": {\"command\": ...} or {\"url\": ...}}}")
    })?;
    let names = config
        .servers
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let (name, entry) = match name {
        Some(n) => config.servers.get_key_value(n).ok_or_else(|| {
            CliError::usage(format!("{file} has no server named {n:?}"))
                .hint(format!("its servers: {names}"))
        })?,
        None if config.servers.len() == 1 => config.servers.iter().next().expect("one server"),
        None => {
            return Err(
                CliError::usage(format!("{file} names {} servers", config.servers.len()))
                    .hint(format!("pick one with {file}:NAME; its servers: {names}")),
            )
        }
    };
    Ok(Named {
        label: format!("{file}:{name}"),
        entry: entry.clone(),
    })
}

/// `KEY=VALUE` (or `Name: value`) flags as a map.
fn pairs(
    items: &[String],
    sep: char,
    flag: &str,
    shape: &str,
) -> CliResult<BTreeMap<String, String>> {
    items
        .iter()
        .map(|kv| match kv.split_once(sep) {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(CliError::usage(format!("{flag} {kv:?} is not {shape}"))),
        })
        .collect()
}

/// The per-request timeout of the flags.
pub fn timeout(c: &Connect) -> CliResult<Option<Duration>> {
    match c.timeout {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 => Ok(Some(Duration::from_secs_f64(s))),
        Some(s) => Err(CliError::usage(format!(
            "--timeout {s} is not a positive number of seconds"
        ))),
    }
}

/// Connect to `named` with the settings of the flags; logs and progress go to `console`.
pub async fn connect(named: &Named, c: &Connect, console: &Console) -> CliResult<Client> {
    let mode = match c.era {
        Era::Handshake => Mode::Handshake(ProtocolVersion::LATEST_HANDSHAKE),
        Era::Stateless => Mode::Stateless(ProtocolVersion::LATEST),
        Era::Auto => Mode::Auto,
    };
    let mut builder = Client::builder()
        .info("fastmcp-cli", env!("CARGO_PKG_VERSION"))
        .mode(mode)
        .handler(console.handler());
    if c.tasks {
        builder = builder.capabilities(ClientCapabilities {
            extensions: Some([(TASKS_EXTENSION.to_owned(), Default::default())].into()),
            ..Default::default()
        });
    }
    let limit = timeout(c)?;
    if let Some(t) = limit {
        // A hard bound: progress from the server does not extend it.
        builder = builder.timeout(t).reset_timeout_on_progress(false);
    }
    let connecting = named.entry.connect(builder);
    let connected = match limit {
        Some(t) => tokio::time::timeout(t, connecting).await.map_err(|_| {
            CliError::new(
                Exit::Timeout,
                format!("{} did not answer within {t:?}", named.label),
            )
            .hint("raise --timeout, or check that the server starts")
        })?,
        None => connecting.await,
    };
    connected.map_err(|e| unreachable(named, e.message()))
}

/// The error for a server that could not be reached, with a hint for its kind.
fn unreachable(named: &Named, why: &str) -> CliError {
    let hint = match &named.entry {
        ServerEntry::Stdio { command, .. } => format!(
            "check that `{command}` starts an MCP server on stdio (run it alone: it should wait for input)"
        ),
        ServerEntry::Remote { .. } if why.contains("401") || why.contains("403") => {
            "the server wants credentials: --auth TOKEN (a bearer token), or --auth oauth to log in"
                .to_owned()
        }
        ServerEntry::Remote { url, .. } if url.starts_with("ws") => {
            "check the URL: WebSocket servers usually listen at /ws".to_owned()
        }
        ServerEntry::Remote { .. } => {
            "check the URL (Streamable HTTP usually at /mcp, legacy SSE at /sse) and that the server runs"
                .to_owned()
        }
    };
    CliError::new(
        Exit::Unreachable,
        format!("cannot connect to {}: {why}", named.label),
    )
    .hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_their_transport_and_commands_their_env() {
        let c = Connect::default();
        let n = resolve(Some("http://h/sse"), &c).unwrap();
        assert!(
            matches!(n.entry, ServerEntry::Remote { transport: Some(ref t), .. } if t == "sse")
        );
        let n = resolve(Some("ws://h/ws"), &c).unwrap();
        assert!(matches!(n.entry, ServerEntry::Remote { transport: Some(ref t), .. } if t == "ws"));
        let c = Connect {
            command: vec!["srv".into(), "-v".into()],
            env: vec!["A=1".into()],
            ..Connect::default()
        };
        let n = resolve(None, &c).unwrap();
        assert!(
            matches!(n.entry, ServerEntry::Stdio { ref args, ref env, .. } if args == &["-v"] && env["A"] == "1")
        );
        let e = resolve(Some("server.py"), &Connect::default())
            .err()
            .unwrap();
        assert_eq!(e.exit, Exit::Usage);
        assert!(e.hint.unwrap().contains("-- server.py"));
    }
}
