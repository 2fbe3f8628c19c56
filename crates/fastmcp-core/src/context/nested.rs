//! Nested calls: a handler calling the server's other tools, resources and prompts.

use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    CallToolResult, GetPromptResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, Prompt, ReadResourceResult, Resource, ResourceTemplate,
};
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

    /// Every page of a nested list.
    async fn nested_list<R: DeserializeOwned, T>(
        &self,
        method: &str,
        items: impl Fn(R) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, Error> {
        let mut out = vec![];
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_NESTED_PAGES {
            let params = match &cursor {
                Some(c) => json!({ "cursor": c }),
                None => json!({}),
            };
            let (page, next) = items(self.nested(method, params).await?);
            out.extend(page);
            match next {
                Some(n) if Some(&n) == cursor.as_ref() => break,
                Some(n) => cursor = Some(n),
                None => return Ok(out),
            }
        }
        Err(Error::internal(format!("{method}: the list does not end")))
    }

    /// The prompts of this server the caller may use (every page).
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        self.nested_list("prompts/list", |r: ListPromptsResult| {
            (r.prompts, r.next_cursor)
        })
        .await
    }

    /// The resources of this server the caller may read (every page).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        self.nested_list("resources/list", |r: ListResourcesResult| {
            (r.resources, r.next_cursor)
        })
        .await
    }

    /// The resource templates of this server the caller may read (every page).
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        self.nested_list(
            "resources/templates/list",
            |r: ListResourceTemplatesResult| (r.resource_templates, r.next_cursor),
        )
        .await
    }
}

/// How many pages a nested list may have.
const MAX_NESTED_PAGES: usize = 10_000;
