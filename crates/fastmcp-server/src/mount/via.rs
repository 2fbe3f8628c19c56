//! A mounted server's components as the parent serves them: each use goes through the
//! child's own request pipeline (its middleware, access rules and settings), on the
//! parent's request (its session, peer, cancellation scope and progress token), so a
//! child's progress, logs and server-to-client requests reach the parent's client.

use std::sync::{Arc, Weak};

use fastmcp_core::{
    BoxFuture, Context, Error, PromptHandler, Require, ResourceHandler, ResourceTemplateHandler,
    TemplateVars, ToolArguments, ToolHandler,
};
use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource,
    ResourceTemplate, Tool,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::service::Pipeline;

/// The way into a child's pipeline (weak: the parent's provider owns the child).
pub(crate) type Way = Weak<Pipeline>;

/// Run `method` with `params` in the child, on the parent's request `ctx`.
async fn run<T: DeserializeOwned>(
    way: &Way,
    ctx: &Context,
    method: &str,
    params: Value,
) -> Result<T, Error> {
    let Some(pipeline) = way.upgrade() else {
        return Err(Error::internal("the mounted server has shut down"));
    };
    // Run by the parent for its client: the child runs it in place, never as a task of
    // its own (the parent decides whether the call is a task); progress goes to the
    // parent's client.
    let call = Call::nested_in(ctx, ctx.progress_token().cloned());
    let params = crate::call::raw(&params)?;
    let out = pipeline
        .call(
            fastmcp_protocol::jsonrpc::method(method),
            Some(params),
            call,
        )
        .await?;
    serde_json::from_str(out.get())
        .map_err(|e| Error::internal(format!("a mounted server's {method} answer: {e}")))
}

/// A child's tool, called through the child's pipeline.
pub(crate) struct ViaTool {
    pub(crate) inner: Arc<dyn ToolHandler>,
    pub(crate) way: Way,
}

impl ToolHandler for ViaTool {
    fn tool(&self) -> &Tool {
        self.inner.tool()
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        Box::pin(async move {
            let mut params = json!({ "name": self.inner.tool().name });
            let version = fastmcp_core::component_meta::version(self.inner.tool().meta.as_ref());
            if let Some(v) = version {
                // This version of the name, not the child's default.
                params["_meta"] = json!({ fastmcp_core::component_meta::META_VERSION: v });
            }
            if let Some(raw) = args.raw() {
                params["arguments"] = serde_json::from_str(raw.get())
                    .map_err(|e| Error::invalid_params(format!("Invalid arguments: {e}")))?;
            }
            run(&self.way, &ctx, "tools/call", params).await
        })
    }
    fn timeout(&self) -> Option<std::time::Duration> {
        self.inner.timeout()
    }
    fn task_start(&self) -> fastmcp_core::TaskStart {
        self.inner.task_start()
    }
}

/// A child's resource, read through the child's pipeline.
pub(crate) struct ViaResource {
    pub(crate) inner: Arc<dyn ResourceHandler>,
    pub(crate) way: Way,
}

impl ResourceHandler for ViaResource {
    fn resource(&self) -> &Resource {
        self.inner.resource()
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move { run(&self.way, &ctx, "resources/read", json!({ "uri": uri })).await })
    }
}

/// A child's template, read and completed through the child's pipeline.
pub(crate) struct ViaTemplate {
    pub(crate) inner: Arc<dyn ResourceTemplateHandler>,
    pub(crate) way: Way,
}

impl ResourceTemplateHandler for ViaTemplate {
    fn template(&self) -> &ResourceTemplate {
        self.inner.template()
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
        _vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move { run(&self.way, &ctx, "resources/read", json!({ "uri": uri })).await })
    }
    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        Box::pin(async move {
            let r = json!({ "type": "ref/resource", "uri": self.inner.template().uri_template });
            let p = fastmcp_protocol::complete_params(r, argument, value, context);
            run(&self.way, &ctx, "completion/complete", p).await
        })
    }
}

/// A child's prompt, rendered and completed through the child's pipeline.
pub(crate) struct ViaPrompt {
    pub(crate) inner: Arc<dyn PromptHandler>,
    pub(crate) way: Way,
}

impl PromptHandler for ViaPrompt {
    fn prompt(&self) -> &Prompt {
        self.inner.prompt()
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>> {
        Box::pin(async move {
            let p = json!({ "name": self.inner.prompt().name, "arguments": args });
            run(&self.way, &ctx, "prompts/get", p).await
        })
    }
    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        Box::pin(async move {
            let r = json!({ "type": "ref/prompt", "name": self.inner.prompt().name });
            let p = fastmcp_protocol::complete_params(r, argument, value, context);
            run(&self.way, &ctx, "completion/complete", p).await
        })
    }
}
