//! The framework's error type, with its JSON-RPC code mapping.

use std::fmt;

use fastmcp_protocol::{error_code, ErrorObject};

/// What kind of failure an [`Error`] is; decides the JSON-RPC code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Invalid JSON (-32700).
    Parse,
    /// Not a valid JSON-RPC request (-32600).
    InvalidRequest,
    /// Unknown method (-32601).
    MethodNotFound,
    /// Invalid params, unknown tool or prompt (-32602).
    InvalidParams,
    /// A failure inside the server (-32603).
    Internal,
    /// The resource does not exist (-32002).
    ResourceNotFound,
    /// URL-mode elicitation must happen first (-32042).
    UrlElicitationRequired,
    /// HTTP headers and body disagree (-32020).
    HeaderMismatch,
    /// A required client capability is missing (-32021).
    MissingClientCapability,
    /// The protocol version is not supported (-32022).
    UnsupportedVersion,
    /// The request was cancelled.
    Cancelled,
    /// The request's budget ran out.
    Timeout,
    /// A limit of the server was reached (-32029); retrying later may succeed.
    LimitExceeded,
    /// The handler needs input from the client (stateless era: ends the round with
    /// `input_required`). Not an error the client sees.
    InputRequired,
    /// A tool failed: reported to the model as a tool result with `isError: true`.
    Tool,
    /// The connection is closed or a transport failed.
    Transport,
    /// The peer answered with a JSON-RPC error of some other code.
    Remote(i32),
}

/// The error of every fallible operation in FastMCP.
///
/// ```
/// use fastmcp_core::{Error, ErrorKind};
/// let e = Error::invalid_params("missing field `a`");
/// assert_eq!(e.kind(), ErrorKind::InvalidParams);
/// assert_eq!(e.code(), -32602);
/// ```
pub struct Error {
    kind: ErrorKind,
    message: String,
    data: Option<serde_json::Value>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of a kind with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            data: None,
            source: None,
        }
    }

    /// Invalid params (-32602).
    pub fn invalid_params(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParams, message)
    }

    /// Invalid request (-32600).
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidRequest, message)
    }

    /// Method not found (-32601).
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            ErrorKind::MethodNotFound,
            format!("Method not found: {method}"),
        )
    }

    /// Internal error (-32603).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Resource not found (-32002), with the URI in `data`.
    pub fn resource_not_found(uri: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("Resource not found: {uri}"),
        )
        .with_data(serde_json::json!({ "uri": uri }))
    }

    /// A tool failure shown to the model (`isError: true`).
    pub fn tool(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Tool, message)
    }

    /// Cancelled.
    pub fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "Request cancelled")
    }

    /// A limit of the server was reached (-32029); the message names it.
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::LimitExceeded, message)
    }

    /// Budget exhausted.
    pub fn timeout() -> Self {
        Self::new(ErrorKind::Timeout, "Request timed out")
    }

    /// Transport failure or closed connection.
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transport, message)
    }

    /// Attach `data` (sent as the JSON-RPC error's `data`).
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }

    /// Attach the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The data, if any.
    pub fn data(&self) -> Option<&serde_json::Value> {
        self.data.as_ref()
    }

    /// The JSON-RPC error code of this error.
    pub fn code(&self) -> i32 {
        match self.kind {
            ErrorKind::Parse => error_code::PARSE_ERROR,
            ErrorKind::InvalidRequest => error_code::INVALID_REQUEST,
            ErrorKind::MethodNotFound => error_code::METHOD_NOT_FOUND,
            ErrorKind::InvalidParams => error_code::INVALID_PARAMS,
            ErrorKind::ResourceNotFound => error_code::RESOURCE_NOT_FOUND,
            ErrorKind::UrlElicitationRequired => error_code::URL_ELICITATION_REQUIRED,
            ErrorKind::HeaderMismatch => error_code::HEADER_MISMATCH,
            ErrorKind::MissingClientCapability => error_code::MISSING_REQUIRED_CLIENT_CAPABILITY,
            ErrorKind::UnsupportedVersion => error_code::UNSUPPORTED_PROTOCOL_VERSION,
            ErrorKind::Cancelled => error_code::REQUEST_CANCELLED,
            ErrorKind::Timeout => error_code::REQUEST_TIMEOUT,
            ErrorKind::LimitExceeded => error_code::LIMIT_EXCEEDED,
            ErrorKind::Remote(code) => code,
            ErrorKind::Internal
            | ErrorKind::InputRequired
            | ErrorKind::Tool
            | ErrorKind::Transport => error_code::INTERNAL_ERROR,
        }
    }

    /// The JSON-RPC error object for this error.
    pub fn to_error_object(&self) -> ErrorObject {
        ErrorObject {
            code: self.code(),
            message: self.message.clone(),
            data: self.data.clone(),
        }
    }

    /// Build from an error object received from a peer.
    pub fn from_error_object(e: ErrorObject) -> Self {
        let kind = match e.code {
            error_code::PARSE_ERROR => ErrorKind::Parse,
            error_code::INVALID_REQUEST => ErrorKind::InvalidRequest,
            error_code::METHOD_NOT_FOUND => ErrorKind::MethodNotFound,
            error_code::INVALID_PARAMS => ErrorKind::InvalidParams,
            error_code::INTERNAL_ERROR => ErrorKind::Internal,
            error_code::RESOURCE_NOT_FOUND => ErrorKind::ResourceNotFound,
            error_code::URL_ELICITATION_REQUIRED => ErrorKind::UrlElicitationRequired,
            error_code::HEADER_MISMATCH => ErrorKind::HeaderMismatch,
            error_code::MISSING_REQUIRED_CLIENT_CAPABILITY => ErrorKind::MissingClientCapability,
            error_code::UNSUPPORTED_PROTOCOL_VERSION => ErrorKind::UnsupportedVersion,
            error_code::REQUEST_TIMEOUT => ErrorKind::Timeout,
            error_code::REQUEST_CANCELLED => ErrorKind::Cancelled,
            error_code::LIMIT_EXCEEDED => ErrorKind::LimitExceeded,
            other => ErrorKind::Remote(other),
        };
        Error {
            kind,
            message: e.message,
            data: e.data,
            source: None,
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(data) = &self.data {
            d.field("data", data);
        }
        if let Some(s) = &self.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::invalid_params(e.to_string()).with_source(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::transport(e.to_string()).with_source(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_error_objects() {
        for kind in [
            ErrorKind::Parse,
            ErrorKind::InvalidRequest,
            ErrorKind::MethodNotFound,
            ErrorKind::InvalidParams,
            ErrorKind::Internal,
            ErrorKind::ResourceNotFound,
            ErrorKind::UrlElicitationRequired,
            ErrorKind::HeaderMismatch,
            ErrorKind::MissingClientCapability,
            ErrorKind::UnsupportedVersion,
            ErrorKind::Timeout,
            ErrorKind::Cancelled,
            ErrorKind::Remote(-31999),
        ] {
            let e = Error::new(kind, "x");
            let back = Error::from_error_object(e.to_error_object());
            assert_eq!(back.kind(), kind);
        }
    }
}
