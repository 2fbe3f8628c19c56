//! The namespace of a mounted server as a [`Transform`]: what the child offers is listed
//! under namespaced names and URIs, and a lookup of a namespaced name asks the child for
//! its own.

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};

use super::renamed::{RenamedPrompt, RenamedResource, RenamedTemplate, RenamedTool};
use super::Namespace;
use crate::provider::{ResourceTarget, TemplateEntry, ToolEntry};
use crate::transform::{Next, Transform};
use crate::wrap_cache::{addr, Wrappers};

/// A [`Namespace`] applied to a provider (made by [`Namespace::transform`]): tools and
/// prompts listed as `ns_name`, resources and templates as `scheme://ns/path`; names
/// outside the namespace are not found.
///
/// ```
/// use fastmcp_server::{Namespace, Server, Transformed, LocalProvider, ChangeNotifier};
///
/// let tools = LocalProvider::new(ChangeNotifier::new());
/// let server = Server::new("app", "1.0.0")
///     .provider(Transformed::new(tools).with(Namespace::new("extra").transform()));
/// # let _ = server;
/// ```
pub struct NamespaceTransform {
    ns: Namespace,
    wrapped: Wrappers,
}

impl Namespace {
    /// This namespace as a transform of one provider.
    pub fn transform(self) -> NamespaceTransform {
        NamespaceTransform {
            ns: self,
            wrapped: Wrappers::default(),
        }
    }
}

impl NamespaceTransform {
    fn tool_entry(&self, t: ToolEntry) -> ToolEntry {
        let name = self.ns.name(t.name());
        t.map_handlers(|h| Arc::new(RenamedTool::new(h.clone(), name.clone())))
    }

    fn resource(&self, r: Arc<dyn ResourceHandler>) -> Arc<dyn ResourceHandler> {
        let uri = self.ns.uri(&r.resource().uri);
        Arc::new(RenamedResource::new(r, uri))
    }

    fn template(&self, t: Arc<TemplateEntry>) -> Arc<TemplateEntry> {
        let renamed = Arc::new(RenamedTemplate::new(t.handler().clone(), self.ns.clone()));
        match TemplateEntry::new(renamed) {
            Ok(e) => Arc::new(e),
            // The child's template parsed; with a namespace segment in front it still does.
            Err(_) => t,
        }
    }

    fn prompt(&self, p: Arc<dyn PromptHandler>) -> Arc<dyn PromptHandler> {
        let name = self.ns.name(&p.prompt().name);
        Arc::new(RenamedPrompt::new(p, name))
    }

    fn target(&self, t: ResourceTarget) -> ResourceTarget {
        self.wrapped
            .target(t, |r| self.resource(r), |e| self.template(e))
    }
}

impl Transform for NamespaceTransform {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // the same tools in, the same list out
    }

    fn tools(&self, tools: Vec<ToolEntry>) -> Vec<ToolEntry> {
        self.wrapped
            .tools
            .list(tools, |t| addr(t.handler()), |t| self.tool_entry(t))
    }

    fn tool<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            let Some(own) = self.ns.strip_name(name) else {
                return Ok(None);
            };
            let found = next.tool(own).await?;
            Ok(found.map(|t| {
                self.wrapped
                    .tools
                    .one(addr(t.handler()), || self.tool_entry(t))
            }))
        })
    }

    fn resources(&self, resources: Vec<Arc<dyn ResourceHandler>>) -> Vec<Arc<dyn ResourceHandler>> {
        self.wrapped
            .resources
            .list(resources, addr, |r| self.resource(r))
    }

    fn templates(&self, templates: Vec<Arc<TemplateEntry>>) -> Vec<Arc<TemplateEntry>> {
        self.wrapped
            .templates
            .list(templates, |t| addr(t.handler()), |t| self.template(t))
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            let Some(own) = self.ns.strip_uri(uri) else {
                return Ok(None);
            };
            let found = next.resolve_resource(&own).await?;
            Ok(found.map(|t| self.target(t)))
        })
    }

    fn template<'a>(
        &'a self,
        uri_template: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let Some(own) = self.ns.strip_uri(uri_template) else {
                return Ok(None);
            };
            let found = next.template(&own).await?;
            Ok(found.map(|e| {
                self.wrapped
                    .templates
                    .one(addr(e.handler()), || self.template(e))
            }))
        })
    }

    fn prompts(&self, prompts: Vec<Arc<dyn PromptHandler>>) -> Vec<Arc<dyn PromptHandler>> {
        self.wrapped.prompts.list(prompts, addr, |p| self.prompt(p))
    }

    fn prompt<'a>(
        &'a self,
        name: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let Some(own) = self.ns.strip_name(name) else {
                return Ok(None);
            };
            let found = next.prompt(own).await?;
            Ok(found.map(|p| self.wrapped.prompts.one(addr(&p), || self.prompt(p))))
        })
    }
}
