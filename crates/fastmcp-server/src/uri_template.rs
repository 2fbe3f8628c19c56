//! RFC 6570 URI templates: the parser, matcher and expander of [`fastmcp_uri_template`],
//! shared with the `#[resource]` macro. Kept as a module so `crate::uri_template` paths
//! still resolve.

pub use fastmcp_uri_template::{TemplateError, UnsafeValue, UriTemplate};
