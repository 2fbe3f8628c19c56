//! The JSON of a `tools/call` result, written directly when it is of the common shape.

use serde_json::value::RawValue;

use super::{CallToolResult, ContentBlock, ResultType};
use crate::raw::raw_string;
use crate::scan::needs_escape;

impl CallToolResult {
    /// This result as JSON: the text serde writes for it. A result of text blocks only
    /// (without annotations or `_meta`, their text without a character to escape), no
    /// structured content and no `_meta` (most results) is written directly, into a
    /// string of exactly its length; any other through serde.
    ///
    /// ```
    /// use fastmcp_protocol::CallToolResult;
    /// let r = CallToolResult::text("hello");
    /// assert_eq!(r.to_raw().get(), serde_json::to_string(&r).unwrap());
    /// assert_eq!(r.to_raw().get(), r#"{"content":[{"type":"text","text":"hello"}]}"#);
    /// ```
    pub fn to_raw(&self) -> Box<RawValue> {
        self.text_only()
            .unwrap_or_else(|| crate::jsonrpc::to_raw(self))
    }

    /// The JSON of a result of the common shape (see [`CallToolResult::to_raw`]).
    fn text_only(&self) -> Option<Box<RawValue>> {
        const BLOCK: &str = r#"{"type":"text","text":""#;
        const BLOCK_END: &str = r#""}"#;
        if self.structured_content.is_some() || self.meta.is_some() {
            return None;
        }
        let head = match self.result_type {
            None => r#"{"content":["#,
            Some(ResultType::Complete) => r#"{"resultType":"complete","content":["#,
            Some(_) => return None,
        };
        let tail = match self.is_error {
            None => "]}",
            Some(false) => r#"],"isError":false}"#,
            Some(true) => r#"],"isError":true}"#,
        };
        let mut len = head.len() + tail.len() + self.content.len().saturating_sub(1);
        for block in &self.content {
            match block {
                ContentBlock::Text(t)
                    if t.annotations.is_none() && t.meta.is_none() && !needs_escape(&t.text) =>
                {
                    len += BLOCK.len() + t.text.len() + BLOCK_END.len();
                }
                _ => return None,
            }
        }
        let mut out = String::with_capacity(len);
        out.push_str(head);
        for (i, block) in self.content.iter().enumerate() {
            if let ContentBlock::Text(t) = block {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(BLOCK);
                out.push_str(&t.text);
                out.push_str(BLOCK_END);
            }
        }
        out.push_str(tail);
        debug_assert_eq!(out.len(), len);
        raw_string(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Annotations, TextContent};

    /// Written directly or through serde, the text is serde's.
    #[test]
    fn writes_what_serde_writes() {
        let texts = [
            "",
            "hello world 1",
            "日本語 é \u{7f} / ' <>&",
            "a \"quoted\" word",
            "back\\slash",
            "line\nbreak\ttab\u{1}",
            "long enough to take more than eight bytes at a time, and then some more",
        ];
        let mut results = Vec::new();
        for t in texts {
            results.push(CallToolResult::text(t));
            results.push(CallToolResult::error_text(t));
            results.push(CallToolResult::new(vec![
                ContentBlock::text(t),
                ContentBlock::text("two"),
                ContentBlock::text(t),
            ]));
        }
        let mut more = Vec::new();
        for r in &results {
            let mut r = r.clone();
            r.result_type = Some(ResultType::Complete);
            more.push(r.clone());
            r.is_error = Some(false);
            more.push(r.clone());
            r.result_type = Some(ResultType::Task);
            more.push(r.clone());
            r.result_type = None;
            r.structured_content = Some(serde_json::json!({"a": 1}));
            more.push(r);
        }
        results.extend(more);
        results.push(CallToolResult::new(vec![]));
        results.push(CallToolResult::new(vec![ContentBlock::Text(TextContent {
            annotations: Some(Annotations::default()),
            ..TextContent::new("x")
        })]));
        results.push(CallToolResult::new(vec![
            ContentBlock::text("x"),
            ContentBlock::image("aGk=", "image/png"),
        ]));
        let mut direct = 0;
        for r in &results {
            assert_eq!(r.to_raw().get(), serde_json::to_string(r).unwrap(), "{r:?}");
            direct += usize::from(r.text_only().is_some());
        }
        // Those with an escape, structured content, another block or a task result are
        // left to serde; the others are written directly.
        assert!(direct > 20 && direct < results.len(), "{direct}");
    }
}
