//! What every component transform may change the same way: the title, the description
//! and tags; with the builder methods that set them.

use fastmcp_protocol::Meta;

/// A new title, description and added tags.
#[derive(Debug, Clone, Default)]
pub(crate) struct Relabel {
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
}

impl Relabel {
    /// Apply to a definition's fields.
    pub(crate) fn apply(
        &self,
        title: &mut Option<String>,
        description: &mut Option<String>,
        meta: &mut Option<Meta>,
    ) {
        if let Some(t) = &self.title {
            *title = Some(t.clone());
        }
        if let Some(d) = &self.description {
            *description = Some(d.clone());
        }
        fastmcp_core::component_meta::add_tags(meta, self.tags.iter().cloned());
    }
}

/// The builder methods of a transform with a `label: Relabel` field.
macro_rules! relabel_methods {
    () => {
        /// A new title.
        pub fn title(mut self, title: impl Into<String>) -> Self {
            self.label.title = Some(title.into());
            self
        }

        /// A new description.
        pub fn description(mut self, description: impl Into<String>) -> Self {
            self.label.description = Some(description.into());
            self
        }

        /// Tags added (`_meta["fastmcp/tags"]`).
        pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
            self.label.tags.extend(tags.into_iter().map(Into::into));
            self
        }
    };
}

pub(crate) use relabel_methods;
