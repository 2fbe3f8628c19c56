//! `_meta` objects and their well-known keys.

use serde::{Deserialize, Serialize};

use crate::RequestId;

use super::{ClientCapabilities, Implementation, LoggingLevel};

/// A JSON object (`JSONObject` in the schema).
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// The `_meta` member of params, results and content: a JSON object.
pub type Meta = serde_json::Map<String, serde_json::Value>;

/// A progress token: a string or an integer (same shape as a request id).
pub type ProgressToken = RequestId;

/// `_meta` key: the protocol version of a 2026-07-28 request.
pub const META_PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
/// `_meta` key: the client's [`Implementation`] on a 2026-07-28 request.
pub const META_CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
/// `_meta` key: the client's [`ClientCapabilities`] on a 2026-07-28 request.
pub const META_CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
/// `_meta` key: the [`LoggingLevel`] the client wants for a 2026-07-28 request.
pub const META_LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
/// `_meta` key: the server's [`Implementation`] on a 2026-07-28 result.
pub const META_SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
/// `_meta` key: the `subscriptions/listen` request a notification belongs to (2026-07-28).
pub const META_SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
/// `_meta` key: the task a message relates to (2025-11-25).
pub const META_RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
/// `_meta` key: the progress token of a request.
pub const META_PROGRESS_TOKEN: &str = "progressToken";

/// The well-known members of a request's `_meta` (`RequestMetaObject` in 2026-07-28),
/// read from or written to a [`Meta`]. Other members are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RequestMeta {
    /// The protocol version of the request (required in 2026-07-28).
    #[serde(
        rename = "io.modelcontextprotocol/protocolVersion",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub protocol_version: Option<String>,
    /// The client's capabilities for this request (required in 2026-07-28).
    #[serde(
        rename = "io.modelcontextprotocol/clientCapabilities",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_capabilities: Option<ClientCapabilities>,
    /// The client software making the request.
    #[serde(
        rename = "io.modelcontextprotocol/clientInfo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub client_info: Option<Implementation>,
    /// The desired log level for this request; absent means no log notifications.
    #[serde(
        rename = "io.modelcontextprotocol/logLevel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub log_level: Option<LoggingLevel>,
    /// Requests out-of-band progress notifications carrying this token.
    #[serde(
        rename = "progressToken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub progress_token: Option<ProgressToken>,
    /// Any other members.
    #[serde(flatten)]
    pub extra: Meta,
}

impl RequestMeta {
    /// Read the well-known members out of a `_meta` object.
    pub fn from_meta(meta: &Meta) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::Value::Object(meta.clone()))
    }

    /// Write this back into a `_meta` object.
    pub fn to_meta(&self) -> Meta {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => Meta::new(),
        }
    }
}

/// The progress token in an optional `_meta`, if there is a valid one.
pub fn progress_token(meta: Option<&Meta>) -> Option<ProgressToken> {
    let v = meta?.get(META_PROGRESS_TOKEN)?;
    serde_json::from_value(v.clone()).ok()
}
