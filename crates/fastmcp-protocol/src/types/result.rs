//! Fields common to results: `resultType`, caching hints, the empty result.

use serde::{Deserialize, Serialize};

use super::Meta;

/// The kind of a result (2026-07-28). Absent means `complete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum ResultType {
    /// The request completed; the result holds the final content.
    #[default]
    #[serde(rename = "complete")]
    Complete,
    /// More input is needed; the result is an [`InputRequiredResult`](super::InputRequiredResult).
    #[serde(rename = "input_required")]
    InputRequired,
    /// The request became a task (tasks extension, `io.modelcontextprotocol/tasks`); the
    /// result is a [`CreateExtensionTaskResult`](super::CreateExtensionTaskResult).
    #[serde(rename = "task")]
    Task,
}

impl ResultType {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResultType::Complete => "complete",
            ResultType::InputRequired => "input_required",
            ResultType::Task => "task",
        }
    }
}

/// Who may cache a cacheable result (2026-07-28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Any client or intermediary may reuse it.
    Public,
    /// Only for the requesting user.
    Private,
}

/// A result with no content (e.g. the answer to `ping`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct EmptyResult {
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The kind of result (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
}
