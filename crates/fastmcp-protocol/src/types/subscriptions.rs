//! `subscriptions/listen` (2026-07-28): a long-lived request over which the server sends
//! the change notifications the client asked for.

use serde::{Deserialize, Serialize};

use super::{Meta, ResultType, META_SUBSCRIPTION_ID};
use crate::RequestId;

/// Which notifications a client wants (in a listen request) or will get (in the acknowledgement).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// `notifications/resources/updated` for these resource URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
}

/// Params of `subscriptions/listen`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The notifications wanted.
    pub notifications: SubscriptionFilter,
}

/// The result of `subscriptions/listen`, sent only when the server ends the subscription
/// gracefully. Its `_meta` carries the subscription id (required by the schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenResult {
    /// The kind of result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Result metadata, with [`META_SUBSCRIPTION_ID`].
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl SubscriptionsListenResult {
    /// The result closing the subscription opened by request `id`.
    pub fn closed(id: &RequestId) -> Self {
        let mut meta = Meta::new();
        meta.insert(
            META_SUBSCRIPTION_ID.to_owned(),
            serde_json::to_value(id).unwrap_or_default(),
        );
        SubscriptionsListenResult {
            result_type: Some(ResultType::Complete),
            meta: Some(meta),
        }
    }
}
