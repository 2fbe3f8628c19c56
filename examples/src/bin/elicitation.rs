//! Elicitation: a handler asks the user for structured input. The same code works in both
//! eras: a real server-to-client request in the handshake era, a multi-round-trip request
//! (replayed with the answer) in 2026-07-28.

use fastmcp::prelude::*;

#[derive(serde::Deserialize, schemars::JsonSchema)]
enum Size {
    Small,
    Medium,
    Large,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Order {
    /// Which size?
    size: Size,
    /// How many?
    quantity: u32,
    /// Gift wrap it?
    gift: Option<bool>,
}

/// Order coffee; asks for the details.
#[tool]
async fn order_coffee(ctx: &Context) -> Result<String, Error> {
    match ctx.elicit::<Order>("What would you like?").await? {
        Elicited::Accept(o) => {
            let size = match o.size {
                Size::Small => "small",
                Size::Medium => "medium",
                Size::Large => "large",
            };
            let gift = if o.gift.unwrap_or(false) {
                ", gift wrapped"
            } else {
                ""
            };
            Ok(format!("{} {size} coffee(s){gift}", o.quantity))
        }
        Elicited::Decline => Ok("order declined".into()),
        Elicited::Cancel => Ok("order cancelled".into()),
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    Server::new("coffee", "1.0.0")
        .tool(order_coffee)
        .run_stdio()
        .await
}
