//! Transforms: what sits between the providers and the methods that serve a client.
//!
//! A list is reshaped by a pure function (rename, hide, re-describe what a provider
//! offers); a lookup by name or URI passes through the chain of transforms (each may
//! rewrite the name it asks the next for, refuse it, or wrap what comes back: a wrapped
//! tool is how a transform changes a call). Transforms apply to the whole server
//! ([`crate::Server::transform`]) or to one provider ([`Transformed`]).
//!
//! The first transform added is the outermost: a lookup reaches it first, and a list
//! reaches it last.
//!
//! ```
//! use fastmcp_core::{BoxFuture, Error};
//! use fastmcp_server::{Next, Server, ToolEntry, Transform};
//!
//! /// Hides the tools whose names start with `_`.
//! struct HidePrivate;
//!
//! impl Transform for HidePrivate {
//!     fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
//!         tools.into_iter().filter(|t| !t.name().starts_with('_')).collect()
//!     }
//!     fn tools_revision(&self) -> Option<u64> {
//!         Some(0) // `tools` depends on its input only: a list made once can be reused
//!     }
//!     fn tool<'a>(&'a self, name: &'a str, next: Next<'a>)
//!         -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
//!         if name.starts_with('_') {
//!             return Box::pin(async { Ok(None) });
//!         }
//!         next.tool(name)
//!     }
//! }
//!
//! let server = Server::new("demo", "1.0.0").transform(HidePrivate);
//! ```

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};

use crate::changes::ChangeNotifier;
use crate::provider::{
    sum_of, walk, Kinds, Page, Provider, ResourceTarget, TemplateEntry, ToolEntry,
};

/// Reshapes what providers offer. Every method has a default that changes nothing.
pub trait Transform: Send + Sync + 'static {
    /// What the reshaped lists may hold, given what the providers offer (a transform
    /// that adds tools says so here, for the server's capabilities).
    fn kinds(&self, kinds: Kinds) -> Kinds {
        kinds
    }

    /// Reshape the tool list.
    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        tools
    }

    /// A number that grows whenever what [`Transform::tools`] makes of the same list may
    /// have changed, or `None` (the default): it cannot tell, and every `tools/list`
    /// through this transform lists again. A transform whose `tools` is a pure function of
    /// its input returns `Some(0)`; one that reads state it keeps returns a counter that
    /// grows after each change of that state (see [`crate::Provider::tools_revision`]).
    fn tools_revision(&self) -> Option<u64> {
        None
    }

    /// Look up the tool a client calls `name` (ask `next`, under another name if need be).
    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        next.tool(name)
    }

    /// [`Transform::tool`] answered without waiting (with [`Next::tool_now`]), when this
    /// transform can: it must then answer as `tool` would. `None` (the default) makes the
    /// lookup take the asynchronous way, so a transform that overrides `tool` stays right
    /// without overriding this.
    fn tool_now(&self, name: &str, next: Next<'_>) -> Option<Result<Option<ToolEntry>, Error>> {
        let _ = (name, next);
        None
    }

    /// Reshape the resource list.
    fn resources(&self, resources: Vec<Arc<dyn ResourceHandler>>) -> Vec<Arc<dyn ResourceHandler>> {
        resources
    }

    /// Reshape the template list.
    fn templates(&self, templates: Vec<Arc<TemplateEntry>>) -> Vec<Arc<TemplateEntry>> {
        templates
    }

    /// Resolve the resource URI a client reads.
    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        next.resolve_resource(uri)
    }

    /// Look up a template by its URI template (completions).
    fn template<'a>(
        &'a self,
        uri_template: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        next.template(uri_template)
    }

    /// Reshape the prompt list.
    fn prompts(&self, prompts: Vec<Arc<dyn PromptHandler>>) -> Vec<Arc<dyn PromptHandler>> {
        prompts
    }

    /// Look up the prompt a client gets as `name`.
    fn prompt<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        next.prompt(name)
    }
}

/// The rest of a lookup's chain: the transforms after this one, then the provider.
#[derive(Clone, Copy)]
pub struct Next<'a> {
    rest: &'a [Arc<dyn Transform>],
    provider: &'a dyn Provider,
}

impl<'a> Next<'a> {
    fn split(self) -> Option<(&'a dyn Transform, Next<'a>)> {
        let (first, rest) = self.rest.split_first()?;
        Some((
            &**first,
            Next {
                rest,
                provider: self.provider,
            },
        ))
    }

    /// Every tool further down the chain: the provider's list, reshaped by the
    /// transforms after this one (what a transform that searches or summarises needs).
    pub fn list_tools<'b>(self) -> BoxFuture<'b, Result<Vec<ToolEntry>, Error>>
    where
        'a: 'b,
    {
        Box::pin(async move {
            let all = walk(|c| self.provider.list_tools(c)).await?;
            Ok(self.rest.iter().rev().fold(all, |v, t| t.tools(v)))
        })
    }

    /// Look up a tool further down the chain.
    pub fn tool<'b>(self, name: &'b str) -> BoxFuture<'b, Result<Option<ToolEntry>, Error>>
    where
        'a: 'b,
    {
        match self.split() {
            Some((t, next)) => t.tool(name, next),
            None => self.provider.get_tool(name),
        }
    }

    /// Look up a tool further down the chain without waiting: `None` when a transform or
    /// the provider there cannot (then [`Next::tool`] must be asked).
    pub fn tool_now(self, name: &str) -> Option<Result<Option<ToolEntry>, Error>> {
        match self.split() {
            Some((t, next)) => t.tool_now(name, next),
            None => self.provider.get_tool_now(name),
        }
    }

    /// Resolve a resource URI further down the chain.
    pub fn resolve_resource<'b>(
        self,
        uri: &'b str,
    ) -> BoxFuture<'b, Result<Option<ResourceTarget>, Error>>
    where
        'a: 'b,
    {
        match self.split() {
            Some((t, next)) => t.resolve_resource(uri, next),
            None => self.provider.resolve_resource(uri),
        }
    }

    /// Look up a template further down the chain.
    pub fn template<'b>(
        self,
        uri_template: &'b str,
    ) -> BoxFuture<'b, Result<Option<Arc<TemplateEntry>>, Error>>
    where
        'a: 'b,
    {
        match self.split() {
            Some((t, next)) => t.template(uri_template, next),
            None => self.provider.get_template(uri_template),
        }
    }

    /// Look up a prompt further down the chain.
    pub fn prompt<'b>(
        self,
        name: &'b str,
    ) -> BoxFuture<'b, Result<Option<Arc<dyn PromptHandler>>, Error>>
    where
        'a: 'b,
    {
        match self.split() {
            Some((t, next)) => t.prompt(name, next),
            None => self.provider.get_prompt(name),
        }
    }
}

/// A provider seen through transforms: itself a provider.
pub struct Transformed<P> {
    inner: P,
    transforms: Vec<Arc<dyn Transform>>,
}

impl<P: Provider> Transformed<P> {
    /// `inner` with no transform yet.
    pub fn new(inner: P) -> Self {
        Transformed {
            inner,
            transforms: Vec::new(),
        }
    }

    /// Add a transform (inside the ones added before).
    pub fn with(mut self, t: impl Transform) -> Self {
        self.transforms.push(Arc::new(t));
        self
    }

    /// Add a shared transform.
    pub(crate) fn with_arc(mut self, t: Arc<dyn Transform>) -> Self {
        self.transforms.push(t);
        self
    }

    /// The tool called `name`: at once when every transform and provider on the way can
    /// answer so ([`Provider::get_tool_now`]), with no future for the lookup; else by
    /// waiting ([`Provider::get_tool`]).
    pub(crate) async fn find_tool(&self, name: &str) -> Result<Option<ToolEntry>, Error> {
        match self.get_tool_now(name) {
            Some(found) => found,
            None => self.get_tool(name).await,
        }
    }

    fn next(&self) -> Next<'_> {
        Next {
            rest: &self.transforms,
            provider: &self.inner,
        }
    }

    /// Apply the list functions, innermost first.
    fn reshape<T>(&self, items: Vec<T>, f: impl Fn(&dyn Transform, Vec<T>) -> Vec<T>) -> Vec<T> {
        self.transforms
            .iter()
            .rev()
            .fold(items, |items, t| f(&**t, items))
    }
}

impl<P: Provider> Provider for Transformed<P> {
    fn kinds(&self) -> Kinds {
        // Innermost first, as the lists are reshaped.
        self.transforms
            .iter()
            .rev()
            .fold(self.inner.kinds(), |k, t| t.kinds(k))
    }

    fn attach(&self, changes: &ChangeNotifier) {
        self.inner.attach(changes)
    }

    fn tools_revision(&self) -> Option<u64> {
        let transforms = self.transforms.iter().map(|t| t.tools_revision());
        sum_of(std::iter::once(self.inner.tools_revision()).chain(transforms))
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.inner.list_tools(c)).await?;
            Ok(Page::all(self.reshape(all, |t, v| t.tools(v))))
        })
    }

    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        self.next().tool(name)
    }

    fn get_tool_now(&self, name: &str) -> Option<Result<Option<ToolEntry>, Error>> {
        self.next().tool_now(name)
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.inner.list_resources(c)).await?;
            Ok(Page::all(self.reshape(all, |t, v| t.resources(v))))
        })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.inner.list_templates(c)).await?;
            Ok(Page::all(self.reshape(all, |t, v| t.templates(v))))
        })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        self.next().resolve_resource(uri)
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        self.next().template(uri_template)
    }

    fn list_prompts(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.inner.list_prompts(c)).await?;
            Ok(Page::all(self.reshape(all, |t, v| t.prompts(v))))
        })
    }

    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        self.next().prompt(name)
    }
}
