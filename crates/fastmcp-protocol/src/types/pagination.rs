//! Request params shared by many methods, and pagination.

use serde::{Deserialize, Serialize};

use super::Meta;

/// An opaque token used to represent a cursor for pagination.
pub type Cursor = String;

/// Params holding only `_meta` (e.g. `ping`, `server/discover`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RequestParams {
    /// Request metadata (in 2026-07-28: protocol version, client info and capabilities).
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Params of a paginated list request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// The position to continue listing from, as returned in `nextCursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
}
