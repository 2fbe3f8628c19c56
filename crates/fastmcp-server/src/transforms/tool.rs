//! [`ToolTransform`]: one tool reshaped (name, description, title, tags, annotations,
//! arguments); calls reach the original with its own argument names, or a function of
//! the transform's own that may call the original through [`Forward`].

use std::future::Future;
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, Require, ToolArguments, ToolHandler};
use fastmcp_protocol::{CallToolResult, Tool, ToolAnnotations};
use serde_json::{Map, Value};

use super::args::{map_back, reshape_schema, ArgChanges, ArgTransform};
use super::relabel::{relabel_methods, Relabel};
use crate::provider::ToolEntry;
use crate::transform::{Next, Transform};
use crate::wrap_cache::LastWrap;

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
    label: Relabel,
    annotations: Option<ToolAnnotations>,
    args: ArgChanges,
    run: Option<ToolFn>,
    /// The wrapper of the last original seen (rebuilt when the original changes).
    made: LastWrap<ToolEntry>,
}

/// A transformed tool's own function.
type ToolFn = Arc<
    dyn Fn(
            Context,
            Map<String, Value>,
            Forward,
        ) -> BoxFuture<'static, Result<CallToolResult, Error>>
        + Send
        + Sync,
>;

/// The original tool, as a transformed tool's own function ([`ToolTransform::run`]) calls
/// it.
#[derive(Clone)]
pub struct Forward {
    inner: Arc<dyn ToolHandler>,
    args: ArgChanges,
    ctx: Context,
}

impl Forward {
    /// Run the original with arguments as the transformed tool takes them: renamed back,
    /// converted, defaults and hidden values filled in.
    pub async fn call(&self, args: Map<String, Value>) -> Result<CallToolResult, Error> {
        let mapped = map_back(args, &self.args, &self.ctx)?;
        self.call_raw(mapped).await
    }

    /// Run the original with arguments under its own names, as they are.
    pub async fn call_raw(&self, args: Map<String, Value>) -> Result<CallToolResult, Error> {
        let args = ToolArguments::from_value(Value::Object(args));
        self.inner.clone().call(self.ctx.clone(), args).await
    }

    /// The original tool's definition.
    pub fn tool(&self) -> &Tool {
        self.inner.tool()
    }
}

impl ToolTransform {
    /// Changes to the tool called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        ToolTransform {
            target: name.into(),
            name: None,
            label: Relabel::default(),
            annotations: None,
            args: vec![],
            run: None,
            made: LastWrap::default(),
        }
    }

    /// Run `f` for each call instead of the original: it gets the call's context, the
    /// arguments as the client sent them, and the original through [`Forward`] (to call
    /// it before, after, or not at all).
    ///
    /// ```
    /// use fastmcp_server::ToolTransform;
    ///
    /// // Refuse negative amounts, then call the original.
    /// let checked = ToolTransform::new("pay").run(|_ctx, args, forward| async move {
    ///     if args.get("amount").and_then(|a| a.as_f64()).unwrap_or(0.0) < 0.0 {
    ///         return Ok(fastmcp_protocol::CallToolResult::error_text("amount must be positive"));
    ///     }
    ///     forward.call(args).await
    /// });
    /// # let _ = checked;
    /// ```
    pub fn run<F, Fut>(mut self, f: F) -> Self
    where
        F: Fn(Context, Map<String, Value>, Forward) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, Error>> + Send + 'static,
    {
        self.run = Some(Arc::new(move |ctx, args, fwd| Box::pin(f(ctx, args, fwd))));
        self
    }

    /// Clients see (and call) it as `name`; the old name is no longer found.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    relabel_methods!();

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
        self.label
            .apply(&mut def.title, &mut def.description, &mut def.meta);
        if let Some(a) = &self.annotations {
            def.annotations = Some(a.clone());
        }
        def.input_schema = reshape_schema(&original.input_schema, &self.args);
        def
    }

    /// The reshaped entry of `original` (made once per original).
    fn wrap(&self, original: ToolEntry) -> ToolEntry {
        let key = crate::wrap_cache::addr(original.handler());
        self.made.get_or(key, || {
            original.map_handlers(|h| {
                Arc::new(Reshaped {
                    def: self.definition(h.tool()),
                    args: self.args.clone(),
                    run: self.run.clone(),
                    inner: h.clone(),
                })
            })
        })
    }
}

impl Transform for ToolTransform {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // the same tools in, the same list out
    }

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
    run: Option<ToolFn>,
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
        let sent = match sent {
            Ok(sent) => sent,
            Err(e) => {
                let e = Error::invalid_params(format!("Invalid arguments: {e}"));
                return Box::pin(async move { Err(e) });
            }
        };
        let forward = Forward {
            inner: self.inner.clone(),
            args: self.args.clone(),
            ctx: ctx.clone(),
        };
        match &self.run {
            Some(f) => f(ctx, sent, forward),
            None => Box::pin(async move { forward.call(sent).await }),
        }
    }
    fn timeout(&self) -> Option<std::time::Duration> {
        self.inner.timeout()
    }
    fn task_start(&self) -> fastmcp_core::TaskStart {
        self.inner.task_start()
    }
}
