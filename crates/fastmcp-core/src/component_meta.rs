//! Tags and versions of components, kept in their definitions' `_meta` under FastMCP's
//! own keys (`fastmcp/tags`, `fastmcp/version`), and the builder methods that set them.
//!
//! The keys follow the `_meta` naming rules of the specification: a prefix of one label
//! (`fastmcp`) and a slash, then the name; no key under a reserved prefix
//! (`io.modelcontextprotocol/`, `dev.mcp/`, ...) is used.
//!
//! ```
//! use fastmcp_core::{component_meta, Context, FnTool};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Args { a: i64 }
//!
//! let t = FnTool::typed("double", "Doubles.", |_: Context, a: Args| async move { a.a * 2 })
//!     .with_tags(["math", "beta"])
//!     .with_version("2.0.0");
//! let meta = t.definition().meta.as_ref();
//! assert_eq!(component_meta::tags(meta).collect::<Vec<_>>(), ["beta", "math"]);
//! assert_eq!(component_meta::version(meta), Some("2.0.0"));
//! ```

use fastmcp_protocol::Meta;
use serde_json::Value;

use crate::dynamic::{FnPrompt, FnResource, FnResourceTemplate, FnTool};

/// `_meta` key of a component's tags: an array of strings, sorted, without repeats.
pub const META_TAGS: &str = "fastmcp/tags";
/// `_meta` key of a tool's version (a string, semver recommended), in its definition; and
/// the key a client puts in a `tools/call` request's `_meta` to call one version.
pub const META_VERSION: &str = "fastmcp/version";
/// `_meta` key of the versions a tool has (in `tools/list`, when it has more than one).
pub const META_VERSIONS: &str = "fastmcp/versions";

/// The tags in a definition's `_meta` (none when absent or not an array of strings).
pub fn tags(meta: Option<&Meta>) -> impl Iterator<Item = &str> {
    meta.and_then(|m| m.get(META_TAGS))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
}

/// The version in a definition's `_meta`.
pub fn version(meta: Option<&Meta>) -> Option<&str> {
    meta.and_then(|m| m.get(META_VERSION))
        .and_then(Value::as_str)
}

/// Add `new` to the tags of `meta` (kept sorted and without repeats).
pub fn add_tags<I, S>(meta: &mut Option<Meta>, new: I)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut all: Vec<String> = tags(meta.as_ref()).map(str::to_owned).collect();
    all.extend(new.into_iter().map(Into::into));
    all.sort();
    all.dedup();
    let all = all.into_iter().map(Value::String).collect();
    meta.get_or_insert_with(Meta::new)
        .insert(META_TAGS.to_owned(), Value::Array(all));
}

/// Set the version in `meta`.
pub fn set_version(meta: &mut Option<Meta>, v: impl Into<String>) {
    meta.get_or_insert_with(Meta::new)
        .insert(META_VERSION.to_owned(), Value::String(v.into()));
}

impl FnTool {
    /// Tag the tool (listed in `_meta["fastmcp/tags"]`; see `Server::include_tags`,
    /// `Visibility::disable_tag` in `fastmcp-server`).
    pub fn with_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        add_tags(&mut self.tool.meta, tags);
        self
    }

    /// This tool is version `v` of its name (`_meta["fastmcp/version"]`): several versions
    /// of one name can be registered; a client picks one with `_meta["fastmcp/version"]`
    /// on its `tools/call`, else it gets the default (the highest version).
    pub fn with_version(mut self, v: impl Into<String>) -> Self {
        set_version(&mut self.tool.meta, v);
        self
    }
}

impl FnResource {
    /// Tag the resource (listed in `_meta["fastmcp/tags"]`).
    pub fn with_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        add_tags(&mut self.resource.meta, tags);
        self
    }
}

impl FnResourceTemplate {
    /// Tag the template (listed in `_meta["fastmcp/tags"]`).
    pub fn with_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        add_tags(&mut self.template.meta, tags);
        self
    }
}

impl FnPrompt {
    /// Tag the prompt (listed in `_meta["fastmcp/tags"]`).
    pub fn with_tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        add_tags(&mut self.prompt.meta, tags);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_sorted_and_unique() {
        let mut m = None;
        add_tags(&mut m, ["b", "a"]);
        add_tags(&mut m, ["a", "c"]);
        assert_eq!(tags(m.as_ref()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(version(m.as_ref()), None);
        set_version(&mut m, "1.2.3");
        assert_eq!(version(m.as_ref()), Some("1.2.3"));
    }

    #[test]
    fn malformed_tags_read_as_none() {
        let mut m = Meta::new();
        m.insert(META_TAGS.into(), serde_json::json!("x"));
        assert_eq!(tags(Some(&m)).count(), 0);
    }
}
