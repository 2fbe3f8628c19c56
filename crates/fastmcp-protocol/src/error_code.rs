//! JSON-RPC and MCP error codes.

/// Invalid JSON was received.
pub const PARSE_ERROR: i32 = -32700;
/// The JSON sent is not a valid request object.
pub const INVALID_REQUEST: i32 = -32600;
/// The method does not exist or is not available.
pub const METHOD_NOT_FOUND: i32 = -32601;
/// Invalid method parameters.
pub const INVALID_PARAMS: i32 = -32602;
/// Internal error.
pub const INTERNAL_ERROR: i32 = -32603;
/// A resource was not found (MCP).
pub const RESOURCE_NOT_FOUND: i32 = -32002;
/// URL-mode elicitation is required before the request can go on (2025-11-25 and later).
pub const URL_ELICITATION_REQUIRED: i32 = -32042;
/// HTTP headers do not match the body (2026-07-28).
pub const HEADER_MISMATCH: i32 = -32020;
/// The request needs a client capability that was not declared (2026-07-28).
pub const MISSING_REQUIRED_CLIENT_CAPABILITY: i32 = -32021;
/// The protocol version of the request is not supported (2026-07-28).
pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
/// The request was cancelled (used internally and by some peers; not sent for cancelled requests).
pub const REQUEST_CANCELLED: i32 = -32800;
/// A request did not finish within its time budget (implementation-defined server error).
pub const REQUEST_TIMEOUT: i32 = -32001;
/// A limit of the server was reached (requests in flight, subscriptions, running tasks,
/// batch size); the request was refused and may be retried later (implementation-defined
/// server error).
pub const LIMIT_EXCEEDED: i32 = -32029;
