//! The prelude next to anyhow's and axum's names, as its documentation says: this file
//! compiling is the test.

use anyhow::Context as _;
use anyhow::Result;
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use fastmcp::prelude::*;

/// A port number, or why not.
fn port(s: &str) -> Result<u16> {
    s.parse::<u16>().context("not a port")
}

/// Check a port.
#[tool]
async fn check(ctx: Context, port_text: String) -> std::result::Result<Json<u16>, Error> {
    ctx.checkpoint()?;
    port(&port_text)
        .map(Json)
        .map_err(|e| Error::tool(format!("{e:#}")))
}

/// An axum handler next to it: axum's `State` and `Json`, named where they clash.
async fn health(State(name): State<&'static str>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "name": name }))
}

#[test]
fn the_prelude_lives_with_anyhow_and_axum() {
    let _server: Server = Server::new("ports", "1.0.0").tool(check);
    let _router: Router = Router::new()
        .route("/health", get(health))
        .with_state("ports");
    assert!(port("80x").unwrap_err().to_string().contains("not a port"));
    assert_eq!(port("80").unwrap(), 80);
}
