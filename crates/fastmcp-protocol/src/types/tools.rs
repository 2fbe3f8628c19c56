//! Tools: listing and calling.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::{
    CacheScope, ContentBlock, Cursor, Icon, InputResponses, JsonObject, Meta, ResultType,
    TaskMetadata, TaskSupport,
};

/// Definition of a tool the client can call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// Programmatic name of the tool.
    pub name: String,
    /// Human-readable display name (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A human-readable description of the tool, a hint to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A JSON Schema object (`"type": "object"` at the root) for the tool's arguments.
    pub input_schema: Value,
    /// A JSON Schema for the tool's `structuredContent` (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<Value>,
    /// Optional additional tool information (2025-03-26 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Execution-related properties (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Icons for display in a user interface (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Vec<Icon>>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Default for Tool {
    /// A nameless tool taking an empty object.
    fn default() -> Self {
        Tool {
            name: String::new(),
            title: None,
            description: None,
            input_schema: serde_json::json!({"type": "object"}),
            output_schema: None,
            annotations: None,
            execution: None,
            icons: None,
            meta: None,
        }
    }
}

impl Tool {
    /// A tool named `name` whose arguments follow `input_schema`.
    pub fn new(name: impl Into<String>, input_schema: Value) -> Self {
        Tool {
            name: name.into(),
            input_schema,
            ..Default::default()
        }
    }

    /// Set the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// Additional properties describing a tool to clients. All are hints, not guarantees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A human-readable title for the tool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// If true, the tool does not modify its environment (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// If true, the tool may perform destructive updates (default true; meaningful when not read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// If true, repeated calls with the same arguments have no additional effect (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// If true, the tool may interact with an "open world" of external entities (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
    /// Members not named by the schema, kept as they are.
    #[serde(flatten)]
    pub extra: JsonObject,
}

/// Execution-related properties of a tool (2025-11-25).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ToolExecution {
    /// Whether the tool supports task-augmented execution (default `forbidden`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
}

/// Params of `tools/call`.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CallToolRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The name of the tool.
    pub name: String,
    /// The arguments, kept raw so the handler parses them once into its own type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Box<RawValue>>,
    /// Run the call as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Responses to the input requests of an earlier `input_required` result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// The opaque state of an earlier `input_required` result, echoed back (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
}

impl PartialEq for CallToolRequestParams {
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
            && self.name == other.name
            && self.arguments.as_ref().map(|a| a.get()) == other.arguments.as_ref().map(|a| a.get())
            && self.task == other.task
            && self.input_responses == other.input_responses
            && self.request_state == other.request_state
    }
}

impl CallToolRequestParams {
    /// A call of `name` with these arguments (serialized now).
    pub fn new(name: impl Into<String>, arguments: &impl Serialize) -> Self {
        CallToolRequestParams {
            name: name.into(),
            arguments: Some(crate::jsonrpc::to_raw(arguments)),
            ..Default::default()
        }
    }

    /// Parse the arguments into `T`; absent arguments parse as `{}`.
    pub fn arguments_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.arguments.as_ref().map_or("{}", |a| a.get()))
    }
}

/// The result of `tools/call`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The unstructured result of the call.
    pub content: Vec<ContentBlock>,
    /// The structured result, conforming to the tool's `outputSchema` (2025-06-18 and later;
    /// an object before 2026-07-28, any JSON value since).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the call ended in an error (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CallToolResult {
    /// A successful result with these content blocks.
    pub fn new(content: Vec<ContentBlock>) -> Self {
        CallToolResult {
            content,
            ..Default::default()
        }
    }

    /// A successful result holding one text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self::new(vec![ContentBlock::text(text)])
    }

    /// A tool error (`isError: true`) holding one text block.
    pub fn error_text(text: impl Into<String>) -> Self {
        CallToolResult {
            is_error: Some(true),
            ..Self::text(text)
        }
    }

    /// A result with `structuredContent` and, for older clients, its JSON as a text block.
    pub fn structured(value: Value) -> Self {
        CallToolResult {
            content: vec![ContentBlock::text(value.to_string())],
            structured_content: Some(value),
            ..Default::default()
        }
    }

    /// Whether this is a tool error.
    pub fn is_error(&self) -> bool {
        self.is_error == Some(true)
    }
}

/// The result of `tools/list`. `T` is how a tool is held: [`Tool`], or (to send tool
/// definitions serialized once) a `&RawValue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListToolsResult<T = Tool> {
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The tools.
    pub tools: Vec<T>,
    /// The cursor of the next page, if there are more results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// How long the result may be cached, in milliseconds (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may cache the result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl<T> Default for ListToolsResult<T> {
    fn default() -> Self {
        ListToolsResult {
            result_type: None,
            tools: Vec::new(),
            next_cursor: None,
            ttl_ms: None,
            cache_scope: None,
            meta: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn arguments_stay_raw() {
        let p: CallToolRequestParams =
            serde_json::from_str(r#"{"name":"add","arguments":{"a":1,"b":2}}"#).unwrap();
        assert_eq!(p.arguments.as_ref().unwrap().get(), r#"{"a":1,"b":2}"#);
        let v: Value = p.arguments_as().unwrap();
        assert_eq!(v, json!({"a":1,"b":2}));
        let empty: CallToolRequestParams = serde_json::from_str(r#"{"name":"x"}"#).unwrap();
        assert_eq!(empty.arguments_as::<Value>().unwrap(), json!({}));
    }

    #[test]
    fn constructors() {
        let r = CallToolResult::structured(json!({"a":1}));
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"content":[{"type":"text","text":"{\"a\":1}"}],"structuredContent":{"a":1}})
        );
        assert!(CallToolResult::error_text("no").is_error());
        assert_eq!(
            serde_json::to_value(Tool::new("t", json!({"type":"object"}))).unwrap(),
            json!({"name":"t","inputSchema":{"type":"object"}})
        );
    }
}
