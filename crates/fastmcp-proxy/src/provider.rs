//! The proxy as a provider: the upstream lists, read on the proxy's own connection, served
//! from memory while fresh (see `catalog`), each item a component that runs upstream.

use std::sync::Arc;

use fastmcp_client::Client;
use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler};
use fastmcp_protocol::error_code;
use fastmcp_server::{
    match_templates, ChangeNotifier, Kinds, Page, Provider, ResourceTarget, TemplateEntry,
    ToolEntry,
};

use crate::components::{ProxyPrompt, ProxyResource, ProxyTemplate, ProxyTool};
use crate::{Inner, Proxy};

/// A list the upstream server does not have is empty.
fn or_empty<T>(r: Result<Vec<T>, Error>) -> Result<Vec<T>, Error> {
    match r {
        Err(e) if e.code() == error_code::METHOD_NOT_FOUND => Ok(vec![]),
        r => r,
    }
}

impl Inner {
    async fn client(&self) -> Result<Client, Error> {
        self.shared.client().await
    }

    async fn tools(self: &Arc<Self>) -> Result<Vec<ToolEntry>, Error> {
        if let Some(l) = self.catalog.tools.fresh() {
            return Ok(l);
        }
        let c = self.client().await?;
        let keep = c.server_capabilities().tools.and_then(|t| t.list_changed) == Some(true);
        let defs = or_empty(c.list_tools().await)?;
        let weak = Arc::downgrade(self);
        let make = |d| Some(ToolEntry::new(ProxyTool::new(d, weak.clone())));
        Ok(self
            .catalog
            .tools
            .store(defs, |d| d.name.clone(), make, keep))
    }

    /// Whether the upstream server announces changes to its resource lists.
    async fn resources_announced(&self) -> Result<(Client, bool), Error> {
        let c = self.client().await?;
        let keep = c
            .server_capabilities()
            .resources
            .and_then(|r| r.list_changed)
            == Some(true);
        Ok((c, keep))
    }

    async fn resources(self: &Arc<Self>) -> Result<Vec<Arc<dyn ResourceHandler>>, Error> {
        if let Some(l) = self.catalog.resources.fresh() {
            return Ok(l);
        }
        let (c, keep) = self.resources_announced().await?;
        let defs = or_empty(c.list_resources().await)?;
        let proxy = Arc::downgrade(self);
        let make = |def| -> Option<Arc<dyn ResourceHandler>> {
            Some(Arc::new(ProxyResource {
                def,
                proxy: proxy.clone(),
            }))
        };
        Ok(self
            .catalog
            .resources
            .store(defs, |d| d.uri.clone(), make, keep))
    }

    async fn templates(self: &Arc<Self>) -> Result<Vec<Arc<TemplateEntry>>, Error> {
        if let Some(l) = self.catalog.templates.fresh() {
            return Ok(l);
        }
        let (c, keep) = self.resources_announced().await?;
        let defs = or_empty(c.list_resource_templates().await)?;
        let proxy = Arc::downgrade(self);
        // A template that is not RFC 6570 cannot be matched: left out, and said.
        let make = |def: fastmcp_protocol::ResourceTemplate| {
            let text = def.uri_template.clone();
            let h = Arc::new(ProxyTemplate {
                def,
                proxy: proxy.clone(),
            });
            let made = TemplateEntry::new(h).map(Arc::new);
            if let Err(e) = &made {
                tracing::warn!("proxy: upstream template {text:?} left out: {e}");
            }
            made.ok()
        };
        Ok(self
            .catalog
            .templates
            .store(defs, |d| d.uri_template.clone(), make, keep))
    }

    async fn prompts(self: &Arc<Self>) -> Result<Vec<Arc<dyn PromptHandler>>, Error> {
        if let Some(l) = self.catalog.prompts.fresh() {
            return Ok(l);
        }
        let c = self.client().await?;
        let keep = c.server_capabilities().prompts.and_then(|p| p.list_changed) == Some(true);
        let defs = or_empty(c.list_prompts().await)?;
        let proxy = Arc::downgrade(self);
        let make = |def| -> Option<Arc<dyn PromptHandler>> {
            Some(Arc::new(ProxyPrompt {
                def,
                proxy: proxy.clone(),
            }))
        };
        Ok(self
            .catalog
            .prompts
            .store(defs, |d| d.name.clone(), make, keep))
    }

    /// What `uri` is in the last lists.
    fn known_target(&self, uri: &str) -> Result<Option<ResourceTarget>, Error> {
        if let Some(r) = self.catalog.resources.find(uri) {
            return Ok(Some(ResourceTarget::Static(r)));
        }
        match_templates(self.catalog.templates.last().iter(), uri)
    }
}

impl Provider for Proxy {
    fn kinds(&self) -> Kinds {
        // Known only once connected: declared in full, a list the upstream server lacks
        // is empty.
        Kinds {
            tools: true,
            resources: true,
            templates: true,
            prompts: true,
            task_tools: false,
        }
    }

    fn attach(&self, changes: &ChangeNotifier) {
        let _ = self.inner.catalog.changes.set(changes.clone());
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move { Ok(Page::all(self.inner.tools().await?)) })
    }

    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            if let Some(t) = self.inner.catalog.tools.find(name) {
                return Ok(Some(t));
            }
            Ok(self
                .inner
                .tools()
                .await?
                .into_iter()
                .find(|t| t.name() == name))
        })
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move { Ok(Page::all(self.inner.resources().await?)) })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move { Ok(Page::all(self.inner.templates().await?)) })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            if let Some(t) = self.inner.known_target(uri)? {
                return Ok(Some(t));
            }
            self.inner.resources().await?;
            self.inner.templates().await?;
            self.inner.known_target(uri)
        })
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            if let Some(t) = self.inner.catalog.templates.find(uri_template) {
                return Ok(Some(t));
            }
            let all = self.inner.templates().await?;
            Ok(all.into_iter().find(|t| t.uri_template() == uri_template))
        })
    }

    fn list_prompts(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move { Ok(Page::all(self.inner.prompts().await?)) })
    }

    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            if let Some(p) = self.inner.catalog.prompts.find(name) {
                return Ok(Some(p));
            }
            let all = self.inner.prompts().await?;
            Ok(all.into_iter().find(|p| p.prompt().name == name))
        })
    }
}
