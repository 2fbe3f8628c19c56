//! A mounted server as a provider of its parent: started with the parent, its catalog
//! (its own providers through its own transforms) offered as the parent's, each use run
//! through its pipeline, its changes announced to the parent's sessions.

use std::sync::{Arc, OnceLock};

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};
use tokio::sync::broadcast::error::RecvError;

use super::via::{ViaPrompt, ViaResource, ViaTemplate, ViaTool, Way};
use super::Namespace;
use crate::changes::{ChangeNotifier, ServerEvent};
use crate::provider::{Kinds, Page, Provider, ResourceTarget, TemplateEntry, ToolEntry};
use crate::running::RunningServer;
use crate::wrap_cache::{addr, Wrappers};

/// What the parent's provider and its start and stop hooks share.
pub(crate) struct ChildState {
    pub(crate) running: OnceLock<RunningServer>,
    /// The namespace the child's resource URIs are announced under.
    pub(crate) ns: Option<Namespace>,
    wrapped: Wrappers,
}

impl ChildState {
    pub(crate) fn new(ns: Option<Namespace>) -> Arc<Self> {
        Arc::new(ChildState {
            running: OnceLock::new(),
            ns,
            wrapped: Wrappers::default(),
        })
    }

    fn running(&self) -> Result<&RunningServer, Error> {
        self.running
            .get()
            .ok_or_else(|| Error::internal("a mounted server is used before its parent started"))
    }

    fn way(&self) -> Way {
        self.running
            .get()
            .map(|r| Arc::downgrade(&r.shared.pipeline))
            .unwrap_or_default()
    }

    fn tool(&self, t: ToolEntry) -> ToolEntry {
        let way = self.way();
        t.map_handlers(|h| {
            Arc::new(ViaTool {
                inner: h.clone(),
                way: way.clone(),
            })
        })
    }

    fn resource(&self, r: Arc<dyn ResourceHandler>) -> Arc<dyn ResourceHandler> {
        Arc::new(ViaResource {
            inner: r,
            way: self.way(),
        })
    }

    fn template(&self, t: Arc<TemplateEntry>) -> Arc<TemplateEntry> {
        let via = ViaTemplate {
            inner: t.handler().clone(),
            way: self.way(),
        };
        // The child's template parsed already: the same text parses again.
        TemplateEntry::new(Arc::new(via)).map_or(t, Arc::new)
    }

    fn prompt(&self, p: Arc<dyn PromptHandler>) -> Arc<dyn PromptHandler> {
        Arc::new(ViaPrompt {
            inner: p,
            way: self.way(),
        })
    }

    /// Announce the child's changes to the parent's sessions until the child shuts down.
    fn forward(&self, to: ChangeNotifier) {
        let Ok(running) = self.running() else {
            return;
        };
        let rt = &running.shared.rt;
        let (mut rx, stop, ns) = (rt.changes.subscribe(), rt.shutdown.clone(), self.ns.clone());
        tokio::spawn(async move {
            loop {
                let event = tokio::select! {
                    _ = stop.cancelled() => return,
                    e = rx.recv() => e,
                };
                match event {
                    Ok(ServerEvent::ResourceUpdated(uri)) => {
                        to.resource_updated(ns.as_ref().map_or(uri.clone(), |n| n.uri(&uri)))
                    }
                    Ok(other) => to.send(other),
                    // Missed some: whatever they were, fresh lists show their effect.
                    Err(RecvError::Lagged(_)) => {
                        to.tools_changed();
                        to.resources_changed();
                        to.prompts_changed();
                    }
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }
}

/// The provider of a live mount.
pub(crate) struct ChildServer(pub(crate) Arc<ChildState>);

impl Provider for ChildServer {
    /// The child's own revision: its tools, reshaped here by a pure function.
    fn tools_revision(&self) -> Option<u64> {
        self.0.running.get()?.shared.rt.catalog.tools_revision()
    }

    fn kinds(&self) -> Kinds {
        self.0
            .running
            .get()
            .map(|r| r.shared.rt.kinds())
            .unwrap_or_default()
    }

    fn attach(&self, changes: &ChangeNotifier) {
        self.0.forward(changes.clone());
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let catalog = &s.running()?.shared.rt.catalog;
            let all = crate::provider::walk(|c| catalog.list_tools(c)).await?;
            Ok(Page::all(s.wrapped.tools.list(
                all,
                |t| addr(t.handler()),
                |t| s.tool(t),
            )))
        })
    }

    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let found = s.running()?.shared.rt.catalog.find_tool(name).await?;
            Ok(found.map(|t| s.wrapped.tools.one(addr(t.handler()), || s.tool(t))))
        })
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let catalog = &s.running()?.shared.rt.catalog;
            let all = crate::provider::walk(|c| catalog.list_resources(c)).await?;
            Ok(Page::all(
                s.wrapped.resources.list(all, addr, |r| s.resource(r)),
            ))
        })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let catalog = &s.running()?.shared.rt.catalog;
            let all = crate::provider::walk(|c| catalog.list_templates(c)).await?;
            Ok(Page::all(s.wrapped.templates.list(
                all,
                |t| addr(t.handler()),
                |t| s.template(t),
            )))
        })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let found = s.running()?.shared.rt.catalog.resolve_resource(uri).await?;
            Ok(found.map(|t| s.wrapped.target(t, |r| s.resource(r), |e| s.template(e))))
        })
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let found = s
                .running()?
                .shared
                .rt
                .catalog
                .get_template(uri_template)
                .await?;
            Ok(found.map(|e| s.wrapped.templates.one(addr(e.handler()), || s.template(e))))
        })
    }

    fn list_prompts(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let catalog = &s.running()?.shared.rt.catalog;
            let all = crate::provider::walk(|c| catalog.list_prompts(c)).await?;
            Ok(Page::all(
                s.wrapped.prompts.list(all, addr, |p| s.prompt(p)),
            ))
        })
    }

    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let s = &self.0;
            let found = s.running()?.shared.rt.catalog.get_prompt(name).await?;
            Ok(found.map(|p| s.wrapped.prompts.one(addr(&p), || s.prompt(p))))
        })
    }
}
