//! [`ResourceTransform`]: one resource reshaped (URI, name, title, description, MIME
//! type, tags); a read reaches the original at its own URI, and its contents are shown at
//! the new one.

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, ResourceHandler};
use fastmcp_protocol::Resource;

use super::relabel::{relabel_methods, Relabel};
use crate::mount::renamed::RenamedResource;
use crate::provider::ResourceTarget;
use crate::transform::{Next, Transform};
use crate::wrap_cache::LastWrap;

/// A resource reshaped: a [`Transform`] that changes the resource at `uri` (a fixed URI,
/// not a template) wherever it comes from.
///
/// ```
/// use fastmcp_server::{ResourceTransform, Server};
///
/// let config = ResourceTransform::new("file:///etc/app/config.toml")
///     .uri("config://app")
///     .description("The application's settings.")
///     .mime_type("application/toml");
/// let server = Server::new("app", "1.0.0").transform(config);
/// # let _ = server;
/// ```
pub struct ResourceTransform {
    target: String,
    uri: Option<String>,
    name: Option<String>,
    label: Relabel,
    mime_type: Option<String>,
    made: LastWrap<Arc<dyn ResourceHandler>>,
}

impl ResourceTransform {
    /// Changes to the resource at `uri`.
    pub fn new(uri: impl Into<String>) -> Self {
        ResourceTransform {
            target: uri.into(),
            uri: None,
            name: None,
            label: Relabel::default(),
            mime_type: None,
            made: LastWrap::default(),
        }
    }

    /// Clients see (and read) it at `uri`; the old URI is no longer found.
    pub fn uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }

    /// A new name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    relabel_methods!();

    /// A new MIME type (of the listing; a read's contents keep the original's).
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.mime_type = Some(mime.into());
        self
    }

    fn shown_uri(&self) -> &str {
        self.uri.as_deref().unwrap_or(&self.target)
    }

    fn definition(&self, original: &Resource) -> Resource {
        let mut def = original.clone();
        def.uri = self.shown_uri().to_owned();
        let set = |slot: &mut Option<String>, v: &Option<String>| {
            if let Some(v) = v {
                *slot = Some(v.clone());
            }
        };
        if let Some(n) = &self.name {
            def.name = n.clone();
        }
        set(&mut def.mime_type, &self.mime_type);
        self.label
            .apply(&mut def.title, &mut def.description, &mut def.meta);
        def
    }

    fn wrap(&self, original: Arc<dyn ResourceHandler>) -> Arc<dyn ResourceHandler> {
        let key = crate::wrap_cache::addr(&original);
        self.made.get_or(key, || {
            let def = self.definition(original.resource());
            Arc::new(RenamedResource::with_def(original, def))
        })
    }
}

impl Transform for ResourceTransform {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // the same tools in, the same list out
    }

    fn resources(&self, resources: Vec<Arc<dyn ResourceHandler>>) -> Vec<Arc<dyn ResourceHandler>> {
        resources
            .into_iter()
            .map(|r| {
                if r.resource().uri == self.target {
                    self.wrap(r)
                } else {
                    r
                }
            })
            .collect()
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
        next: Next<'a>,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        if uri == self.shown_uri() {
            return Box::pin(async move {
                match next.resolve_resource(&self.target).await? {
                    Some(ResourceTarget::Static(r)) => {
                        Ok(Some(ResourceTarget::Static(self.wrap(r))))
                    }
                    // Not a fixed resource there (or nothing): as if untouched.
                    _ if uri == self.target => next.resolve_resource(uri).await,
                    _ => Ok(None),
                }
            });
        }
        if uri == self.target {
            // Moved: the old URI is gone.
            return Box::pin(async { Ok(None) });
        }
        next.resolve_resource(uri)
    }
}
