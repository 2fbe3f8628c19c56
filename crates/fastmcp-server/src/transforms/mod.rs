//! Built-in transforms (see [`crate::Transform`] for the seam they use).
//!
//! - [`ToolTransform`]: a tool under a new name, description, title, tags or annotations,
//!   with its arguments renamed, re-described, given new defaults or hidden (filled with
//!   a fixed value on every call).
//! - [`SearchTools`]: a large catalogue behind `search_tools` and `call_tool`, ranked by
//!   BM25 or matched by a regular expression ([`ToolIndex`]).

mod args;
mod index;
mod search;
mod tool;

pub use args::ArgTransform;
pub use index::ToolIndex;
pub use search::SearchTools;
pub use tool::ToolTransform;
