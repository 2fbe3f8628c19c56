//! Tasks: durable, pollable execution of requests. The core feature of 2025-11-25
//! (`tasks/get|result|list|cancel`, a `task` param on the request) and the tasks extension
//! of 2026-07-28 (`io.modelcontextprotocol/tasks`, SEP-2663: server-directed creation,
//! `tasks/get|update|cancel`, results and input requests inlined on `tasks/get`).

use serde::{Deserialize, Serialize};

use super::{Cursor, InputRequests, InputResponses, JsonObject, Meta, ResultType};
use crate::ErrorObject;

/// The identifier of the tasks extension (2026-07-28), under `capabilities.extensions`
/// and `clientCapabilities.extensions`.
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// Whether a tool supports task-augmented execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// The tool cannot run as a task (the default).
    #[default]
    Forbidden,
    /// The tool may run as a task.
    Optional,
    /// The tool must run as a task.
    Required,
}

/// The state of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// The request is being processed.
    #[default]
    Working,
    /// The task needs input from the requestor.
    InputRequired,
    /// The request completed successfully.
    Completed,
    /// The request failed.
    Failed,
    /// The task was cancelled.
    Cancelled,
}

impl TaskStatus {
    /// Whether the task has finished (completed, failed or cancelled).
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }
}

/// Asks for a request to run as a task (the `task` member of request params).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TaskMetadata {
    /// Requested retention from creation, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

/// Links a message to a task (the value under [`META_RELATED_TASK`](super::META_RELATED_TASK)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task id.
    pub task_id: String,
}

/// Data associated with a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task identifier.
    pub task_id: String,
    /// The current state.
    pub status: TaskStatus,
    /// A human-readable message describing the current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// ISO 8601 timestamp of creation.
    pub created_at: String,
    /// ISO 8601 timestamp of the last update.
    pub last_updated_at: String,
    /// Retention from creation in milliseconds; `None` (written `null`) for unlimited.
    /// Always serialized: the member is required.
    #[serde(default)]
    pub ttl: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
}

/// The result of a task-augmented request: the task that was created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskResult {
    /// The task.
    pub task: Task,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Params of `tasks/get`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task to query.
    pub task_id: String,
}

/// Params of `tasks/result` (same shape as [`GetTaskRequestParams`]).
pub type GetTaskPayloadRequestParams = GetTaskRequestParams;
/// Params of `tasks/cancel` (same shape as [`GetTaskRequestParams`]).
pub type CancelTaskRequestParams = GetTaskRequestParams;
/// Params of `tasks/list`.
pub type ListTasksRequestParams = super::PaginatedRequestParams;

/// The result of `tasks/get`: the task, with result metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GetTaskResult {
    /// The task's fields.
    #[serde(flatten)]
    pub task: Task,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The result of `tasks/cancel` (same shape as [`GetTaskResult`]).
pub type CancelTaskResult = GetTaskResult;

/// The result of `tasks/result`: the result of the original request (e.g. a
/// [`CallToolResult`](super::CallToolResult)), kept as a JSON object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GetTaskPayloadResult {
    /// The members of the original request's result, including `_meta`.
    #[serde(flatten)]
    pub result: JsonObject,
}

/// The result of `tasks/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// The tasks.
    pub tasks: Vec<Task>,
    /// The cursor of the next page, if there are more results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Params of `notifications/tasks/status`: the task, with notification metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaskStatusNotificationParams {
    /// The task's fields.
    #[serde(flatten)]
    pub task: Task,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

// ----- the tasks extension (2026-07-28, SEP-2663) -----

/// A task as the tasks extension writes it (`Task` of SEP-2663): durations are integer
/// milliseconds under `ttlMs` and `pollIntervalMs`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ExtensionTask {
    /// The task identifier.
    pub task_id: String,
    /// The current state.
    pub status: TaskStatus,
    /// A human-readable message describing the current state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// ISO 8601 timestamp of creation.
    pub created_at: String,
    /// ISO 8601 timestamp of the last update.
    pub last_updated_at: String,
    /// Retention from creation in milliseconds; `None` (written `null`) for unlimited.
    /// Always serialized: the member is required.
    #[serde(default)]
    pub ttl_ms: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
}

/// The result of a request that became a task (`resultType: "task"`): the task's fields,
/// flat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateExtensionTaskResult {
    /// Always [`ResultType::Task`].
    pub result_type: ResultType,
    /// The task.
    #[serde(flatten)]
    pub task: ExtensionTask,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CreateExtensionTaskResult {
    /// The result announcing `task`.
    pub fn new(task: ExtensionTask) -> Self {
        CreateExtensionTaskResult {
            result_type: ResultType::Task,
            task,
            meta: None,
        }
    }
}

/// A task with what its status carries (`DetailedTask`): the `result` of a completed task,
/// the JSON-RPC `error` of a failed one, the pending `inputRequests` of one that waits for
/// input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct DetailedTask {
    /// The task's fields.
    #[serde(flatten)]
    pub task: ExtensionTask,
    /// The result of the original request (`completed`), e.g. a `CallToolResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<JsonObject>,
    /// The JSON-RPC error the request ended with (`failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    /// The input requests still unanswered (`input_required`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
}

/// The result of `tasks/get` in the tasks extension: a [`DetailedTask`] with
/// `resultType: "complete"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct GetExtensionTaskResult {
    /// Always [`ResultType::Complete`].
    pub result_type: ResultType,
    /// The task and its payload.
    #[serde(flatten)]
    pub task: DetailedTask,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Params of `tasks/update` (tasks extension): answers to a task's input requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The task to update.
    pub task_id: String,
    /// Responses to the task's outstanding input requests, by their keys.
    #[serde(default)]
    pub input_responses: InputResponses,
}

/// Params of `notifications/tasks` (tasks extension): the task as `tasks/get` would show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TaskNotificationParams {
    /// The task and its payload.
    #[serde(flatten)]
    pub task: DetailedTask,
    /// Notification metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ttl_is_always_written() {
        let t = Task {
            task_id: "t".into(),
            created_at: "2025-01-01T00:00:00Z".into(),
            last_updated_at: "2025-01-01T00:00:00Z".into(),
            ..Default::default()
        };
        let v = serde_json::to_value(GetTaskResult {
            task: t,
            meta: None,
        })
        .unwrap();
        assert_eq!(v["ttl"], json!(null));
        assert_eq!(v["status"], json!("working"));
        let back: GetTaskResult = serde_json::from_value(v).unwrap();
        assert_eq!(back.task.task_id, "t");
        assert_eq!(
            serde_json::to_value(TaskStatus::InputRequired).unwrap(),
            json!("input_required")
        );
    }

    #[test]
    fn extension_shapes_are_flat() {
        let task = ExtensionTask {
            task_id: "t".into(),
            status: TaskStatus::Working,
            created_at: "2026-01-01T00:00:00Z".into(),
            last_updated_at: "2026-01-01T00:00:00Z".into(),
            ttl_ms: Some(60_000),
            poll_interval_ms: Some(500),
            ..Default::default()
        };
        let v = serde_json::to_value(CreateExtensionTaskResult::new(task.clone())).unwrap();
        assert_eq!(
            v,
            json!({
                "resultType": "task", "taskId": "t", "status": "working",
                "createdAt": "2026-01-01T00:00:00Z", "lastUpdatedAt": "2026-01-01T00:00:00Z",
                "ttlMs": 60000, "pollIntervalMs": 500
            })
        );
        let get = GetExtensionTaskResult {
            result_type: ResultType::Complete,
            task: DetailedTask {
                task: ExtensionTask {
                    status: TaskStatus::Failed,
                    ttl_ms: None,
                    ..task
                },
                error: Some(ErrorObject::new(-32603, "boom")),
                ..Default::default()
            },
            meta: None,
        };
        let v = serde_json::to_value(&get).unwrap();
        assert_eq!(v["ttlMs"], json!(null));
        assert_eq!(v["error"]["code"], json!(-32603));
        assert!(v.get("result").is_none());
        assert_eq!(
            serde_json::from_value::<GetExtensionTaskResult>(v).unwrap(),
            get
        );
        let u: UpdateTaskRequestParams = serde_json::from_value(json!({
            "taskId": "t", "inputResponses": {"k": {"action": "accept", "content": {"x": 1}}}
        }))
        .unwrap();
        assert_eq!(u.input_responses.len(), 1);
    }
}
