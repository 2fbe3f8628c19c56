//! What clients show of dynamic components: titles, icons, `_meta` and annotations on
//! [`FnTool`], [`FnResource`], [`FnResourceTemplate`] and [`FnPrompt`], as the macros'
//! `title`, `icons` and `meta` arguments set them.
//!
//! ```
//! use fastmcp_core::{FnPrompt, FnResource};
//! use fastmcp_protocol::{Annotations, Icon, Prompt, Resource, Role};
//! let readme = FnResource::new(Resource::new("file:///README.md", "readme"), |_, _| async {
//!     "# Hello"
//! })
//! .title("Read me")
//! .icon(Icon::new("https://example.com/doc.png"))
//! .meta("team", serde_json::json!("docs"))
//! .annotations(Annotations { audience: Some(vec![Role::User]), ..Default::default() });
//! assert_eq!(readme.definition().title.as_deref(), Some("Read me"));
//! assert_eq!(readme.definition().meta.as_ref().unwrap()["team"], "docs");
//!
//! let greet = FnPrompt::new(Prompt::new("greet"), |_, _| async { "Hello!" })
//!     .title("Greeting")
//!     .icon(Icon::new("https://example.com/wave.png"));
//! assert_eq!(greet.definition().icons.as_ref().unwrap().len(), 1);
//! ```

use fastmcp_protocol::{Annotations, Icon, Prompt, Resource, ResourceTemplate, ToolAnnotations};
use serde_json::Value;

use crate::dynamic::{FnPrompt, FnResource, FnResourceTemplate, FnTool};

macro_rules! display {
    ($ty:ty, $field:ident, $def:ty) => {
        impl $ty {
            /// The human-readable title clients show.
            pub fn title(mut self, title: impl Into<String>) -> Self {
                self.$field.title = Some(title.into());
                self
            }

            /// Add an icon.
            pub fn icon(mut self, icon: Icon) -> Self {
                self.$field.icons.get_or_insert_with(Vec::new).push(icon);
                self
            }

            /// Set `key` in the definition's `_meta`.
            pub fn meta(mut self, key: impl Into<String>, value: Value) -> Self {
                let meta = self.$field.meta.get_or_insert_with(Default::default);
                meta.insert(key.into(), value);
                self
            }

            /// The definition listed to clients.
            pub fn definition(&self) -> &$def {
                &self.$field
            }
        }
    };
}

display!(FnResource, resource, Resource);
display!(FnResourceTemplate, template, ResourceTemplate);
display!(FnPrompt, prompt, Prompt);

impl FnTool {
    /// The human-readable title clients show.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.tool.title = Some(title.into());
        self
    }

    /// Add an icon.
    pub fn icon(mut self, icon: Icon) -> Self {
        self.tool.icons.get_or_insert_with(Vec::new).push(icon);
        self
    }

    /// Set `key` in the definition's `_meta`.
    pub fn meta(mut self, key: impl Into<String>, value: Value) -> Self {
        let meta = self.tool.meta.get_or_insert_with(Default::default);
        meta.insert(key.into(), value);
        self
    }

    /// Hints about the tool's behaviour (read-only, destructive, ...).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.tool.annotations = Some(annotations);
        self
    }
}

impl FnResource {
    /// Who the resource is for and how important it is.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.resource.annotations = Some(annotations);
        self
    }
}

impl FnResourceTemplate {
    /// Who the resources are for and how important they are.
    pub fn annotations(mut self, annotations: Annotations) -> Self {
        self.template.annotations = Some(annotations);
        self
    }
}
