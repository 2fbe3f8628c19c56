//! [`Client::call_tool_as`]: a tool's structured result, decoded as what it is or not at
//! all.

use std::collections::HashMap;
use std::sync::PoisonError;

use fastmcp_core::Error;
use fastmcp_protocol::{CallToolResult, Tool};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::client::Client;

/// The output-schema key that says a tool's structured result is wrapped as
/// `{"result": value}` (the server wraps what is not a JSON object).
pub(crate) const WRAP_RESULT_KEY: &str = "x-fastmcp-wrap-result";

/// What the client remembers of each tool's output schema: whether its result is wrapped.
#[derive(Default)]
pub(crate) struct OutputShapes(std::sync::RwLock<HashMap<String, bool>>);

impl OutputShapes {
    /// Remember the tools of a `tools/list`.
    pub(crate) fn learn(&self, tools: &[Tool]) {
        let mut m = self.0.write().unwrap_or_else(PoisonError::into_inner);
        for t in tools {
            m.insert(t.name.clone(), wraps_result(t));
        }
    }

    fn get(&self, name: &str) -> Option<bool> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .copied()
    }
}

/// Whether the tool's output schema says its result is wrapped as `{"result": ...}`.
pub(crate) fn wraps_result(tool: &Tool) -> bool {
    tool.output_schema
        .as_ref()
        .and_then(|s| s.get(WRAP_RESULT_KEY))
        .and_then(Value::as_bool)
        == Some(true)
}

impl Client {
    /// Call a tool and decode its result as `T`, never guessing:
    ///
    /// - a tool error (`isError: true`) is `Err` with kind
    ///   [`ErrorKind::Tool`](fastmcp_core::ErrorKind::Tool) and the tool's text;
    /// - `structuredContent` is decoded as `T`; when the tool's output schema carries
    ///   `x-fastmcp-wrap-result` (the server wrapped a value that is not an object as
    ///   `{"result": value}`), its `result` is decoded instead, also for
    ///   `T = serde_json::Value`. The client learns the output schemas from
    ///   [`Client::list_tools`], and lists the tools itself the first time it calls a tool
    ///   it has not seen listed;
    /// - a result without `structuredContent` is an error: text content is not parsed as
    ///   `T` (read it from [`Client::call_tool`] instead);
    /// - structured content that is not a `T` is an error naming the tool.
    ///
    /// ```no_run
    /// # async fn f(client: fastmcp_client::Client) -> Result<(), fastmcp_core::Error> {
    /// let sum: i64 = client.call_tool_as("add", serde_json::json!({"a": 1, "b": 2})).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_tool_as<T: DeserializeOwned>(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<T, Error> {
        let r = self.call_tool(name, arguments).await?;
        let wrapped = self.wraps_result(name).await?;
        decode_tool_result(name, r, wrapped)
    }

    /// Whether `name`'s result is wrapped, listing the tools if it was never listed.
    async fn wraps_result(&self, name: &str) -> Result<bool, Error> {
        if let Some(w) = self.inner.output_shapes.get(name) {
            return Ok(w);
        }
        self.list_tools().await?;
        Ok(self.inner.output_shapes.get(name).unwrap_or(false))
    }
}

/// Decode a tool result as `T` (see [`Client::call_tool_as`]).
pub(crate) fn decode_tool_result<T: DeserializeOwned>(
    name: &str,
    r: CallToolResult,
    wrapped: bool,
) -> Result<T, Error> {
    if r.is_error() {
        let text = r
            .content
            .iter()
            .filter_map(|c| c.as_text())
            .collect::<Vec<_>>()
            .join("\n");
        return Err(Error::tool(text));
    }
    let v = r.structured_content.ok_or_else(|| {
        Error::internal(format!(
            "tool {name} returned no structured content to decode (use call_tool to read its text)"
        ))
    })?;
    let v = match v {
        Value::Object(mut m) if wrapped => m.remove("result").ok_or_else(|| {
            Error::internal(format!(
                "tool {name} declares a wrapped result but its structured content has no \"result\""
            ))
        })?,
        other if wrapped => {
            return Err(Error::internal(format!(
                "tool {name} declares a wrapped result but returned {other}"
            )))
        }
        other => other,
    };
    serde_json::from_value(v)
        .map_err(|e| Error::internal(format!("tool {name}: bad structured content: {e}")))
}
