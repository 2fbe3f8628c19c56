//! Starts a server as a child process (this same binary with `serve`) and exercises it with
//! a client over stdio, first in the handshake era (2025-11-25), then in the stateless era
//! (2026-07-28), printing every step.

use std::time::Duration;

use fastmcp::client::{Client, ClientHandler, Mode};
use fastmcp::core::BoxFuture;
use fastmcp::prelude::*;
use fastmcp::protocol::{
    ElicitAction, ElicitRequestParams, ElicitResult, LoggingLevel,
    LoggingMessageNotificationParams, ProtocolVersion,
};
use fastmcp::transport::ChildTransport;
use serde_json::json;

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Forecast {
    city: String,
    celsius: f64,
    conditions: String,
}

/// The weather in a city (structured output).
#[tool(annotations(read_only = true, open_world = false))]
async fn weather(#[arg(description = "City name")] city: String) -> Json<Forecast> {
    Json(Forecast {
        celsius: 11.5 + city.len() as f64,
        city,
        conditions: "light rain".into(),
    })
}

/// Count to `n`, reporting progress and logging each step.
#[tool]
async fn count(n: u32, ctx: &Context) -> Result<String, Error> {
    for i in 1..=n {
        ctx.checkpoint()?;
        ctx.report_progress(i as f64, Some(n as f64), Some("counting"))
            .await?;
        ctx.debug(format!("step {i}")).await?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(format!("counted to {n}"))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Booking {
    /// How many people?
    guests: u32,
    /// Any dietary needs?
    diet: Option<String>,
}

/// Book a table, asking the user for the details.
#[tool]
async fn book_table(restaurant: String, ctx: &Context) -> Result<String, Error> {
    match ctx
        .elicit::<Booking>(&format!("Booking at {restaurant}: details?"))
        .await?
    {
        Elicited::Accept(b) => Ok(format!(
            "Booked {restaurant} for {} ({})",
            b.guests,
            b.diet.unwrap_or_else(|| "no dietary needs".into())
        )),
        Elicited::Decline | Elicited::Cancel => Ok("No booking made".into()),
    }
}

/// The application's settings.
#[resource("config://app", mime_type = "application/json")]
async fn config() -> Json<serde_json::Value> {
    Json(json!({ "theme": "dark", "retries": 3 }))
}

/// A user's profile.
#[resource("users://{id}/profile")]
async fn profile(id: u32) -> String {
    format!("User {id}: member since {}", 2000 + id % 25)
}

fn languages(prefix: &str) -> Vec<String> {
    ["rust", "python", "typescript", "go"]
        .iter()
        .filter(|l| l.starts_with(prefix))
        .map(|l| l.to_string())
        .collect()
}

/// Ask for a code review.
#[prompt]
async fn review(code: String, #[arg(complete = languages)] language: Option<String>) -> String {
    format!(
        "Please review this {} code:\n{code}",
        language.unwrap_or_else(|| "source".into())
    )
}

fn server() -> Server {
    Server::new("demo", "1.0.0")
        .instructions("A demonstration server.")
        .tool(add)
        .tool(weather)
        .tool(count)
        .tool(book_table)
        .resource(config)
        .resource(profile)
        .prompt(review)
}

/// The client's side: prints notifications, answers elicitation.
struct Printer;

impl ClientHandler for Printer {
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            ..fastmcp::client::Supports::NONE
        }
        .capabilities()
    }

    fn elicit(&self, p: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        if let ElicitRequestParams::Form(f) = &p {
            println!(
                "    <- server asks: {:?}; the user answers 4 guests, vegetarian",
                f.message
            );
        }
        Box::pin(async {
            Ok(ElicitResult {
                action: ElicitAction::Accept,
                content: json!({"guests": 4, "diet": "vegetarian"})
                    .as_object()
                    .cloned(),
                ..Default::default()
            })
        })
    }

    fn on_log(&self, p: LoggingMessageNotificationParams) {
        println!("    <- log [{:?}] {}", p.level, p.data);
    }
}

async fn exercise(mode: Mode) -> Result<(), Error> {
    let exe = std::env::current_exe().map_err(Error::from)?;
    let client = Client::builder()
        .info("demo-client", "1.0.0")
        .mode(mode)
        .handler(Printer)
        .log_level(LoggingLevel::Debug)
        .connect(ChildTransport::new(exe).arg("serve"))
        .await?;
    println!("== {:?}: protocol {}", mode, client.protocol_version());
    if let Some(info) = client.server_info() {
        println!("server: {} {}", info.name, info.version);
    }
    for t in client.list_tools().await? {
        println!("tool {:<11} {}", t.name, t.description.unwrap_or_default());
    }
    let sum: i64 = client.call_tool_as("add", json!({"a": 2, "b": 40})).await?;
    println!("add(2, 40) = {sum}");
    let w = client
        .call_tool("weather", json!({"city": "Lisbon"}))
        .await?;
    println!(
        "weather(Lisbon) -> structured {}",
        w.structured_content.unwrap_or_default()
    );
    println!("count(3):");
    let r = client
        .call_tool_with_progress("count", json!({"n": 3}), |p| {
            println!("    <- progress {}/{}", p.progress, p.total.unwrap_or(0.0));
        })
        .await?;
    println!("    = {}", r.content[0].as_text().unwrap_or_default());
    println!("book_table(Chez Rust):");
    let b = client
        .call_tool("book_table", json!({"restaurant": "Chez Rust"}))
        .await?;
    println!("    = {}", b.content[0].as_text().unwrap_or_default());
    for r in client.list_resources().await? {
        println!("resource {}", r.uri);
    }
    for uri in ["config://app", "users://7/profile"] {
        let r = client.read_resource(uri).await?;
        let text = match &r.contents[0] {
            ResourceContents::Text(t) => t.text.clone(),
            ResourceContents::Blob(b) => format!("{} base64 bytes", b.blob.len()),
        };
        println!("read {uri} -> {text}");
    }
    let g = client
        .get_prompt(
            "review",
            json!({"code": "fn main() {}", "language": "rust"}),
        )
        .await?;
    println!(
        "prompt review -> {:?}",
        g.messages[0].content.as_text().unwrap_or_default()
    );
    let e = client.call_tool("nope", json!({})).await.unwrap_err();
    println!("call unknown tool -> error {} {}", e.code(), e.message());
    let comp = client.complete_prompt("review", "language", "py").await?;
    println!(
        "complete review.language \"py\" -> {:?}",
        comp.completion.values
    );
    client.close().await
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    if std::env::args().nth(1).as_deref() == Some("serve") {
        return server().run_stdio().await;
    }
    exercise(Mode::Handshake(ProtocolVersion::V2025_11_25)).await?;
    println!();
    exercise(Mode::Stateless(ProtocolVersion::V2026_07_28)).await?;
    println!("\ndemo finished");
    Ok(())
}
