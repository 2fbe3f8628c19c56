//! Built-in transforms (see [`crate::Transform`] for the seam they use).
//!
//! - [`ToolTransform`]: a tool under a new name, description, title, tags or annotations,
//!   with its arguments renamed, re-described, given new defaults or hidden (filled with
//!   a fixed value on every call).

mod args;
mod tool;

pub use args::ArgTransform;
pub use tool::ToolTransform;
