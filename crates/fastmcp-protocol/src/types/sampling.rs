//! Sampling (`sampling/createMessage`): the server asks the client's LLM for a message.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    dispatch_enum, num, tag, AudioContent, ContentBlock, ImageContent, JsonObject, Meta, Role,
    TaskMetadata, TextContent, Tool,
};

/// A model's request to use a tool (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseContent {
    /// Always `"tool_use"`.
    #[serde(rename = "type")]
    pub kind: tag::ToolUse,
    /// A unique identifier for this tool use, matched by a [`ToolResultContent`].
    pub id: String,
    /// The name of the tool to call.
    pub name: String,
    /// The arguments to pass to the tool.
    pub input: JsonObject,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The result of a tool use, provided back to the model (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultContent {
    /// Always `"tool_result"`.
    #[serde(rename = "type")]
    pub kind: tag::ToolResult,
    /// The id of the [`ToolUseContent`] this answers.
    pub tool_use_id: String,
    /// The unstructured result.
    pub content: Vec<ContentBlock>,
    /// The structured result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool use ended in an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

dispatch_enum! {
    /// A content block of a sampling message, chosen by `type`.
    pub enum SamplingMessageContentBlock by "type" {
        /// Text.
        "text" => Text(TextContent),
        /// An image.
        "image" => Image(ImageContent),
        /// Audio.
        "audio" => Audio(AudioContent),
        /// A tool use (2025-11-25 and later).
        "tool_use" => ToolUse(ToolUseContent),
        /// A tool result (2025-11-25 and later).
        "tool_result" => ToolResult(ToolResultContent),
    }
}

impl SamplingMessageContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        SamplingMessageContentBlock::Text(TextContent::new(text))
    }
}

/// The content of a sampling message: one block, or several (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SamplingContent {
    /// A single block.
    Single(SamplingMessageContentBlock),
    /// Several blocks.
    Multiple(Vec<SamplingMessageContentBlock>),
}

impl<'de> Deserialize<'de> for SamplingContent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        if v.is_array() {
            super::from_value(v).map(SamplingContent::Multiple)
        } else {
            super::from_value(v).map(SamplingContent::Single)
        }
    }
}

impl Default for SamplingContent {
    fn default() -> Self {
        SamplingContent::Multiple(Vec::new())
    }
}

impl SamplingContent {
    /// The blocks, as a slice.
    pub fn blocks(&self) -> &[SamplingMessageContentBlock] {
        match self {
            SamplingContent::Single(b) => std::slice::from_ref(b),
            SamplingContent::Multiple(v) => v,
        }
    }

    /// The text of the first text block, if any.
    pub fn first_text(&self) -> Option<&str> {
        self.blocks().iter().find_map(|b| match b {
            SamplingMessageContentBlock::Text(t) => Some(t.text.as_str()),
            _ => None,
        })
    }
}

impl SamplingContent {
    /// The tool calls among the blocks (what a model answers with when it uses tools).
    pub fn tool_uses(&self) -> impl Iterator<Item = &ToolUseContent> {
        self.blocks().iter().filter_map(|b| match b {
            SamplingMessageContentBlock::ToolUse(t) => Some(t),
            _ => None,
        })
    }
}

impl From<SamplingMessageContentBlock> for SamplingContent {
    fn from(b: SamplingMessageContentBlock) -> Self {
        SamplingContent::Single(b)
    }
}

/// A message issued to or received from an LLM API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SamplingMessage {
    /// Who the message is from.
    pub role: Role,
    /// The content.
    pub content: SamplingContent,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl SamplingMessage {
    /// A user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        SamplingMessage {
            role: Role::User,
            content: SamplingMessageContentBlock::text(text).into(),
            meta: None,
        }
    }
}

/// A hint to use for model selection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ModelHint {
    /// A hint for a model name; may be a substring (e.g. `"claude"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// The server's preferences for model selection. Priorities range from 0 to 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Hints for model selection, in order of preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<ModelHint>>,
    /// How much to prioritize cost.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub cost_priority: Option<f64>,
    /// How much to prioritize sampling speed (latency).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub speed_priority: Option<f64>,
    /// How much to prioritize intelligence and capabilities.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub intelligence_priority: Option<f64>,
}

/// How the model may use tools during sampling (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolChoice {
    /// The tool-use mode (default `auto`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
}

/// The tool-use mode of a [`ToolChoice`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides whether to use tools.
    Auto,
    /// The model must use at least one tool.
    Required,
    /// The model must not use tools.
    None,
}

/// Which servers' context to include in a sampling request (soft-deprecated in 2025-11-25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// No context.
    None,
    /// Context from this server.
    ThisServer,
    /// Context from all servers.
    AllServers,
}

/// Params of `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The conversation.
    pub messages: Vec<SamplingMessage>,
    /// The server's preferences for which model to select.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// An optional system prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Which servers' context to include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// The sampling temperature.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "num::opt_f64"
    )]
    pub temperature: Option<f64>,
    /// The maximum number of tokens to sample.
    pub max_tokens: u64,
    /// Sequences that stop sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata passed through to the LLM provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Tools the model may use (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use the tools (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

impl CreateMessageRequestParams {
    /// A request for at most `max_tokens` tokens continuing `messages`.
    ///
    /// ```
    /// use fastmcp_protocol::{CreateMessageRequestParams, SamplingMessage, Tool, ToolChoiceMode};
    /// let tool = Tool::new("get_weather", serde_json::json!({"type": "object"}));
    /// let p = CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Weather?")], 100)
    ///     .system_prompt("Be brief.")
    ///     .tools(vec![tool])
    ///     .tool_choice(ToolChoiceMode::Required);
    /// let v = serde_json::to_value(&p).unwrap();
    /// assert_eq!(v["tools"][0]["name"], "get_weather");
    /// assert_eq!(v["toolChoice"]["mode"], "required");
    /// ```
    pub fn new(messages: Vec<SamplingMessage>, max_tokens: u64) -> Self {
        CreateMessageRequestParams {
            messages,
            max_tokens,
            ..Default::default()
        }
    }

    /// The system prompt.
    pub fn system_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.system_prompt = Some(prompt.into());
        self
    }

    /// The sampling temperature.
    pub fn temperature(mut self, temperature: f64) -> Self {
        self.temperature = Some(temperature);
        self
    }

    /// Tools the model may use (the client must declare `sampling.tools`).
    pub fn tools(mut self, tools: Vec<Tool>) -> Self {
        self.tools = Some(tools);
        self
    }

    /// How the model may use the tools.
    pub fn tool_choice(mut self, mode: ToolChoiceMode) -> Self {
        self.tool_choice = Some(ToolChoice { mode: Some(mode) });
        self
    }
}

/// The client's answer to `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageResult {
    /// The role of the generated message.
    pub role: Role,
    /// The generated content.
    pub content: SamplingContent,
    /// The name of the model that generated the message.
    pub model: String,
    /// Why sampling stopped (`endTurn`, `stopSequence`, `maxTokens`, `toolUse` or other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn single_or_multiple_content() {
        let m: SamplingMessage =
            serde_json::from_value(json!({"role":"user","content":{"type":"text","text":"hi"}}))
                .unwrap();
        assert_eq!(m.content.first_text(), Some("hi"));
        assert!(matches!(m.content, SamplingContent::Single(_)));
        let m: SamplingMessage = serde_json::from_value(json!({"role":"assistant","content":[
            {"type":"tool_use","id":"1","name":"t","input":{}}]}))
        .unwrap();
        assert!(matches!(&m.content, SamplingContent::Multiple(v) if v.len() == 1));
    }
}
