//! `fastmcp`: inspect, list and call any MCP server, given as a command (stdio) or a URL
//! (Streamable HTTP, legacy SSE when the path ends in `/sse`, WebSocket for `ws://`).
//! Work in progress (issue 19): `run`, `dev`, `install`, `tasks`, `new` and `test` are not
//! there yet.
#![forbid(unsafe_code)]

mod target;

use clap::{Parser, Subcommand};
use fastmcp::client::Client;
use serde_json::{Map, Value};

/// Inspect, list and call MCP servers.
#[derive(Parser)]
#[command(name = "fastmcp", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The server's info, capabilities and components.
    ///
    /// Example: fastmcp inspect http://127.0.0.1:8000/mcp --json
    Inspect {
        /// A URL, or the command that starts the server (after `--`).
        target: Vec<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The server's tools.
    ///
    /// Example: fastmcp list -- python server.py
    List {
        /// A URL, or the command that starts the server (after `--`).
        target: Vec<String>,
    },
    /// Call a tool with `key=value` arguments (converted by the tool's schema).
    ///
    /// Example: fastmcp call http://127.0.0.1:8000/mcp add a=1 b=2
    Call {
        /// The URL of the server.
        url: String,
        /// The tool.
        tool: String,
        /// `key=value` arguments.
        args: Vec<String>,
        /// The arguments as one JSON object instead.
        #[arg(long)]
        input_json: Option<String>,
    },
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli.command).await {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn run(command: Command) -> Result<(), String> {
    match command {
        Command::Inspect { target, json } => {
            let c = target::connect(&target).await?;
            let tools = c.list_tools().await.map_err(|e| e.to_string())?;
            if json {
                let v = serde_json::json!({ "tools": tools });
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            } else {
                for t in tools {
                    println!("{}: {}", t.name, t.description.unwrap_or_default());
                }
            }
            Ok(())
        }
        Command::List { target } => {
            let c = target::connect(&target).await?;
            for t in c.list_tools().await.map_err(|e| e.to_string())? {
                println!("{}", t.name);
            }
            Ok(())
        }
        Command::Call {
            url,
            tool,
            args,
            input_json,
        } => {
            let c = target::connect(std::slice::from_ref(&url)).await?;
            let arguments = match input_json {
                Some(j) => serde_json::from_str(&j).map_err(|e| format!("--input-json: {e}"))?,
                None => arguments(&c, &tool, &args).await?,
            };
            let r = c
                .call_tool(&tool, Value::Object(arguments))
                .await
                .map_err(|e| e.to_string())?;
            println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            Ok(())
        }
    }
}

/// `key=value` pairs as the tool's arguments: a value is JSON when the schema's type for
/// the key is not a string and the value parses as JSON, else the text.
async fn arguments(c: &Client, tool: &str, args: &[String]) -> Result<Map<String, Value>, String> {
    let tools = c.list_tools().await.map_err(|e| e.to_string())?;
    let t = tools
        .iter()
        .find(|t| t.name == tool)
        .ok_or_else(|| format!("no tool named {tool:?} (fastmcp list shows the tools)"))?;
    let schema = serde_json::to_value(&t.input_schema).unwrap_or_default();
    let mut out = Map::new();
    for a in args {
        let (k, v) = a
            .split_once('=')
            .ok_or_else(|| format!("{a:?}: arguments are key=value"))?;
        let is_string = schema["properties"][k]["type"] == "string";
        let value = match serde_json::from_str::<Value>(v) {
            Ok(j) if !is_string => j,
            _ => Value::String(v.to_owned()),
        };
        out.insert(k.to_owned(), value);
    }
    Ok(out)
}
