//! Nested calls: a handler calling the server's other tools, resources and prompts.

use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{CallToolResult, GetPromptResult, ReadResourceResult};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::Context;
use crate::Error;

impl Context {
    async fn nested<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T, Error> {
        let d = self
            .inner
            .dispatch
            .as_ref()
            .ok_or_else(|| Error::internal("no server to dispatch to"))?;
        let raw = d.dispatch(self, method, to_raw(&params)).await?;
        serde_json::from_str(raw.get()).map_err(|e| Error::internal(e.to_string()))
    }

    /// Call another tool of this server.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<CallToolResult, Error> {
        self.nested(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Read a resource of this server.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.nested("resources/read", json!({ "uri": uri })).await
    }

    /// Render a prompt of this server.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult, Error> {
        self.nested(
            "prompts/get",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }
}
