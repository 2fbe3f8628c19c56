//! Deserialization of every protocol type (request params, results, notifications'
//! params, content blocks, capabilities, schemas), for every era: the types are shared by
//! all versions, with the fields of some versions optional. The first byte picks the type,
//! the rest is the JSON.
//!
//! Checks: nothing panics; a value that deserializes serializes again, and that JSON
//! deserializes to a value that serializes to the same JSON (the round trip is stable).
#![no_main]

use fastmcp_protocol as p;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Deserialize `json` as `T`; when it succeeds, check the round trip.
fn check<T: DeserializeOwned + Serialize>(json: &[u8]) {
    let Ok(v) = serde_json::from_slice::<T>(json) else {
        return;
    };
    let first: Value = serde_json::to_value(&v).expect("a deserialized value serializes");
    let again: T = match serde_json::from_value(first.clone()) {
        Ok(t) => t,
        Err(e) => panic!("serialized form does not deserialize: {e}: {first}"),
    };
    let second = serde_json::to_value(&again).expect("serializes");
    assert_eq!(first, second, "round trip is not stable");
}

/// The types, by selector.
macro_rules! types {
    ($sel:expr, $json:expr; $($t:ty),+ $(,)?) => {{
        const TYPES: &[&str] = &[$(stringify!($t)),+];
        let mut i = usize::from($sel) % TYPES.len();
        $(
            if i == 0 {
                check::<$t>($json);
            }
            i = i.wrapping_sub(1);
        )+
        let _ = i;
    }};
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, json)) = data.split_first() else {
        return;
    };
    types!(sel, json;
        // Lifecycle (handshake era) and discovery (stateless era).
        p::InitializeRequestParams, p::InitializeResult, p::DiscoverResult,
        p::ClientCapabilities, p::ServerCapabilities, p::Implementation,
        p::RequestParams, p::RequestMeta, p::NotificationParams, p::EmptyResult,
        p::PaginatedRequestParams, p::SetLevelRequestParams,
        // Tools.
        p::CallToolRequestParams, p::CallToolResult, p::ListToolsResult, p::Tool,
        p::ToolAnnotations, p::ToolExecution,
        // Resources.
        p::ReadResourceRequestParams, p::ReadResourceResult, p::ListResourcesResult,
        p::ListResourceTemplatesResult, p::Resource, p::ResourceTemplate,
        p::SubscribeRequestParams, p::UnsubscribeRequestParams,
        p::ResourceUpdatedNotificationParams,
        // Prompts and completion.
        p::GetPromptRequestParams, p::GetPromptResult, p::ListPromptsResult, p::Prompt,
        p::PromptMessage, p::CompleteRequestParams, p::CompleteResult, p::Reference,
        // Content.
        p::ContentBlock, p::TextContent, p::ImageContent, p::AudioContent,
        p::EmbeddedResource, p::ResourceLink, p::TextResourceContents,
        p::BlobResourceContents, p::Annotations, p::Icon,
        // Sampling, roots, elicitation.
        p::CreateMessageRequestParams, p::CreateMessageResult, p::SamplingMessage,
        p::SamplingMessageContentBlock, p::ToolUseContent, p::ToolResultContent,
        p::ModelPreferences, p::ToolChoice, p::ListRootsResult, p::Root,
        p::ElicitRequestFormParams, p::ElicitRequestUrlParams, p::ElicitResult,
        p::RequestedSchema, p::StringSchema, p::NumberSchema, p::BooleanSchema,
        p::UntitledSingleSelectEnumSchema, p::TitledSingleSelectEnumSchema,
        p::UntitledMultiSelectEnumSchema, p::TitledMultiSelectEnumSchema,
        p::LegacyTitledEnumSchema,
        // Notifications.
        p::CancelledNotificationParams, p::ProgressNotificationParams,
        p::LoggingMessageNotificationParams, p::ElicitationCompleteNotificationParams,
        // Multi-round-trip requests (stateless era).
        p::InputRequiredResult, p::InputResponseRequestParams, p::InputRequests,
        p::InputResponses,
        // Subscriptions (stateless era).
        p::SubscriptionsListenRequestParams, p::SubscriptionsListenResult,
        p::SubscriptionsAcknowledgedNotificationParams, p::SubscriptionFilter,
        // Tasks (both the handshake-era core tasks and the extension's).
        p::Task, p::TaskMetadata, p::CreateTaskResult, p::GetTaskRequestParams,
        p::GetTaskResult, p::ListTasksResult, p::GetTaskPayloadResult,
        p::UpdateTaskRequestParams, p::TaskStatusNotificationParams,
        p::CreateExtensionTaskResult, p::GetExtensionTaskResult, p::DetailedTask,
        p::ExtensionTask, p::TaskNotificationParams,
        // The envelope's pieces.
        p::RequestId, p::ErrorObject,
    );
});
