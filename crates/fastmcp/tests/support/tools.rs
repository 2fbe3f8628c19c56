//! Tools that several integration tests serve the same way.

use fastmcp::core::{Context, Error, FnTool};

/// Arguments of `add`.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct AddArgs {
    pub a: i64,
    pub b: i64,
}

/// No arguments.
#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Empty {}

/// What `ask` elicits.
#[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema, Debug, PartialEq)]
pub struct Person {
    pub name: String,
    pub age: u32,
}

/// `add(a, b)`: their sum.
pub fn add() -> FnTool {
    FnTool::typed(
        "add",
        "Add two numbers.",
        |_: Context, a: AddArgs| async move { a.a + a.b },
    )
}

/// `progress`: three progress notifications (with `message`), one log line, then `"ok"`.
pub fn progress(message: Option<&'static str>) -> FnTool {
    FnTool::typed(
        "progress",
        "Reports progress and logs.",
        move |ctx: Context, _: Empty| async move {
            for i in 1..=3 {
                ctx.report_progress(i as f64, Some(3.0), message).await?;
            }
            ctx.info("done").await?;
            Ok::<_, Error>("ok")
        },
    )
}

/// `ask`: elicits a [`Person`]; answers `"<name> is <age>"` or `"declined"`.
pub fn ask() -> FnTool {
    FnTool::typed(
        "ask",
        "Elicits a person.",
        |ctx: Context, _: Empty| async move {
            match ctx.elicit::<Person>("Who are you?").await? {
                fastmcp::Elicited::Accept(p) => Ok::<_, Error>(format!("{} is {}", p.name, p.age)),
                _ => Ok("declined".to_string()),
            }
        },
    )
}
