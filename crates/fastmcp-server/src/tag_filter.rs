//! [`TagFilter`]: only the components with some tags, or without others.

use std::collections::BTreeSet;
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};

use crate::provider::{ResourceTarget, TemplateEntry, ToolEntry};
use crate::transform::Next;
use crate::visibility::{hiding_transform, Hides, Kind};

/// A [`Transform`](crate::Transform) that keeps the components (tools, resources,
/// templates, prompts) by their tags (`_meta["fastmcp/tags"]`):
///
/// - with include tags, only a component that has at least one of them is kept (an
///   untagged component is then hidden);
/// - a component that has any exclude tag is hidden, whatever its include tags
///   (exclude wins).
///
/// A hidden component is absent from lists and answers as unknown. The server's own is set
/// with [`crate::Server::include_tags`] and [`crate::Server::exclude_tags`]; on one provider
/// it is a transform like any:
///
/// ```
/// use fastmcp_server::{LocalProvider, ChangeNotifier, Server, TagFilter, Transformed};
///
/// let only_public = TagFilter::new().include(["public"]).exclude(["internal"]);
/// assert!(only_public.allows(["public"]));
/// assert!(!only_public.allows(["public", "internal"]));
/// assert!(!only_public.allows(Vec::<&str>::new()));
///
/// let provider = LocalProvider::new(ChangeNotifier::new());
/// let server = Server::new("demo", "1.0.0")
///     .provider(Transformed::new(provider).with(only_public));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagFilter {
    include: BTreeSet<String>,
    exclude: BTreeSet<String>,
}

impl TagFilter {
    /// A filter that keeps everything.
    pub fn new() -> Self {
        TagFilter::default()
    }

    /// Keep only components with at least one of `tags` (added to those given before).
    pub fn include<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.include.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Hide components with any of `tags` (added to those given before).
    pub fn exclude<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.exclude.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Its tools revision (see [`crate::Transform::tools_revision`]): fixed once built.
    pub(crate) fn revision(&self) -> Option<u64> {
        Some(0)
    }

    /// Whether the filter keeps everything.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether a component with these tags is kept.
    pub fn allows<I: IntoIterator<Item = S>, S: AsRef<str>>(&self, tags: I) -> bool {
        let mut included = self.include.is_empty();
        for t in tags {
            let t = t.as_ref();
            if self.exclude.contains(t) {
                return false;
            }
            included |= self.include.contains(t);
        }
        included
    }
}

impl Hides for TagFilter {
    fn hides_nothing(&self) -> bool {
        self.is_empty()
    }

    fn hides(&self, _: Kind, _: &str, tags: &mut dyn Iterator<Item = &str>) -> bool {
        !self.allows(tags)
    }
}

hiding_transform!(TagFilter);

#[cfg(test)]
mod tests {
    use super::TagFilter;

    #[test]
    fn exclude_wins_and_include_needs_one() {
        let f = TagFilter::new().include(["a", "b"]).exclude(["x"]);
        assert!(f.allows(["a"]));
        assert!(f.allows(["c", "b"]));
        assert!(!f.allows(["c"]));
        assert!(!f.allows(["a", "x"]));
        let only_exclude = TagFilter::new().exclude(["x"]);
        assert!(only_exclude.allows(Vec::<String>::new()));
        assert!(!only_exclude.allows(["x"]));
        assert!(TagFilter::new().allows(["anything"]));
    }
}
