//! Wire types of every Model Context Protocol version from 2024-11-05 to 2026-07-28,
//! the JSON-RPC 2.0 envelope, error codes and version negotiation. No I/O.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
mod envelope_fields;
pub mod error_code;
pub mod http_headers;
pub mod jsonrpc;
mod method;
mod raw;
pub mod scan;
mod types;
mod version;

pub use jsonrpc::{ErrorObject, Message, RequestId};
pub use types::*;
pub use version::{Era, ProtocolVersion, UnknownVersion};
