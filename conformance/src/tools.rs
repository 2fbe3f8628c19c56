//! The tools of the conformance suite's `tools-*`, `elicitation-*` and `json-schema-*`
//! scenarios (both eras unless noted).

use std::time::Duration;

use fastmcp::core::{FnTool, ToolArguments};
use fastmcp::prelude::*;
use fastmcp::protocol::{ElicitResult, Tool};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::media;

/// The pause between the steps of the logging and progress tools.
const STEP: Duration = Duration::from_millis(50);

/// Returns a simple text response.
#[tool]
async fn test_simple_text() -> &'static str {
    "This is a simple text response for testing."
}

/// Returns a 1x1 red PNG image.
#[tool]
async fn test_image_content() -> Image {
    Image::png(media::png())
}

/// Returns a short WAV clip.
#[tool]
async fn test_audio_content() -> Audio {
    Audio {
        data: media::wav(),
        mime_type: "audio/wav".into(),
    }
}

/// Returns an embedded text resource.
#[tool]
async fn test_embedded_resource() -> ContentBlock {
    ContentBlock::resource(ResourceContents::text(
        "test://embedded-resource",
        "text/plain",
        "This is an embedded resource content.",
    ))
}

/// Returns text, an image and an embedded resource.
#[tool]
async fn test_multiple_content_types() -> Vec<ContentBlock> {
    vec![
        ContentBlock::text("Multiple content types test:"),
        Image::png(media::png()).into(),
        ContentBlock::resource(ResourceContents::text(
            "test://mixed-content-resource",
            "application/json",
            r#"{"test":"data","value":123}"#,
        )),
    ]
}

/// Sends three info log messages, 50 ms apart, while it runs.
#[tool]
async fn test_tool_with_logging(ctx: &Context) -> Result<&'static str, Error> {
    ctx.info("Tool execution started").await?;
    ctx.sleep(STEP).await?;
    ctx.info("Tool processing data").await?;
    ctx.sleep(STEP).await?;
    ctx.info("Tool execution completed").await?;
    Ok("Logging test completed: sent 3 log messages")
}

/// Reports progress 0, 50 and 100 of 100, 50 ms apart.
#[tool]
async fn test_tool_with_progress(ctx: &Context) -> Result<&'static str, Error> {
    ctx.report_progress(0.0, Some(100.0), Some("Started"))
        .await?;
    ctx.sleep(STEP).await?;
    ctx.report_progress(50.0, Some(100.0), Some("Halfway"))
        .await?;
    ctx.sleep(STEP).await?;
    ctx.report_progress(100.0, Some(100.0), Some("Done"))
        .await?;
    Ok("Progress test completed")
}

/// Always fails with a tool error.
#[tool]
async fn test_error_handling() -> Result<String, Error> {
    Err(Error::tool(
        "This tool intentionally returns an error for testing",
    ))
}

/// Asks the client's model to answer a prompt (`sampling/createMessage`).
#[tool]
async fn test_sampling(
    #[arg(description = "The prompt to send to the LLM")] prompt: String,
    ctx: &Context,
) -> Result<String, Error> {
    let answer = ctx.sample_text(&prompt, 100).await?;
    Ok(format!("LLM response: {answer}"))
}

/// What `test_elicitation` asks the user for.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema)]
struct UserInfo {
    /// User's response
    username: String,
    /// User's email address
    email: String,
}

/// Asks the user for a username and an email address (`elicitation/create`).
#[tool]
async fn test_elicitation(
    #[arg(description = "The message to show the user")] message: String,
    ctx: &Context,
) -> Result<String, Error> {
    let answer = ctx.elicit::<UserInfo>(&message).await?;
    Ok(match answer {
        Elicited::Accept(info) => format!(
            "User response: action=accept, content={}",
            serde_json::to_string(&info).map_err(|e| Error::internal(e.to_string()))?
        ),
        Elicited::Decline => "User response: action=decline".to_owned(),
        Elicited::Cancel => "User response: action=cancel".to_owned(),
    })
}

/// `action=..., content=...` of an elicitation result.
pub(crate) fn describe(r: &ElicitResult) -> String {
    let action = serde_json::to_value(r.action).unwrap_or(Value::Null);
    let action = action.as_str().unwrap_or("unknown");
    let content = r
        .content
        .as_ref()
        .map_or_else(|| "{}".to_owned(), |c| Value::Object(c.clone()).to_string());
    format!("action={action}, content={content}")
}

/// Elicits a form whose fields all carry defaults (SEP-1034).
#[tool]
async fn test_elicitation_sep1034_defaults(ctx: &Context) -> Result<String, Error> {
    let schema = json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    });
    let r = ctx
        .elicit_raw(
            "Please review and update the form fields with defaults",
            schema,
        )
        .await?;
    Ok(format!("Elicitation completed: {}", describe(&r)))
}

/// Elicits a form with the five enum shapes of SEP-1330.
#[tool]
async fn test_elicitation_sep1330_enums(ctx: &Context) -> Result<String, Error> {
    let schema = json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Untitled single-select",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Titled single-select",
                "oneOf": [
                    { "const": "value1", "title": "First Option" },
                    { "const": "value2", "title": "Second Option" },
                    { "const": "value3", "title": "Third Option" }
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Legacy titled enum",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Untitled multi-select",
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            "titledMulti": {
                "type": "array",
                "description": "Titled multi-select",
                "items": {
                    "anyOf": [
                        { "const": "value1", "title": "First Choice" },
                        { "const": "value2", "title": "Second Choice" },
                        { "const": "value3", "title": "Third Choice" }
                    ]
                }
            }
        },
        "required": []
    });
    let r = ctx
        .elicit_raw("Please select options from the enum fields", schema)
        .await?;
    Ok(format!("Elicitation completed: {}", describe(&r)))
}

/// The name of the JSON Schema 2020-12 fixture.
pub const JSON_SCHEMA_TOOL: &str = "json_schema_2020_12_tool";

/// The input schema of [`JSON_SCHEMA_TOOL`]: the keywords SEP-1613 and SEP-2106 require a
/// server to pass through untouched.
pub fn json_schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "addressDef",
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": {
            "properties": { "contactMethod": { "const": "phone" } },
            "required": ["contactMethod"]
        },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    })
}

/// A tool with a hand-written input schema (a macro would generate its own).
fn json_schema_tool() -> FnTool {
    let tool = Tool::new(JSON_SCHEMA_TOOL, json_schema_2020_12())
        .with_description("Tool with JSON Schema 2020-12 features");
    FnTool::new(tool, |_ctx: Context, args: ToolArguments| async move {
        let args = args.to_map()?;
        Ok(CallToolResult::text(format!(
            "Received: {}",
            Value::Object(args)
        )))
    })
}

/// A slow call for SSE polling (SEP-1699). Over HTTP the transport is meant to close the
/// response stream while it runs; over stdio it simply answers after a pause.
#[tool]
async fn test_reconnection(ctx: &Context) -> Result<&'static str, Error> {
    ctx.sleep(Duration::from_millis(100)).await?;
    Ok("Reconnection test completed")
}

/// Register the tools of this module.
pub fn register(server: Server) -> Server {
    server
        .tool(test_simple_text)
        .tool(test_image_content)
        .tool(test_audio_content)
        .tool(test_embedded_resource)
        .tool(test_multiple_content_types)
        .tool(test_tool_with_logging)
        .tool(test_tool_with_progress)
        .tool(test_error_handling)
        .tool(test_sampling)
        .tool(test_elicitation)
        .tool(test_elicitation_sep1034_defaults)
        .tool(test_elicitation_sep1330_enums)
        .tool(json_schema_tool())
        .tool(test_reconnection)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fastmcp::core::elicitation_schema;

    #[test]
    fn user_info_schema_is_a_flat_form() {
        let s = elicitation_schema::<UserInfo>();
        assert_eq!(s["properties"]["username"]["type"], "string");
        assert_eq!(
            s["properties"]["email"]["description"],
            "User's email address"
        );
        assert_eq!(s["required"], json!(["username", "email"]));
    }
}
