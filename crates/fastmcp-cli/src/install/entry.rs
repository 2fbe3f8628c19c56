//! One server as an entry in each client's own format.
//!
//! * Claude Desktop, Cursor, mcp-json: `{"command","args","env"}`; Cursor and mcp-json
//!   remote: `{"url","headers"}` (mcp-json adds `"transport": "sse"` for SSE).
//! * Claude Code and VS Code: the same with `"type": "stdio"`, remote
//!   `{"type": "http"|"sse", "url", "headers"}`.
//! * Gemini CLI: remote Streamable HTTP is `{"httpUrl"}`, SSE `{"url"}`, with `headers`.
//! * Goose: `{enabled, type: stdio, name, cmd, args, envs, env_keys, timeout, description}`
//!   or `type: streamable_http` with `uri` and `headers`.

use serde_json::{json, Map, Value};
use serde_yaml_ng::{Mapping, Value as Yaml};

use super::client::Client;
use super::server::{Server, Transport};
use crate::error::{CliError, CliResult};

/// Goose's default extension timeout, in seconds (what `goose configure` writes).
const GOOSE_TIMEOUT_SECS: u64 = 300;

/// The JSON entry of `server` for `client` (every client but Goose).
pub fn json_entry(client: Client, server: &Server) -> CliResult<Value> {
    match server {
        Server::Stdio { command, args, env } => {
            let mut e = Map::new();
            if matches!(client, Client::ClaudeCode | Client::Vscode) {
                e.insert("type".into(), json!("stdio"));
            }
            e.insert("command".into(), json!(command));
            e.insert("args".into(), json!(args));
            if !env.is_empty() {
                e.insert("env".into(), pairs(env));
            }
            Ok(Value::Object(e))
        }
        Server::Remote {
            url,
            transport,
            headers,
            env,
        } => {
            if !env.is_empty() {
                return Err(CliError::usage(format!(
                    "{} keeps no environment variables for a remote server",
                    client.name()
                ))
                .hint("pass credentials with --header 'Name: value' instead of --env"));
            }
            remote_entry(client, url, *transport, headers)
        }
    }
}

fn remote_entry(
    client: Client,
    url: &str,
    transport: Transport,
    headers: &[(String, String)],
) -> CliResult<Value> {
    let kind = match transport {
        Transport::Http => "http",
        Transport::Sse => "sse",
    };
    let mut e = Map::new();
    match client {
        Client::ClaudeDesktop => {
            return Err(CliError::usage(
                "Claude Desktop's config file only starts local commands, not URLs",
            )
            .hint(format!(
                "add it in Claude Desktop under Settings > Connectors, or bridge it: \
                 fastmcp install claude-desktop NAME -- npx -y mcp-remote {url}"
            )))
        }
        Client::ClaudeCode | Client::Vscode => {
            e.insert("type".into(), json!(kind));
            e.insert("url".into(), json!(url));
        }
        Client::GeminiCli => {
            let key = if transport == Transport::Http {
                "httpUrl"
            } else {
                "url"
            };
            e.insert(key.into(), json!(url));
        }
        Client::Cursor | Client::McpJson | Client::Goose => {
            e.insert("url".into(), json!(url));
            if client == Client::McpJson && transport == Transport::Sse {
                e.insert("transport".into(), json!("sse"));
            }
        }
    }
    if !headers.is_empty() {
        e.insert("headers".into(), pairs(headers));
    }
    Ok(Value::Object(e))
}

fn pairs(p: &[(String, String)]) -> Value {
    Value::Object(p.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

/// Goose's entry of `server` under `extensions:` (keyed by `name`).
pub fn goose_entry(name: &str, server: &Server) -> CliResult<Yaml> {
    let mut m = Mapping::new();
    let mut put = |k: &str, v: Yaml| {
        m.insert(Yaml::from(k), v);
    };
    put("enabled", Yaml::from(true));
    match server {
        Server::Stdio { command, args, env } => {
            put("type", Yaml::from("stdio"));
            put("name", Yaml::from(name));
            put("description", Yaml::from(""));
            put("cmd", Yaml::from(command.as_str()));
            put(
                "args",
                args.iter().map(|a| Yaml::from(a.as_str())).collect(),
            );
            put("envs", yaml_pairs(env));
        }
        Server::Remote {
            url,
            transport,
            headers,
            env,
        } => {
            if *transport == Transport::Sse {
                return Err(CliError::usage(
                    "Goose speaks Streamable HTTP to remote extensions, not legacy SSE",
                )
                .hint("give the server's Streamable HTTP URL (or --transport http)"));
            }
            put("type", Yaml::from("streamable_http"));
            put("name", Yaml::from(name));
            put("description", Yaml::from(""));
            put("uri", Yaml::from(url.as_str()));
            put("envs", yaml_pairs(env));
            put("headers", yaml_pairs(headers));
        }
    }
    put("env_keys", Yaml::Sequence(Vec::new()));
    put("timeout", Yaml::from(GOOSE_TIMEOUT_SECS));
    Ok(Yaml::Mapping(m))
}

fn yaml_pairs(p: &[(String, String)]) -> Yaml {
    Yaml::Mapping(
        p.iter()
            .map(|(k, v)| (Yaml::from(k.as_str()), Yaml::from(v.as_str())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stdio() -> Server {
        Server::Stdio {
            command: "python".into(),
            args: vec!["s.py".into()],
            env: vec![("K".into(), "v".into())],
        }
    }

    fn remote(transport: Transport) -> Server {
        Server::Remote {
            url: "https://h/mcp".into(),
            transport,
            headers: vec![("A".into(), "b".into())],
            env: vec![],
        }
    }

    #[test]
    fn stdio_entries() {
        let e = json_entry(Client::ClaudeCode, &stdio()).unwrap();
        assert_eq!(
            e,
            json!({"type": "stdio", "command": "python", "args": ["s.py"], "env": {"K": "v"}})
        );
        let e = json_entry(Client::Cursor, &stdio()).unwrap();
        assert_eq!(
            e,
            json!({"command": "python", "args": ["s.py"], "env": {"K": "v"}})
        );
    }

    #[test]
    fn remote_entries() {
        let h = Transport::Http;
        let gemini = json_entry(Client::GeminiCli, &remote(h)).unwrap();
        assert_eq!(
            gemini,
            json!({"httpUrl": "https://h/mcp", "headers": {"A": "b"}})
        );
        let sse = json_entry(Client::GeminiCli, &remote(Transport::Sse)).unwrap();
        assert_eq!(sse["url"], "https://h/mcp");
        let vscode = json_entry(Client::Vscode, &remote(h)).unwrap();
        assert_eq!(vscode["type"], "http");
        let code = json_entry(Client::ClaudeCode, &remote(Transport::Sse)).unwrap();
        assert_eq!(code["type"], "sse");
        assert!(json_entry(Client::ClaudeDesktop, &remote(h)).is_err());
    }

    #[test]
    fn goose_entries() {
        let g = goose_entry("calc", &stdio()).unwrap();
        assert_eq!(g["type"], Yaml::from("stdio"));
        assert_eq!(g["cmd"], Yaml::from("python"));
        assert_eq!(g["envs"]["K"], Yaml::from("v"));
        assert_eq!(g["timeout"], Yaml::from(300));
        let r = goose_entry("r", &remote(Transport::Http)).unwrap();
        assert_eq!(r["type"], Yaml::from("streamable_http"));
        assert_eq!(r["uri"], Yaml::from("https://h/mcp"));
        assert!(goose_entry("r", &remote(Transport::Sse)).is_err());
    }
}
