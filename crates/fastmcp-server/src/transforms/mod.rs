//! Built-in transforms (see [`crate::Transform`] for the seam they use).
//!
//! - [`ToolTransform`]: a tool under a new name, description, title, tags or annotations,
//!   with its arguments renamed, re-described, retyped, given new defaults or hidden
//!   (filled with a fixed value or one computed per call), or run by a function of its
//!   own that calls the original through [`Forward`].
//! - [`PromptTransform`], [`ResourceTransform`]: a prompt or a resource under a new name
//!   or URI, description, title or tags (a prompt's arguments renamed or re-described).
//! - [`PromptsAsTools`], [`ResourcesAsTools`]: prompts and resources offered as tools.
//! - [`SearchTools`]: a large catalogue behind `search_tools` and `call_tool`, ranked by
//!   BM25 or matched by a regular expression ([`ToolIndex`]).

mod args;
mod as_tools;
mod index;
mod prompt;
mod relabel;
mod resource;
mod search;
mod tool;

pub use args::ArgTransform;
pub use as_tools::{PromptsAsTools, ResourcesAsTools};
pub use index::ToolIndex;
pub use prompt::PromptTransform;
pub use resource::ResourceTransform;
pub use search::SearchTools;
pub use tool::{Forward, ToolTransform};
