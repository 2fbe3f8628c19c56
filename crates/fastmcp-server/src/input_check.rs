//! Arguments that do not fit a tool, explained against its input schema: every problem at
//! once, each with where it is (`note.body`) and what was expected, instead of the
//! deserializer's first error with a line and column of a text the client never saw.
//!
//! Only arguments that failed to parse are explained, so a call that parses costs nothing
//! more. The schema is compiled once per tool, on the first explanation.

use std::sync::{Arc, OnceLock};

use fastmcp_core::{ExplainArguments, ToolHandler};

/// Problems listed at most; more are counted.
const MAX_LISTED: usize = 10;

/// The explainer of one tool's arguments.
pub(crate) struct InputExplainer {
    handler: Arc<dyn ToolHandler>,
    validator: OnceLock<Option<jsonschema::Validator>>,
}

impl InputExplainer {
    pub(crate) fn new(handler: Arc<dyn ToolHandler>) -> Arc<InputExplainer> {
        Arc::new(InputExplainer {
            handler,
            validator: OnceLock::new(),
        })
    }
}

impl ExplainArguments for InputExplainer {
    fn explain(&self, arguments: &str) -> Option<String> {
        let def = self.handler.tool();
        let validator = self.validator.get_or_init(|| {
            jsonschema::validator_for(&def.input_schema)
                .map_err(|e| tracing::warn!("tool {:?}: input schema not usable: {e}", def.name))
                .ok()
        });
        let value: serde_json::Value = serde_json::from_str(arguments).ok()?;
        let mut problems = vec![];
        let mut more = 0usize;
        for e in validator.as_ref()?.iter_errors(&value) {
            if problems.len() == MAX_LISTED {
                more += 1;
                continue;
            }
            problems.push(format!("{}: {e}", place(&e.instance_path().to_string())));
        }
        if problems.is_empty() {
            return None;
        }
        let mut text = format!("tool '{}': {}", def.name, problems.join("; "));
        if more > 0 {
            text.push_str(&format!("; and {more} more"));
        }
        Some(text)
    }
}

/// A JSON pointer into the arguments as a path a person reads: `/note/tags/0` is
/// `note.tags[0]`; the root is `arguments`.
fn place(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    if out.is_empty() {
        "arguments".to_owned()
    } else {
        format!("`{out}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_read_as_paths() {
        assert_eq!(place(""), "arguments");
        assert_eq!(place("/note"), "`note`");
        assert_eq!(place("/note/tags/0"), "`note.tags[0]`");
        assert_eq!(place("/a~1b"), "`a/b`");
    }
}
