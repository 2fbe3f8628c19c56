//! The files of a new project.

/// What `fastmcp new` makes.
pub struct Project<'a> {
    /// The crate's name.
    pub name: &'a str,
    /// Streamable HTTP instead of stdio.
    pub http: bool,
    /// The `fastmcp = ...` line.
    pub fastmcp: &'a str,
}

impl Project<'_> {
    /// Each file's path in the project and its text.
    pub fn files(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Cargo.toml", self.manifest()),
            ("src/main.rs", self.main()),
            (".gitignore", "/target\n".to_owned()),
            ("README.md", self.readme()),
        ]
    }

    fn manifest(&self) -> String {
        format!(
            "[package]\nname = \"{}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\n{}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n",
            self.name, self.fastmcp
        )
    }

    fn main(&self) -> String {
        let serve = if self.http {
            "    // Streamable HTTP at http://127.0.0.1:8000/mcp (legacy SSE at /sse, WebSocket at /ws).\n    \
             let addr = std::env::var(\"ADDR\").unwrap_or_else(|_| \"127.0.0.1:8000\".into());\n    \
             server().run_http(&addr).await"
        } else {
            "    // stdio: start it from an MCP client (fastmcp install, fastmcp call ... -- cargo run).\n    \
             server().run_stdio().await"
        };
        MAIN.replace("__NAME__", self.name)
            .replace("__SERVE__", serve)
    }

    fn readme(&self) -> String {
        let how = if self.http {
            "`cargo run` serves Streamable HTTP on http://127.0.0.1:8000/mcp (set `ADDR` to change it).\n\n\
             ```sh\nfastmcp list http://127.0.0.1:8000/mcp\nfastmcp call http://127.0.0.1:8000/mcp greet name=Ada\n```\n"
        } else {
            "`cargo run` serves stdio: an MCP client starts it.\n\n\
             ```sh\nfastmcp call greet name=Ada -- cargo run -q\nfastmcp install claude-desktop NAME -- /path/to/target/release/NAME\n```\n"
        };
        format!(
            "# {}\n\nAn MCP server made with `fastmcp new`.\n\n{how}\n\
             `cargo test` drives it with a client in memory. `fastmcp dev` rebuilds and restarts \
             it on every change, behind http://127.0.0.1:8000/mcp.\n",
            self.name
        )
    }
}

const MAIN: &str = r#"use fastmcp::prelude::*;

/// Say hello to someone.
#[tool]
async fn greet(
    /// Who to greet.
    name: String,
) -> String {
    format!("Hello, {name}!")
}

/// What this server is for.
#[resource(uri = "info://about")]
async fn about() -> String {
    "__NAME__: an MCP server made with fastmcp new.".into()
}

/// Ask for a greeting in a given style.
#[prompt]
async fn greeting(name: String, style: Option<String>) -> String {
    let style = style.unwrap_or_else(|| "friendly".into());
    format!("Write a {style} greeting for {name}.")
}

fn server() -> Server {
    Server::new("__NAME__", env!("CARGO_PKG_VERSION")).components((greet, about, greeting))
}

#[tokio::main]
async fn main() -> Result<(), fastmcp::Error> {
__SERVE__
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastmcp::client::Client;
    use fastmcp::serde_json::json;

    #[tokio::test]
    async fn greets() {
        let running = server().start().await.unwrap();
        let client = Client::connect(running.connect_in_memory()).await.unwrap();
        let tools = client.list_tools().await.unwrap();
        assert_eq!(tools[0].name, "greet");
        let r = client.call_tool("greet", json!({"name": "Ada"})).await.unwrap();
        let content = fastmcp::serde_json::to_value(&r.content).unwrap();
        assert_eq!(content, json!([{"type": "text", "text": "Hello, Ada!"}]));
    }
}
"#;
