//! MCPConfig: the common `mcpServers` JSON, and a client of every server it names, with
//! tool, resource and prompt names prefixed by server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fastmcp_core::Error;
use fastmcp_protocol::{
    CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, Tool,
};
#[cfg(feature = "child-process")]
use fastmcp_transport::ChildTransport;
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::config_auth::RemoteAuth;
pub use crate::config_auth::{AuthEntry, OAuthEntry};
use crate::options::ClientBuilder;

/// The `mcpServers` document.
///
/// ```
/// use fastmcp_client::McpConfig;
/// let c = McpConfig::from_json(r#"{"mcpServers": {
///     "calc": {"command": "calc-server", "args": ["--stdio"], "env": {"LOG": "1"}},
///     "docs": {"url": "https://example.com/mcp", "headers": {"Authorization": "Bearer x"}}
/// }}"#).unwrap();
/// assert_eq!(c.servers.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpConfig {
    /// The servers, by name.
    #[serde(rename = "mcpServers")]
    pub servers: BTreeMap<String, ServerEntry>,
}

/// One server of an [`McpConfig`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ServerEntry {
    /// A command started as a child process, spoken to over stdio.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        #[serde(default)]
        args: Vec<String>,
        /// Extra environment variables.
        #[serde(default)]
        env: BTreeMap<String, String>,
        /// The working directory.
        #[serde(default)]
        cwd: Option<PathBuf>,
    },
    /// A remote server.
    Remote {
        /// Its URL.
        url: String,
        /// Extra HTTP headers.
        #[serde(default)]
        headers: BTreeMap<String, String>,
        /// `http` / `streamable-http` (default), `sse` (legacy; also inferred from a URL
        /// ending in `/sse`) or `ws` / `websocket`.
        #[serde(default)]
        transport: Option<String>,
        /// How to authorize: `"oauth"`, `{"type": "oauth", ...}` or a bearer token (see
        /// [`AuthEntry`]). OAuth is for the `http` and `sse` transports.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        auth: Option<AuthEntry>,
    },
}

impl McpConfig {
    /// Parse a JSON document.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        serde_json::from_str(text)
            .map_err(|e| Error::invalid_params(format!("invalid MCP config: {e}")))
    }

    /// Read a JSON file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path.as_ref()).map_err(Error::from)?;
        Self::from_json(&text)
    }
}

impl ServerEntry {
    /// Connect to this server with the settings of `builder`.
    pub async fn connect(&self, builder: ClientBuilder) -> Result<Client, Error> {
        match self {
            ServerEntry::Stdio {
                command,
                args,
                env,
                cwd,
            } => {
                #[cfg(feature = "child-process")]
                {
                    let mut t = ChildTransport::new(command).args(args);
                    for (k, v) in env {
                        t = t.env(k, v);
                    }
                    if let Some(d) = cwd {
                        t = t.current_dir(d);
                    }
                    builder.connect(t).await
                }
                #[cfg(not(feature = "child-process"))]
                {
                    let _ = (command, args, env, cwd, builder);
                    Err(not_compiled_in("stdio", "child-process"))
                }
            }
            ServerEntry::Remote {
                url,
                headers,
                transport,
                auth,
            } => {
                let remote = RemoteAuth::new(auth.as_ref(), url, headers)?;
                let kind = transport.as_deref().unwrap_or(if url.ends_with("/sse") {
                    "sse"
                } else {
                    "http"
                });
                match kind {
                    #[cfg(feature = "http")]
                    "sse" => builder.connect(remote.legacy_sse(url)).await,
                    #[cfg(feature = "http")]
                    "http" | "streamable-http" | "streamable_http" => {
                        builder.connect(remote.streamable(url)).await
                    }
                    "ws" | "websocket" if remote.oauth() => Err(Error::invalid_params(
                        "OAuth is for the http and sse transports, not WebSocket",
                    )),
                    #[cfg(feature = "websocket")]
                    "ws" | "websocket" => {
                        let mut t = fastmcp_transport::ws_client::WebSocket::new(url);
                        for (k, v) in &remote.headers {
                            t = t.header(k, v);
                        }
                        builder.connect(t).await
                    }
                    #[cfg(not(feature = "http"))]
                    "sse" | "http" | "streamable-http" | "streamable_http" => {
                        let _ = (remote, builder);
                        Err(not_compiled_in(kind, "http"))
                    }
                    #[cfg(not(feature = "websocket"))]
                    "ws" | "websocket" => {
                        let _ = (remote, builder);
                        Err(not_compiled_in(kind, "websocket"))
                    }
                    other => Err(Error::invalid_params(format!(
                        "unknown transport {other:?}"
                    ))),
                }
            }
        }
    }
}

/// The error for a server whose transport this build leaves out.
#[cfg(not(all(feature = "http", feature = "websocket", feature = "child-process")))]
fn not_compiled_in(transport: &str, feature: &str) -> Error {
    Error::invalid_params(format!(
        "transport {transport:?} is not compiled in (feature {feature:?} of fastmcp-client)"
    ))
}

/// A client of several servers: tools and prompts are named `<server>_<name>`, resource URIs
/// `<scheme>://<server>/<rest>`; calls are routed back by the prefix.
pub struct MultiClient {
    clients: BTreeMap<String, Client>,
}

impl MultiClient {
    /// Connect to every server of `config`, each with `builder()`'s settings.
    pub async fn connect(
        config: &McpConfig,
        builder: impl Fn() -> ClientBuilder,
    ) -> Result<Self, Error> {
        let mut clients = BTreeMap::new();
        for (name, entry) in &config.servers {
            let c = entry
                .connect(builder())
                .await
                .map_err(|e| Error::transport(format!("server {name:?}: {e}")))?;
            clients.insert(name.clone(), c);
        }
        Ok(MultiClient { clients })
    }

    /// The client of one server.
    pub fn client(&self, name: &str) -> Option<&Client> {
        self.clients.get(name)
    }

    /// The server names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.clients.keys().map(String::as_str)
    }

    /// Split `<server>_<rest>`, preferring the longest server name that matches.
    fn route<'a>(&self, prefixed: &'a str) -> Result<(&Client, &'a str), Error> {
        self.clients
            .iter()
            .filter_map(|(n, c)| {
                prefixed
                    .strip_prefix(n.as_str())?
                    .strip_prefix('_')
                    .map(|rest| (n.len(), c, rest))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, c, rest)| (c, rest))
            .ok_or_else(|| Error::invalid_params(format!("no server for {prefixed:?}")))
    }

    /// Every tool of every server, named `<server>_<tool>`.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        let mut out = vec![];
        for (name, c) in &self.clients {
            for mut t in c.list_tools().await? {
                t.name = format!("{name}_{}", t.name);
                out.push(t);
            }
        }
        Ok(out)
    }

    /// Call `<server>_<tool>`.
    pub async fn call_tool(
        &self,
        prefixed: &str,
        arguments: impl Serialize,
    ) -> Result<CallToolResult, Error> {
        let (c, tool) = self.route(prefixed)?;
        c.call_tool(tool, arguments).await
    }

    /// Every prompt of every server, named `<server>_<prompt>`.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        let mut out = vec![];
        for (name, c) in &self.clients {
            for mut p in c.list_prompts().await? {
                p.name = format!("{name}_{}", p.name);
                out.push(p);
            }
        }
        Ok(out)
    }

    /// Render `<server>_<prompt>`.
    pub async fn get_prompt(
        &self,
        prefixed: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult, Error> {
        let (c, prompt) = self.route(prefixed)?;
        c.get_prompt(prompt, arguments).await
    }

    /// Every resource of every server, with URIs `<scheme>://<server>/<rest>`.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        let mut out = vec![];
        for (name, c) in &self.clients {
            for mut r in c.list_resources().await? {
                r.uri = prefix_uri(name, &r.uri);
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Read a resource by its prefixed URI.
    pub async fn read_resource(&self, prefixed: &str) -> Result<ReadResourceResult, Error> {
        let (name, uri) = unprefix_uri(prefixed).ok_or_else(|| {
            Error::invalid_params(format!("not a prefixed resource URI: {prefixed:?}"))
        })?;
        let c = self
            .clients
            .get(name)
            .ok_or_else(|| Error::invalid_params(format!("no server {name:?}")))?;
        c.read_resource(&uri).await
    }

    /// Close every connection.
    pub async fn close(self) -> Result<(), Error> {
        for (_, c) in self.clients {
            c.close().await?;
        }
        Ok(())
    }
}

fn prefix_uri(server: &str, uri: &str) -> String {
    match uri.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{server}/{rest}"),
        None => format!("{server}/{uri}"),
    }
}

fn unprefix_uri(uri: &str) -> Option<(&str, String)> {
    let (scheme, rest) = uri.split_once("://")?;
    let (server, rest) = rest.split_once('/')?;
    Some((server, format!("{scheme}://{rest}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_through_the_prefix() {
        for uri in ["config://app", "file:///etc/hosts", "users://7/profile"] {
            let p = prefix_uri("srv", uri);
            assert_eq!(unprefix_uri(&p), Some(("srv", uri.to_owned())), "{p}");
        }
    }

    #[test]
    fn entries_parse_by_shape() {
        let c = McpConfig::from_json(
            r#"{"mcpServers": {"a": {"command": "x"}, "b": {"url": "http://h/sse"}, "c": {"url": "ws://h/ws", "transport": "ws"}}}"#,
        )
        .unwrap();
        assert!(matches!(c.servers["a"], ServerEntry::Stdio { .. }));
        assert!(matches!(c.servers["b"], ServerEntry::Remote { .. }));
        assert!(McpConfig::from_json(r#"{"mcpServers": {"a": {"nope": 1}}}"#).is_err());
    }
}
