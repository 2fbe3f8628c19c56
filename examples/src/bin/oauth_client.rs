//! A client that logs in: OAuth 2.1 against a protected MCP server (README, "A client
//! that logs in").
//!
//! ```text
//! cargo run -p examples --bin oauth_client -- https://mcp.example.com/mcp
//! ```
//!
//! The first request gets a 401; the client discovers the server's authorization server,
//! registers, prints the URL to open, waits for the browser's redirect to its loopback
//! callback, and keeps the tokens in `oauth-tokens.json` (mode 0600) for the next run.

use std::sync::Arc;

use fastmcp::client::oauth::{FileStore, OAuth, Redirect};
use fastmcp::client::Client;
use fastmcp::transport::http_client::StreamableHttp;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8000/mcp".to_owned());
    let oauth = OAuth::builder(&url)
        .client_name("fastmcp-example")
        .redirect(Redirect::Browser(Arc::new(|u| {
            eprintln!("Open this URL to log in:\n  {u}")
        })))
        .store(FileStore::new("oauth-tokens.json"))
        .build()?;
    let transport = StreamableHttp::new(&url).auth(Arc::new(oauth.clone()));
    let client = match Client::connect(transport).await {
        Ok(c) => c,
        Err(e) => {
            // The transport only sees the server's 401; the reason is kept here.
            if let Some(why) = oauth.last_error() {
                anyhow::bail!("{e}: {why}");
            }
            return Err(e.into());
        }
    };
    for tool in client.list_tools().await? {
        println!("{}", tool.name);
    }
    client.close().await?;
    Ok(())
}
