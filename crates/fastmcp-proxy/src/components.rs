//! The upstream server's components as the proxy serves them: each use is the same request
//! sent upstream for the caller (its progress reported to the caller, cancelled with it).

use std::sync::{Arc, Weak};

use fastmcp_core::{
    BoxFuture, Context, Error, PromptHandler, ResourceHandler, ResourceTemplateHandler,
    TemplateVars, ToolArguments, ToolHandler,
};
use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource,
    ResourceTemplate, Tool,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use crate::callers::{Callers, Event};
use crate::Inner;

/// Progress and log notifications waiting to be sent on, per call, at most this many
/// (more are dropped).
const EVENT_BACKLOG: usize = 256;

/// Send `method` upstream for the caller of `ctx` and decode the answer.
pub(crate) async fn forward<T: DeserializeOwned>(
    proxy: &Weak<Inner>,
    ctx: &Context,
    method: &'static str,
    params: Value,
) -> Result<T, Error> {
    let Some(proxy) = proxy.upgrade() else {
        return Err(Error::internal("the proxy has shut down"));
    };
    let up = proxy.upstream(ctx);
    let client = tokio::select! {
        c = up.client() => c?,
        _ = ctx.cancelled() => return Err(Error::cancelled()),
    };
    let (tx, mut rx) = mpsc::channel::<Event>(EVENT_BACKLOG);
    let entered = up.callers.enter(ctx, tx.clone());
    let wants_progress = ctx.progress_token().is_some();
    let request = Callers::scope(entered.id, async move {
        if wants_progress {
            let on_progress = move |p| {
                let _ = tx.try_send(Event::Progress(p));
            };
            client
                .request_with_progress(method, params, None, on_progress)
                .await
        } else {
            client.request_value(method, params, None).await
        }
    });
    tokio::pin!(request);
    let answer = loop {
        tokio::select! {
            r = &mut request => {
                while let Ok(p) = rx.try_recv() {
                    report(ctx, p).await;
                }
                break entered.held.take().map_or(r, Err)?;
            }
            Some(p) = rx.recv() => report(ctx, p).await,
            e = entered.held.wait() => return Err(e),
            _ = ctx.cancelled() => return Err(Error::cancelled()),
        }
    };
    serde_json::from_value(answer)
        .map_err(|e| Error::internal(format!("the proxied server's {method} answer: {e}")))
}

/// Send on what the upstream server told during the call.
async fn report(ctx: &Context, e: Event) {
    let _ = match e {
        Event::Progress(p) => {
            ctx.report_progress(p.progress, p.total, p.message.as_deref())
                .await
        }
        Event::Log(l) => ctx.log(l.level, l.logger.as_deref(), l.data).await,
    };
}

/// An upstream tool.
pub(crate) struct ProxyTool {
    pub(crate) def: Tool,
    pub(crate) proxy: Weak<Inner>,
}

impl ProxyTool {
    /// The tool `def` of the upstream server; it runs upstream, in place (a task of the
    /// proxy's own when its client asks for one), so its task support is not passed on.
    pub(crate) fn new(mut def: Tool, proxy: Weak<Inner>) -> Arc<Self> {
        def.execution = None;
        Arc::new(ProxyTool { def, proxy })
    }
}

impl ToolHandler for ProxyTool {
    fn tool(&self) -> &Tool {
        &self.def
    }
    fn call(
        self: Arc<Self>,
        ctx: Context,
        args: ToolArguments,
    ) -> BoxFuture<'static, Result<CallToolResult, Error>> {
        Box::pin(async move {
            let mut params = json!({ "name": self.def.name });
            if let Some(raw) = args.raw() {
                params["arguments"] = serde_json::from_str(raw.get())
                    .map_err(|e| Error::invalid_params(format!("Invalid arguments: {e}")))?;
            }
            forward(&self.proxy, &ctx, "tools/call", params).await
        })
    }
}

/// An upstream resource.
pub(crate) struct ProxyResource {
    pub(crate) def: Resource,
    pub(crate) proxy: Weak<Inner>,
}

impl ResourceHandler for ProxyResource {
    fn resource(&self) -> &Resource {
        &self.def
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            forward(&self.proxy, &ctx, "resources/read", json!({ "uri": uri })).await
        })
    }
}

/// An upstream resource template.
pub(crate) struct ProxyTemplate {
    pub(crate) def: ResourceTemplate,
    pub(crate) proxy: Weak<Inner>,
}

impl ResourceTemplateHandler for ProxyTemplate {
    fn template(&self) -> &ResourceTemplate {
        &self.def
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
        _vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            forward(&self.proxy, &ctx, "resources/read", json!({ "uri": uri })).await
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
            let r = json!({ "type": "ref/resource", "uri": self.def.uri_template });
            let p = fastmcp_protocol::complete_params(r, argument, value, context);
            forward(&self.proxy, &ctx, "completion/complete", p).await
        })
    }
}

/// An upstream prompt.
pub(crate) struct ProxyPrompt {
    pub(crate) def: Prompt,
    pub(crate) proxy: Weak<Inner>,
}

impl PromptHandler for ProxyPrompt {
    fn prompt(&self) -> &Prompt {
        &self.def
    }
    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>> {
        Box::pin(async move {
            let p = json!({ "name": self.def.name, "arguments": args });
            forward(&self.proxy, &ctx, "prompts/get", p).await
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
            let r = json!({ "type": "ref/prompt", "name": self.def.name });
            let p = fastmcp_protocol::complete_params(r, argument, value, context);
            forward(&self.proxy, &ctx, "completion/complete", p).await
        })
    }
}
