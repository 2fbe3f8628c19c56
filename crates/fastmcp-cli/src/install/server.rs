//! What to install: a command started over stdio, or a remote URL, with its environment
//! variables or HTTP headers, parsed from the command line.

use crate::error::{CliError, CliResult};

/// How a remote server is spoken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// Streamable HTTP (the current MCP transport).
    Http,
    /// The legacy HTTP+SSE transport.
    Sse,
}

/// The server to install, independent of any client's format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Server {
    /// A command started as a child process.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment variables, in the order given.
        env: Vec<(String, String)>,
    },
    /// A server reached over HTTP.
    Remote {
        /// Its URL.
        url: String,
        /// Streamable HTTP or legacy SSE.
        transport: Transport,
        /// Extra HTTP headers, in the order given.
        headers: Vec<(String, String)>,
        /// Environment variables (only Goose keeps them for a remote server).
        env: Vec<(String, String)>,
    },
}

/// `p` as an absolute path when it names something that exists, else as given.
fn absolute(p: &str) -> String {
    std::fs::canonicalize(p)
        .map(|a| a.display().to_string())
        .unwrap_or_else(|_| p.to_owned())
}

/// The parts of the command line that say what to install.
pub struct ServerArgs<'a> {
    /// `--url`.
    pub url: Option<&'a str>,
    /// `--transport`.
    pub transport: Option<Transport>,
    /// The command after `--`.
    pub command: &'a [String],
    /// `--env KEY=VALUE`.
    pub env: &'a [String],
    /// `--header 'K: V'`.
    pub headers: &'a [String],
}

impl Server {
    /// The server described by the command line.
    pub fn from_args(a: &ServerArgs<'_>) -> CliResult<Server> {
        let env = parse_env(a.env)?;
        let headers = parse_headers(a.headers)?;
        match (a.url, a.command.split_first()) {
            (Some(_), Some(_)) => Err(CliError::usage(
                "give either --url or a command after `--`, not both",
            )
            .hint("fastmcp install cursor NAME --url https://host/mcp")),
            (None, None) => Err(
                CliError::usage("nothing to install: no --url and no command")
                    .hint("fastmcp install cursor NAME -- python server.py (or --url URL)"),
            ),
            (None, Some((command, args))) => {
                if !headers.is_empty() {
                    return Err(CliError::usage("--header is for a remote server (--url)")
                        .hint("pass settings of a local command with --env KEY=VALUE"));
                }
                if a.transport.is_some() {
                    return Err(
                        CliError::usage("--transport is for a remote server (--url)")
                            .hint("a command after `--` is always started over stdio"),
                    );
                }
                // The client starts the server from a directory of its own: a program
                // given by a relative path, and files named in its arguments, are made
                // absolute. A bare program name (python, npx) stays for its PATH.
                let program =
                    if command.contains(std::path::MAIN_SEPARATOR) || command.contains('/') {
                        absolute(command)
                    } else {
                        command.clone()
                    };
                Ok(Server::Stdio {
                    command: program,
                    args: args
                        .iter()
                        .map(|a| {
                            if !a.starts_with('-') && std::path::Path::new(a).is_file() {
                                absolute(a)
                            } else {
                                a.clone()
                            }
                        })
                        .collect(),
                    env,
                })
            }
            (Some(url), None) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(
                        CliError::usage(format!("--url {url:?} is not an http(s) URL"))
                            .hint("e.g. --url http://127.0.0.1:8000/mcp"),
                    );
                }
                let transport = a.transport.unwrap_or_else(|| infer_transport(url));
                Ok(Server::Remote {
                    url: url.to_owned(),
                    transport,
                    headers,
                    env,
                })
            }
        }
    }

    /// A short description for the final message: `command args…` or the URL.
    pub fn summary(&self) -> String {
        match self {
            Server::Stdio { command, args, .. } => {
                let mut s = command.clone();
                for a in args {
                    s.push(' ');
                    s.push_str(a);
                }
                s
            }
            Server::Remote { url, transport, .. } => match transport {
                Transport::Http => url.clone(),
                Transport::Sse => format!("{url} (SSE)"),
            },
        }
    }
}

/// SSE when the URL's path ends in `/sse` (as the project's MCPConfig does), else
/// Streamable HTTP.
fn infer_transport(url: &str) -> Transport {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    if path.trim_end_matches('/').ends_with("/sse") {
        Transport::Sse
    } else {
        Transport::Http
    }
}

/// `KEY=VALUE` pairs; a key is not empty and appears once (the last value wins).
fn parse_env(items: &[String]) -> CliResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for item in items {
        let (k, v) = item
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| {
                CliError::usage(format!("--env {item:?} is not KEY=VALUE"))
                    .hint("e.g. --env API_KEY=secret")
            })?;
        push_unique(&mut out, k.to_owned(), v.to_owned());
    }
    Ok(out)
}

/// `Name: value` pairs (HTTP header syntax).
fn parse_headers(items: &[String]) -> CliResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    for item in items {
        let (k, v) = item
            .split_once(':')
            .map(|(k, v)| (k.trim(), v.trim()))
            .filter(|(k, _)| !k.is_empty() && !k.contains(char::is_whitespace))
            .ok_or_else(|| {
                CliError::usage(format!("--header {item:?} is not 'Name: value'"))
                    .hint("e.g. --header 'Authorization: Bearer TOKEN'")
            })?;
        push_unique(&mut out, k.to_owned(), v.to_owned());
    }
    Ok(out)
}

fn push_unique(out: &mut Vec<(String, String)>, k: String, v: String) {
    match out.iter_mut().find(|(key, _)| *key == k) {
        Some(slot) => slot.1 = v,
        None => out.push((k, v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args<'a>(url: Option<&'a str>, command: &'a [String]) -> ServerArgs<'a> {
        ServerArgs {
            url,
            transport: None,
            command,
            env: &[],
            headers: &[],
        }
    }

    #[test]
    fn the_transport_is_inferred_from_the_path() {
        assert_eq!(infer_transport("http://h/sse"), Transport::Sse);
        assert_eq!(infer_transport("http://h/sse/?x=1"), Transport::Sse);
        assert_eq!(infer_transport("http://h/mcp"), Transport::Http);
        assert_eq!(infer_transport("http://h/mcp?x=/sse"), Transport::Http);
    }

    #[test]
    fn url_and_command_exclude_each_other() {
        let cmd = vec!["python".to_owned()];
        let e = Server::from_args(&args(Some("http://h/mcp"), &cmd)).unwrap_err();
        assert_eq!(e.exit as i32, 2);
        assert!(Server::from_args(&args(None, &[])).is_err());
        assert!(Server::from_args(&args(Some("ftp://h"), &[])).is_err());
    }

    #[test]
    fn env_and_headers_are_parsed() {
        assert_eq!(
            parse_env(&["A=1=2".into(), "B=".into(), "A=3".into()]).unwrap(),
            vec![("A".into(), "3".into()), ("B".into(), String::new())]
        );
        assert!(parse_env(&["=1".into()]).is_err());
        assert!(parse_env(&["A".into()]).is_err());
        assert_eq!(
            parse_headers(&["Authorization: Bearer a:b".into()]).unwrap(),
            vec![("Authorization".into(), "Bearer a:b".into())]
        );
        assert!(parse_headers(&["nocolon".into()]).is_err());
    }
}
