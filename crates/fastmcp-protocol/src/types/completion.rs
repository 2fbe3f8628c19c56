//! Argument completion (`completion/complete`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{dispatch_enum, tag, Meta, ResultType};

/// Identifies a prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PromptReference {
    /// Always `"ref/prompt"`.
    #[serde(rename = "type")]
    pub kind: tag::RefPrompt,
    /// The name of the prompt.
    pub name: String,
    /// Human-readable display name (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A reference to a resource or resource template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplateReference {
    /// Always `"ref/resource"`.
    #[serde(rename = "type")]
    pub kind: tag::RefResource,
    /// The URI or URI template of the resource.
    pub uri: String,
}

/// The name of [`ResourceTemplateReference`] before 2025-06-18.
pub type ResourceReference = ResourceTemplateReference;

dispatch_enum! {
    /// What a completion is for, chosen by `type`.
    pub enum Reference by "type" {
        /// A prompt argument.
        "ref/prompt" => Prompt(PromptReference),
        /// A resource template variable.
        "ref/resource" => Resource(ResourceTemplateReference),
    }
}

/// The argument being completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CompletionArgument {
    /// The name of the argument.
    pub name: String,
    /// The value typed so far.
    pub value: String,
}

/// Additional context for completions (2025-06-18 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CompletionContext {
    /// Previously-resolved variables in a URI template or prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<BTreeMap<String, String>>,
}

/// Params of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The prompt or resource template the argument belongs to.
    pub r#ref: Reference,
    /// The argument being completed.
    pub argument: CompletionArgument,
    /// Additional context (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<CompletionContext>,
}

/// The completion values of a [`CompleteResult`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// Completion values, at most 100.
    pub values: Vec<String>,
    /// The total number of options available, which may exceed the values sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether there are more options beyond those sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

/// The result of `completion/complete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CompleteResult {
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The completions.
    pub completion: Completion,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CompleteResult {
    /// A result with these values (`total` and `hasMore` left out).
    pub fn new(values: Vec<String>) -> Self {
        CompleteResult {
            completion: Completion {
                values,
                ..Default::default()
            },
            ..Default::default()
        }
    }
}

/// The params of `completion/complete` for `argument` (typed so far: `value`) of the
/// prompt or template `reference` (`{"type": "ref/prompt", "name": …}` or
/// `{"type": "ref/resource", "uri": …}`), with the values of the other arguments as
/// context (left out when there are none).
///
/// ```
/// let r = serde_json::json!({ "type": "ref/prompt", "name": "review" });
/// let p = fastmcp_protocol::complete_params(r, "lang".into(), "ru".into(), Default::default());
/// assert_eq!(p["argument"]["value"], "ru");
/// assert!(p.get("context").is_none());
/// ```
pub fn complete_params(
    reference: serde_json::Value,
    argument: String,
    value: String,
    context: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let mut p =
        serde_json::json!({ "ref": reference, "argument": { "name": argument, "value": value } });
    if !context.is_empty() {
        p["context"] = serde_json::json!({ "arguments": context });
    }
    p
}
