//! [`ToolTransform`]: one tool reshaped (name, description, title, tags, annotations,
//! arguments); calls reach the original with its own argument names.

use std::sync::{Arc, Mutex};

use fastmcp_core::{BoxFuture, Context, Error, Require, ToolArguments, ToolHandler};
use fastmcp_protocol::{CallToolResult, Tool, ToolAnnotations};
use serde_json::{Map, Value};

use super::args::{map_back, reshape_schema, ArgChanges, ArgTransform};
use crate::provider::ToolEntry;
use crate::transform::{Next, Transform};

/// A tool reshaped: a [`Transform`] that changes the tool named `name` wherever it comes
/// from (the server's own tools, a mounted server, any provider).
///
/// ```
/// use fastmcp_server::{ArgTransform, Server, ToolTransform};
/// use serde_json::json;
///
/// let search = ToolTransform::new("search_v2")
///     .rename("search")
///     .description("Search the catalogue.")
///     .tags(["catalogue"])
///     .arg("query", ArgTransform::new().rename("q"))
///     .arg("api_version", ArgTransform::new().hide(json!(2)));
/// let server = Server::new("shop", "1.0.0").transform(search);
/// # let _ = server;
/// ```
pub struct ToolTransform {
    target: String,
    name: Option<String>,
    title: Option<String>,
    description: Option<String>,
    tags: Vec<String>,
    annotations: Option<ToolAnnotations>,
    args: ArgChanges,
    /// The wrapper of the last original seen (rebuilt when the original changes).
    made: Mutex<Option<(usize, ToolEntry)>>,
}

impl ToolTransform {
    /// Changes to the tool called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ToolTransform {
            target: name.into(),
            name: None,
            title: None,
            description: None,
            tags: vec![],
            annotations: None,
            args: vec![],
            made: Mutex::new(None),
        }
    }

    /// Clients see (and call) it as `name`; the old name is no longer found.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A new title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// A new description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Tags added (`_meta["fastmcp/tags"]`).
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// New annotations (replacing the tool's).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// Change the argument the original tool calls `name`.
    pub fn arg(mut self, name: impl Into<String>, change: ArgTransform) -> Self {
        self.args.push((name.into(), change));
        self
    }

    fn shown_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.target)
    }

    /// The definition clients see.
    fn definition(&self, original: &Tool) -> Tool {
        let mut def = original.clone();
        def.name = self.shown_name().to_owned();
        if let Some(t) = &self.title {
            def.title = Some(t.clone());
        }
        if let Some(d) = &self.description {
            def.description = Some(d.clone());
        }
        if let Some(a) = &self.annotations {
            def.annotations = Some(a.clone());
        }
        fastmcp_core::component_meta::add_tags(&mut def.meta, self.tags.iter().cloned());
        def.input_schema = reshape_schema(&original.input_schema, &self.args);
        def
    }

    /// The reshaped entry of `original` (made once per original).
    fn wrap(&self, original: ToolEntry) -> ToolEntry {
        let key = crate::wrap_cache::addr(original.handler());
        let mut made = self
            .made
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((k, e)) = &*made {
            if *k == key {
                return e.clone();
            }
        }
        let entry = original.map_handlers(|h| {
            Arc::new(Reshaped {
                def: self.definition(h.tool()),
                args: self.args.clone(),
                inner: h.clone(),
            })
        });
        *made = Some((key, entry.clone()));
        entry
    }
}

impl Transform for ToolTransform {
    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        tools
            .into_iter()
            .map(|t| {
                if t.name() == self.target {
                    self.wrap(t)
                } else {
                    t
                }
            })
            .collect()
    }

    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        if name == self.shown_name() {
            return Box::pin(async move {
                let found = next.tool(&self.target).await?;
                Ok(found.map(|t| self.wrap(t)))
            });
        }
        if name == self.target {
            // Renamed: the old name is gone.
            return Box::pin(async { Ok(None) });
        }
        next.tool(name)
    }
}

/// The reshaped tool: its own definition, calls mapped back to the original's arguments.
struct Reshaped {
    def: Tool,
    args: ArgChanges,
    inner: Arc<dyn ToolHandler>,
}

impl ToolHandler for Reshaped {
    fn tool(&self) -> &Tool {
        &self.def
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        let sent = match args.raw() {
            Some(raw) => serde_json::from_str::<Map<String, Value>>(raw.get()),
            None => Ok(Map::new()),
        };
        match sent {
            Ok(sent) => {
                let mapped = ToolArguments::from_value(Value::Object(map_back(sent, &self.args)));
                self.inner.clone().call(ctx, mapped)
            }
            Err(e) => {
                Box::pin(
                    async move { Err(Error::invalid_params(format!("Invalid arguments: {e}"))) },
                )
            }
        }
    }
    fn timeout(&self) -> Option<std::time::Duration> {
        self.inner.timeout()
    }
    fn task_start(&self) -> fastmcp_core::TaskStart {
        self.inner.task_start()
    }
}
