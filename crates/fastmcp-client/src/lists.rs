//! The `*/list` requests, every page of them.

use fastmcp_core::Error;
use fastmcp_protocol::http_headers::check_header_annotations;
use fastmcp_protocol::{
    Era, ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    Prompt, Resource, ResourceTemplate, Tool,
};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::client::Client;

/// The most pages one list may have.
const MAX_PAGES: usize = 10_000;

impl Client {
    /// Every page of `method`; a server that repeats a cursor is an error, not a loop.
    pub(crate) async fn paginate<R: DeserializeOwned, T>(
        &self,
        method: &str,
        items: impl Fn(R) -> (Vec<T>, Option<String>),
    ) -> Result<Vec<T>, Error> {
        let mut out = vec![];
        let mut cursor: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(c) => json!({ "cursor": c }),
                None => json!({}),
            };
            let (page, next) = items(self.request(method, params).await?);
            out.extend(page);
            match next {
                Some(n) if !seen.insert(n.clone()) => {
                    return Err(Error::internal(format!(
                        "{method}: the server repeated cursor {n:?}"
                    )))
                }
                Some(n) => cursor = Some(n),
                None => return Ok(out),
            }
        }
        Err(Error::internal(format!("{method}: too many pages")))
    }

    /// Every tool (all pages).
    ///
    /// Over Streamable HTTP in the stateless era, a tool whose input schema breaks the
    /// rules of `x-mcp-header` annotations (see
    /// [`check_header_annotations`](fastmcp_protocol::http_headers::check_header_annotations))
    /// is left out, with a warning, as 2026-07-28 requires of clients.
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        let mut tools = self
            .paginate("tools/list", |r: ListToolsResult| (r.tools, r.next_cursor))
            .await?;
        self.inner.output_shapes.learn(&tools);
        if self.inner.http.is_some() && self.era() == Era::Stateless {
            tools.retain(|t| match check_header_annotations(&t.input_schema) {
                Ok(()) => true,
                Err(e) => {
                    tracing::warn!("leaving out tool {}: {e}", t.name);
                    false
                }
            });
        }
        Ok(tools)
    }

    /// Every resource.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        self.paginate("resources/list", |r: ListResourcesResult| {
            (r.resources, r.next_cursor)
        })
        .await
    }

    /// Every resource template.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        self.paginate(
            "resources/templates/list",
            |r: ListResourceTemplatesResult| (r.resource_templates, r.next_cursor),
        )
        .await
    }

    /// Every prompt.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        self.paginate("prompts/list", |r: ListPromptsResult| {
            (r.prompts, r.next_cursor)
        })
        .await
    }
}
