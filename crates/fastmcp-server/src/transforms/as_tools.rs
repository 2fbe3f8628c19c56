//! Prompts and resources as tools, for clients that only call tools:
//! [`PromptsAsTools`] adds `list_prompts` and `get_prompt`, [`ResourcesAsTools`] adds
//! `list_resources` and `read_resource`. They run as nested requests of the caller, so
//! a caller sees and gets only what it may use.

use std::collections::BTreeMap;
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, FnTool};
use fastmcp_protocol::{CallToolResult, ContentBlock, ResourceContents};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::provider::{Kinds, ToolEntry};
use crate::transform::{Next, Transform};

/// Tools added to a list, found by name.
struct Added(Vec<ToolEntry>);

impl Added {
    fn tools(&self, mut tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        for t in &self.0 {
            if !tools.iter().any(|x| x.name() == t.name()) {
                tools.push(t.clone());
            }
        }
        tools
    }

    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            if let Some(found) = next.tool(name).await? {
                return Ok(Some(found));
            }
            Ok(self.0.iter().find(|t| t.name() == name).cloned())
        })
    }
}

fn json_result(v: Value) -> CallToolResult {
    CallToolResult::structured(v)
}

/// `list_prompts` and `get_prompt`, for clients that only call tools.
///
/// ```
/// use fastmcp_server::{PromptsAsTools, Server};
/// let server = Server::new("helper", "1.0.0").transform(PromptsAsTools::new());
/// # let _ = server;
/// ```
pub struct PromptsAsTools(Added);

#[derive(Deserialize, schemars::JsonSchema)]
struct NoArgs {}

/// The arguments of `get_prompt`.
#[derive(Deserialize, schemars::JsonSchema)]
struct GetPrompt {
    /// The prompt's name (from `list_prompts`).
    name: String,
    /// Its arguments, by name.
    #[serde(default)]
    arguments: BTreeMap<String, String>,
}

impl PromptsAsTools {
    /// The two tools.
    pub fn new() -> Self {
        let list = FnTool::typed(
            "list_prompts",
            "List the prompts: names, descriptions and arguments.",
            |ctx: Context, _: NoArgs| async move {
                let prompts = ctx.list_prompts().await?;
                Ok::<_, Error>(json_result(json!({ "prompts": prompts })))
            },
        );
        let get = FnTool::typed(
            "get_prompt",
            "Render a prompt with its arguments; returns its messages.",
            |ctx: Context, a: GetPrompt| async move {
                let r = ctx.get_prompt(&a.name, a.arguments).await?;
                Ok::<_, Error>(json_result(
                    serde_json::to_value(&r).map_err(|e| Error::internal(e.to_string()))?,
                ))
            },
        );
        PromptsAsTools(Added(vec![
            ToolEntry::new(Arc::new(list)),
            ToolEntry::new(Arc::new(get)),
        ]))
    }
}

/// `list_resources` and `read_resource`, for clients that only call tools.
///
/// ```
/// use fastmcp_server::{ResourcesAsTools, Server};
/// let server = Server::new("docs", "1.0.0").transform(ResourcesAsTools::new());
/// # let _ = server;
/// ```
pub struct ResourcesAsTools(Added);

/// The arguments of `read_resource`.
#[derive(Deserialize, schemars::JsonSchema)]
struct ReadResource {
    /// The resource's URI (from `list_resources`, or a template's filled in).
    uri: String,
}

impl ResourcesAsTools {
    /// The two tools.
    pub fn new() -> Self {
        let list = FnTool::typed(
            "list_resources",
            "List the resources and resource templates: URIs, names, descriptions, types.",
            |ctx: Context, _: NoArgs| async move {
                let resources = ctx.list_resources().await?;
                let templates = ctx.list_resource_templates().await?;
                Ok::<_, Error>(json_result(
                    json!({ "resources": resources, "templates": templates }),
                ))
            },
        );
        let read = FnTool::typed(
            "read_resource",
            "Read a resource by its URI; text comes back as text, anything else embedded.",
            |ctx: Context, a: ReadResource| async move {
                let r = ctx.read_resource(&a.uri).await?;
                let content = r
                    .contents
                    .into_iter()
                    .map(|c| match c {
                        ResourceContents::Text(t) => ContentBlock::text(t.text),
                        blob => ContentBlock::Resource(fastmcp_protocol::EmbeddedResource {
                            kind: Default::default(),
                            resource: blob,
                            annotations: None,
                            meta: None,
                        }),
                    })
                    .collect();
                Ok::<_, Error>(CallToolResult::new(content))
            },
        );
        ResourcesAsTools(Added(vec![
            ToolEntry::new(Arc::new(list)),
            ToolEntry::new(Arc::new(read)),
        ]))
    }
}

/// `Default` and the [`Transform`] of a transform that adds tools.
macro_rules! adds_tools {
    ($t:ident) => {
        impl Default for $t {
            fn default() -> Self {
                Self::new()
            }
        }

        impl Transform for $t {
            fn tools_revision(&self) -> Option<u64> {
                Some(0) // the same tools in, the same list out
            }

            fn kinds(&self, kinds: Kinds) -> Kinds {
                Kinds {
                    tools: true,
                    ..kinds
                }
            }
            fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
                self.0.tools(tools)
            }
            fn tool<'a>(
                &'a self,
                name: &'a str,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
                self.0.tool(name, next)
            }
        }
    };
}

adds_tools!(PromptsAsTools);
adds_tools!(ResourcesAsTools);
