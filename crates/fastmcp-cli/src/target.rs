//! A server named on the command line: a URL or a command.

use fastmcp::client::Client;
use fastmcp::transport::http_client::StreamableHttp;
use fastmcp::transport::sse_client::LegacySse;
use fastmcp::transport::ws_client::WebSocket;
use fastmcp::transport::ChildTransport;

/// Connect to `target`: one URL, or a program and its arguments.
pub async fn connect(target: &[String]) -> Result<Client, String> {
    let Some(first) = target.first() else {
        return Err("name a server: a URL, or -- and the command that starts it".into());
    };
    let connected = if first.starts_with("ws://") || first.starts_with("wss://") {
        Client::connect(WebSocket::new(first.clone())).await
    } else if first.starts_with("http://") || first.starts_with("https://") {
        if first.trim_end_matches('/').ends_with("/sse") {
            Client::connect(LegacySse::new(first.clone())).await
        } else {
            Client::connect(StreamableHttp::new(first.clone())).await
        }
    } else {
        let child = ChildTransport::new(first).args(&target[1..]);
        Client::connect(child).await
    };
    connected.map_err(|e| format!("cannot connect to {}: {e}", target.join(" ")))
}
