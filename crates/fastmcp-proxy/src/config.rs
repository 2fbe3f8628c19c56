//! A proxy of every server of an MCPConfig.

use fastmcp_client::McpConfig;
use fastmcp_core::Error;
use fastmcp_server::{Namespace, Server, Transformed};

use crate::{Proxy, UpstreamSubscriptions};

/// Add a proxy of each server of `config` to `server`. With one server, its components
/// keep their names; with several, each server's are namespaced by its name (`name_tool`,
/// `scheme://name/path`). A server name that cannot be a namespace is an error.
///
/// ```
/// use fastmcp_client::McpConfig;
///
/// let config = McpConfig::from_json(r#"{"mcpServers": {
///     "weather": {"command": "weather-server"},
///     "docs": {"url": "https://example.com/mcp"}
/// }}"#).unwrap();
/// let server = fastmcp_proxy::proxy_config(fastmcp_server::Server::new("hub", "1.0.0"), &config)
///     .unwrap();
/// # let _ = server;
/// ```
pub fn proxy_config(server: Server, config: &McpConfig) -> Result<Server, Error> {
    if let [(_, entry)] = config.servers.iter().collect::<Vec<_>>().as_slice() {
        let proxy = Proxy::entry((*entry).clone());
        let subscriptions = proxy.subscriptions();
        return Ok(server.provider(proxy).middleware(subscriptions));
    }
    let mut server = server;
    for (name, entry) in &config.servers {
        let ns = Namespace::new(name.as_str());
        ns.check().map_err(|reason| {
            Error::invalid_params(format!("server {name:?} cannot be a namespace: {reason}"))
        })?;
        let proxy = Proxy::entry(entry.clone());
        let _ = proxy.inner.catalog.namespace.set(ns.clone());
        let subscriptions = UpstreamSubscriptions::new(proxy.inner.clone(), Some(ns.clone()));
        server = server
            .provider(Transformed::new(proxy).with(ns.transform()))
            .middleware(subscriptions);
    }
    Ok(server)
}
