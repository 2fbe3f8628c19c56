//! Components seen under other names: the handlers a [`super::Namespace`] hands out. Each
//! wraps the original, shows a renamed definition and passes everything else through.

use std::sync::Arc;

use fastmcp_core::{
    BoxFuture, Context, Error, PromptHandler, Require, ResourceHandler, ResourceTemplateHandler,
    TemplateVars, ToolArguments, ToolHandler,
};
use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, Prompt, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, Tool,
};
use serde_json::{Map, Value};

use super::Namespace;

/// A tool under another name.
pub(crate) struct RenamedTool {
    def: Tool,
    inner: Arc<dyn ToolHandler>,
}

impl RenamedTool {
    pub(crate) fn new(inner: Arc<dyn ToolHandler>, name: String) -> Self {
        let mut def = inner.tool().clone();
        def.name = name;
        RenamedTool { def, inner }
    }
}

impl ToolHandler for RenamedTool {
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
        self.inner.clone().call(ctx, args)
    }
    fn timeout(&self) -> Option<std::time::Duration> {
        self.inner.timeout()
    }
    fn task_start(&self) -> fastmcp_core::TaskStart {
        self.inner.task_start()
    }
}

/// A prompt under another name.
pub(crate) struct RenamedPrompt {
    def: Prompt,
    inner: Arc<dyn PromptHandler>,
}

impl RenamedPrompt {
    pub(crate) fn new(inner: Arc<dyn PromptHandler>, name: String) -> Self {
        let mut def = inner.prompt().clone();
        def.name = name;
        RenamedPrompt { def, inner }
    }
}

impl PromptHandler for RenamedPrompt {
    fn prompt(&self) -> &Prompt {
        &self.def
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn get(
        self: Arc<Self>,
        ctx: Context,
        args: Map<String, Value>,
    ) -> BoxFuture<'static, Result<GetPromptResult, Error>> {
        self.inner.clone().get(ctx, args)
    }
    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        self.inner.clone().complete(ctx, argument, value, context)
    }
}

/// A resource under another URI: read at its own, its contents shown at the new one.
pub(crate) struct RenamedResource {
    def: Resource,
    inner: Arc<dyn ResourceHandler>,
}

impl RenamedResource {
    pub(crate) fn new(inner: Arc<dyn ResourceHandler>, uri: String) -> Self {
        let mut def = inner.resource().clone();
        def.uri = uri;
        RenamedResource { def, inner }
    }

    /// `inner` shown as `def` (its URI included).
    pub(crate) fn with_def(inner: Arc<dyn ResourceHandler>, def: Resource) -> Self {
        RenamedResource { def, inner }
    }
}

impl ResourceHandler for RenamedResource {
    fn resource(&self) -> &Resource {
        &self.def
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        _uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let own = self.inner.resource().uri.clone();
            let read = self.inner.clone().read(ctx, own.clone()).await?;
            Ok(relabel(read, &own, &self.def.uri))
        })
    }
}

/// A template under another URI template: a URI of the new one is read as the child's.
pub(crate) struct RenamedTemplate {
    def: ResourceTemplate,
    inner: Arc<dyn ResourceTemplateHandler>,
    ns: Namespace,
}

impl RenamedTemplate {
    pub(crate) fn new(inner: Arc<dyn ResourceTemplateHandler>, ns: Namespace) -> Self {
        let mut def = inner.template().clone();
        def.uri_template = ns.uri(&def.uri_template);
        RenamedTemplate { def, inner, ns }
    }
}

impl ResourceTemplateHandler for RenamedTemplate {
    fn template(&self) -> &ResourceTemplate {
        &self.def
    }
    fn auth(&self) -> Option<&Require> {
        self.inner.auth()
    }
    fn read(
        self: Arc<Self>,
        ctx: Context,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let Some(own) = self.ns.strip_uri(&uri) else {
                return Err(Error::resource_not_found(&uri));
            };
            let read = self.inner.clone().read(ctx, own.clone(), vars).await?;
            Ok(relabel(read, &own, &uri))
        })
    }
    fn complete(
        self: Arc<Self>,
        ctx: Context,
        argument: String,
        value: String,
        context: Map<String, Value>,
    ) -> BoxFuture<'static, Result<CompleteResult, Error>> {
        self.inner.clone().complete(ctx, argument, value, context)
    }
}

/// Contents read at `from` shown at `to` (contents of other URIs are left alone).
pub(crate) fn relabel(mut read: ReadResourceResult, from: &str, to: &str) -> ReadResourceResult {
    for c in &mut read.contents {
        let uri = match c {
            ResourceContents::Text(t) => &mut t.uri,
            ResourceContents::Blob(b) => &mut b.uri,
        };
        if uri == from {
            *uri = to.to_owned();
        }
    }
    read
}
