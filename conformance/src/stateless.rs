//! The diagnostic tools of the `server-stateless` scenario (SEP-2575, 2026-07-28) and the
//! `x-mcp-header` tool of `http-custom-header-server-validation` (SEP-2243).

use fastmcp::core::{FnPrompt, FnTool, ToolArguments};
use fastmcp::prelude::*;
use fastmcp::protocol::{Prompt, Tool};
use fastmcp::server::ServerHandle;
use serde_json::{json, Value};

/// The tool that `test_trigger_tool_change` adds and removes.
pub const DYNAMIC_TOOL: &str = "test_dynamic_tool";
/// The prompt that `test_trigger_prompt_change` adds and removes.
pub const DYNAMIC_PROMPT: &str = "test_dynamic_prompt";

/// Needs sampling; called without the capability it must fail with -32021.
#[tool]
async fn test_missing_capability(ctx: &Context) -> Result<String, Error> {
    let answer = ctx.sample_text("Say hello", 20).await?;
    Ok(format!("Sampled: {answer}"))
}

/// Elicits while it runs: in the stateless era the request's stream may carry only its
/// `InputRequiredResult` (never a server-to-client request).
#[tool]
async fn test_streaming_elicitation(ctx: &Context) -> Result<String, Error> {
    let r = ctx
        .elicit_raw(
            "Please provide a value",
            serde_json::json!({
                "type": "object",
                "properties": { "value": { "type": "string" } },
                "required": ["value"]
            }),
        )
        .await?;
    Ok(format!(
        "Streaming elicitation completed: {}",
        crate::tools::describe(&r)
    ))
}

/// Logs at every level it can; a stateless request without `_meta` logLevel must get none.
#[tool]
async fn test_logging_tool(ctx: &Context) -> Result<&'static str, Error> {
    ctx.debug("test_logging_tool: debug").await?;
    ctx.info("test_logging_tool: info").await?;
    ctx.warning("test_logging_tool: warning").await?;
    ctx.error("test_logging_tool: error").await?;
    Ok("Logged at debug, info, warning and error")
}

/// A tool that only exists to appear and disappear.
#[tool]
async fn test_dynamic_tool() -> &'static str {
    "I come and go."
}

/// The hooks that change the server's lists at run time.
pub struct Triggers {
    handle: ServerHandle,
}

#[tools]
impl Triggers {
    /// Adds or removes the tool `test_dynamic_tool` (tools/list_changed).
    #[tool]
    async fn test_trigger_tool_change(&self) -> Result<String, Error> {
        if self.handle.remove_tool(DYNAMIC_TOOL) {
            return Ok(format!("Removed tool {DYNAMIC_TOOL}"));
        }
        self.handle
            .add_tool(test_dynamic_tool)
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(format!("Added tool {DYNAMIC_TOOL}"))
    }

    /// Adds or removes the prompt `test_dynamic_prompt` (prompts/list_changed).
    #[tool]
    async fn test_trigger_prompt_change(&self) -> Result<String, Error> {
        if self.handle.remove_prompt(DYNAMIC_PROMPT) {
            return Ok(format!("Removed prompt {DYNAMIC_PROMPT}"));
        }
        let prompt = Prompt {
            description: Some("A prompt that comes and goes.".into()),
            ..Prompt::new(DYNAMIC_PROMPT)
        };
        self.handle
            .add_prompt(FnPrompt::new(prompt, |_, _| async {
                "This prompt was added at run time."
            }))
            .map_err(|e| Error::internal(e.to_string()))?;
        Ok(format!("Added prompt {DYNAMIC_PROMPT}"))
    }
}

/// The tool whose `region` argument is mirrored in the `Mcp-Param-Region` header.
pub const HEADER_TOOL: &str = "test_header_param";

/// The input schema of [`HEADER_TOOL`]: a string property annotated with `x-mcp-header`
/// (hand-written: the annotation is not a schemars attribute).
pub fn header_param_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "region": {
                "type": "string",
                "description": "A region name, sent again in the Mcp-Param-Region header",
                "x-mcp-header": "Region"
            }
        },
        "required": ["region"]
    })
}

/// Echoes `region`. Over Streamable HTTP in 2026-07-28 the transport checks that the
/// `Mcp-Param-Region` header (plain or `=?base64?…?=`) matches the argument.
fn header_param_tool() -> FnTool {
    let tool = Tool::new(HEADER_TOOL, header_param_schema())
        .with_description("Echoes its region argument (mirrored in the Mcp-Param-Region header)");
    FnTool::new(tool, |_ctx: Context, args: ToolArguments| async move {
        let args = args.to_map()?;
        let region = match args.get("region") {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => return Err(Error::invalid_params("missing argument: region")),
        };
        Ok(CallToolResult::text(format!("Region: {region}")))
    })
}

/// Register the tools of this module.
pub fn register(server: Server) -> Server {
    let handle = server.handle();
    server
        .tool(test_missing_capability)
        .tool(test_streaming_elicitation)
        .tool(test_logging_tool)
        .components(Triggers { handle })
        .tool(header_param_tool())
}
