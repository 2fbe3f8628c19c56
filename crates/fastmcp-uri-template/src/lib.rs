//! RFC 6570 URI templates, as MCP resource templates use them: one parser shared by the
//! `#[resource]` macro (which checks the variables against the function's parameters at
//! compile time) and the server (which matches a requested URI back to the variables).
//!
//! Supported: every level-4 operator (`{var}`, `{+var}`, `{#var}`, `{.var}`, `{/var}`,
//! `{;var}`, `{?var}`, `{&var}`), several variables per expression, the prefix modifier
//! `{var:3}` and explode `{var*}`. Matched values are percent-decoded; values with NUL
//! bytes, `..` segments or (for multi-segment variables) absolute paths are refused.
//!
//! ```
//! use fastmcp_uri_template::UriTemplate;
//! let t = UriTemplate::parse("repo://{owner}/{path*}{?ref}").unwrap();
//! assert_eq!(t.variables(), ["owner", "path", "ref"]);
//! let vars = t.match_uri("repo://me/src/lib.rs?ref=main").unwrap().unwrap();
//! assert_eq!(vars["path"], "src/lib.rs");
//! assert_eq!(t.expand(&vars), "repo://me/src/lib.rs?ref=main");
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod expand;
mod matching;
mod parse;

pub use matching::{UnsafeValue, MAX_URI_LEN};
pub use parse::{Operator, TemplateError, UriTemplate, VarSpec};

/// Whether `uri` starts with a URI scheme (`scheme:`, RFC 3986).
///
/// ```
/// use fastmcp_uri_template::has_scheme;
/// assert!(has_scheme("config://app") && has_scheme("urn:x"));
/// assert!(!has_scheme("/etc/passwd") && !has_scheme("1x://a"));
/// ```
pub fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}
