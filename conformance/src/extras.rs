//! Tools the suite does not ask for, used by the interop tests (conformance/tests) to
//! exercise typed arguments and structured output.

use fastmcp::prelude::*;
use serde::Serialize;

/// Echoes arguments of several JSON types.
#[tool]
async fn test_typed_arguments(
    #[arg(description = "An integer")] count: i64,
    #[arg(description = "A number")] ratio: f64,
    #[arg(description = "A boolean")] flag: bool,
    #[arg(description = "A list of strings")] tags: Vec<String>,
    #[arg(description = "An optional string")] note: Option<String>,
) -> String {
    format!(
        "count={count} ratio={ratio} flag={flag} tags={} note={}",
        tags.join(","),
        note.as_deref().unwrap_or("-")
    )
}

/// The result of `test_structured_output`.
#[derive(Serialize, schemars::JsonSchema)]
struct Sum {
    /// The sum of the operands.
    sum: i64,
    /// The operands.
    operands: Vec<i64>,
}

/// Adds two integers; the result is structured content with an output schema.
#[tool]
async fn test_structured_output(a: i64, b: i64) -> Json<Sum> {
    Json(Sum {
        sum: a + b,
        operands: vec![a, b],
    })
}

/// Register the tools of this module.
pub fn register(server: Server) -> Server {
    server
        .tool(test_typed_arguments)
        .tool(test_structured_output)
}
