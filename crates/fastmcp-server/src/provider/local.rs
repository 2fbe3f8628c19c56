//! The server's own components, in registration order, changeable at run time: the
//! provider behind [`crate::Server::tool`], [`crate::Server::resource`],
//! [`crate::Server::prompt`] and [`crate::ServerHandle`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use fastmcp_core::{AnyResource, BoxFuture, Error, PromptHandler, ResourceHandler, ToolHandler};
use fastmcp_protocol::TaskSupport;
use indexmap::IndexMap;

use super::{match_templates, Kinds, Page, Provider, ResourceTarget, TemplateEntry, ToolEntry};
use crate::changes::ChangeNotifier;
use crate::lock::{read, write};

/// A map of components by name: looked up on every request, so hashed with foldhash.
type ByName<V> = IndexMap<String, V, foldhash::fast::RandomState>;

/// What happens when a component is registered under a name already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Replace it and log a warning (the default).
    #[default]
    Warn,
    /// Refuse the new one: the builder's `start()` (or `ServerHandle::add_*`) returns
    /// [`RegistrationError::Duplicate`].
    Error,
    /// Replace it silently.
    Replace,
    /// Keep the old one.
    Ignore,
}

/// Why a component could not be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RegistrationError {
    /// The name (or URI) is taken and the policy is [`OnDuplicate::Error`].
    Duplicate {
        /// `tool`, `resource`, `resource template` or `prompt`.
        kind: &'static str,
        /// The name, URI or URI template.
        name: String,
    },
    /// A mounted or imported server's namespace that would make names ambiguous.
    InvalidNamespace {
        /// The namespace as given.
        namespace: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A resource template whose URI template is not valid RFC 6570.
    InvalidTemplate {
        /// The template as written.
        template: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl std::fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RegistrationError::Duplicate { kind, name } => {
                write!(f, "a {kind} named {name:?} is already registered")
            }
            RegistrationError::InvalidNamespace { namespace, reason } => {
                write!(f, "invalid namespace {namespace:?}: {reason}")
            }
            RegistrationError::InvalidTemplate { template, reason } => {
                write!(f, "invalid URI template {template:?}: {reason}")
            }
        }
    }
}

impl std::error::Error for RegistrationError {}

impl From<RegistrationError> for Error {
    fn from(e: RegistrationError) -> Error {
        Error::invalid_params(e.to_string())
    }
}

/// A copy of a [`LocalProvider`]'s components.
pub(crate) struct Snapshot {
    pub(crate) tools: Vec<Arc<dyn ToolHandler>>,
    pub(crate) resources: Vec<AnyResource>,
    pub(crate) prompts: Vec<Arc<dyn PromptHandler>>,
}

#[derive(Default)]
struct Components {
    /// One entry per name (several versions of a name in one entry).
    tools: ByName<ToolEntry>,
    /// The default version of a name, where it is not the highest.
    default_versions: std::collections::HashMap<String, String>,
    resources: ByName<Arc<dyn ResourceHandler>>,
    templates: ByName<Arc<TemplateEntry>>,
    prompts: ByName<Arc<dyn PromptHandler>>,
}

/// The server's own components. Locks are held only to clone an `Arc` out; a poisoned
/// lock is taken over (the maps are never left half-changed).
pub struct LocalProvider {
    inner: RwLock<Components>,
    on_duplicate: RwLock<OnDuplicate>,
    changes: ChangeNotifier,
    /// Grows after each change of the tool list ([`Provider::tools_revision`]).
    tools_revision: AtomicU64,
}

fn insert<V>(
    map: &mut ByName<V>,
    kind: &'static str,
    key: String,
    value: V,
    policy: OnDuplicate,
) -> Result<bool, RegistrationError> {
    if map.contains_key(&key) {
        match policy {
            OnDuplicate::Error => return Err(RegistrationError::Duplicate { kind, name: key }),
            OnDuplicate::Ignore => return Ok(false),
            OnDuplicate::Warn => tracing::warn!("replacing {kind} {key:?}"),
            OnDuplicate::Replace => {}
        }
    }
    map.insert(key, value);
    Ok(true)
}

impl LocalProvider {
    /// An empty provider that announces its changes on `changes`.
    pub fn new(changes: ChangeNotifier) -> Self {
        LocalProvider {
            inner: RwLock::new(Components::default()),
            on_duplicate: RwLock::new(OnDuplicate::default()),
            changes,
            tools_revision: AtomicU64::new(0),
        }
    }

    /// What happens to a name registered twice from now on.
    pub fn set_on_duplicate(&self, policy: OnDuplicate) {
        *write(&self.on_duplicate) = policy;
    }

    /// The tool list changed (the change is made): a new revision, then announce it.
    fn tools_changed(&self) {
        self.tools_revision.fetch_add(1, Ordering::Release);
        self.changes.tools_changed();
    }

    fn policy(&self) -> OnDuplicate {
        *read(&self.on_duplicate)
    }

    /// Add a tool, or a version of a tool: a tool whose version (`_meta["fastmcp/version"]`)
    /// differs from those already registered under its name joins them; the same version
    /// again (or a tool without a version next to one with) follows the [`OnDuplicate`]
    /// policy.
    pub fn add_tool(&self, t: Arc<dyn ToolHandler>) -> Result<(), RegistrationError> {
        let name = t.tool().name.clone();
        let policy = self.policy();
        let mut c = write(&self.inner);
        let Some(existing) = c.tools.get(&name) else {
            c.tools.insert(name, ToolEntry::new(t));
            drop(c);
            self.tools_changed();
            return Ok(());
        };
        let version = version_of(&*t).map(str::to_owned);
        let mut handlers = existing.handlers();
        let clashes = |h: &Arc<dyn ToolHandler>| {
            let v = version_of(&**h);
            v.is_none() || version.is_none() || v == version.as_deref()
        };
        if handlers.iter().any(clashes) {
            let shown = match &version {
                Some(v) => format!("{name}@{v}"),
                None => name.clone(),
            };
            match policy {
                OnDuplicate::Error => {
                    return Err(RegistrationError::Duplicate {
                        kind: "tool",
                        name: shown,
                    })
                }
                OnDuplicate::Ignore => return Ok(()),
                OnDuplicate::Warn => tracing::warn!("replacing tool {shown:?}"),
                OnDuplicate::Replace => {}
            }
            handlers.retain(|h| !clashes(h));
        }
        handlers.push(t);
        let default = c.default_versions.get(&name).map(String::as_str);
        if let Some(entry) = ToolEntry::versioned(handlers, default) {
            c.tools.insert(name, entry);
        }
        drop(c);
        self.tools_changed();
        Ok(())
    }

    /// Make `version` the default version of tool `name` (the one listed and called
    /// without a version), instead of the highest; it applies to versions registered
    /// later as well.
    pub fn set_default_tool_version(&self, name: &str, version: &str) {
        let mut c = write(&self.inner);
        c.default_versions
            .insert(name.to_owned(), version.to_owned());
        let Some(existing) = c.tools.get(name) else {
            return;
        };
        if let Some(entry) = ToolEntry::versioned(existing.handlers(), Some(version)) {
            c.tools.insert(name.to_owned(), entry);
        }
        drop(c);
        self.tools_changed();
    }

    /// Remove a tool (every version of it); whether it was there.
    pub fn remove_tool(&self, name: &str) -> bool {
        let removed = write(&self.inner).tools.shift_remove(name).is_some();
        if removed {
            self.tools_changed();
        }
        removed
    }

    /// Add a resource or a template.
    pub fn add_resource(&self, r: AnyResource) -> Result<(), RegistrationError> {
        let policy = self.policy();
        let changed = match r {
            AnyResource::Static(h) => {
                let uri = h.resource().uri.clone();
                insert(
                    &mut write(&self.inner).resources,
                    "resource",
                    uri,
                    h,
                    policy,
                )?
            }
            AnyResource::Template(h) => {
                let src = h.template().uri_template.clone();
                let entry =
                    TemplateEntry::new(h).map_err(|e| RegistrationError::InvalidTemplate {
                        template: src.clone(),
                        reason: e.0,
                    })?;
                let templates = &mut write(&self.inner).templates;
                insert(templates, "resource template", src, Arc::new(entry), policy)?
            }
        };
        if changed {
            self.changes.resources_changed();
        }
        Ok(())
    }

    /// Remove a resource (by URI) or a template (by its URI template); whether it was there.
    pub fn remove_resource(&self, uri_or_template: &str) -> bool {
        let removed = {
            let mut c = write(&self.inner);
            c.resources.shift_remove(uri_or_template).is_some()
                || c.templates.shift_remove(uri_or_template).is_some()
        };
        if removed {
            self.changes.resources_changed();
        }
        removed
    }

    /// Add a prompt.
    pub fn add_prompt(&self, p: Arc<dyn PromptHandler>) -> Result<(), RegistrationError> {
        let name = p.prompt().name.clone();
        let policy = self.policy();
        if insert(&mut write(&self.inner).prompts, "prompt", name, p, policy)? {
            self.changes.prompts_changed();
        }
        Ok(())
    }

    /// Remove a prompt; whether it was there.
    pub fn remove_prompt(&self, name: &str) -> bool {
        let removed = write(&self.inner).prompts.shift_remove(name).is_some();
        if removed {
            self.changes.prompts_changed();
        }
        removed
    }

    /// Every component registered now (each version of a tool on its own): what a static
    /// copy of this server ([`crate::Server::import_server`]) takes.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let c = read(&self.inner);
        let mut tools = vec![];
        for e in c.tools.values() {
            match &e.versions {
                Some(all) => tools.extend(all.iter().map(|v| v.handler.clone())),
                None => tools.push(e.handler.clone()),
            }
        }
        let statics = c.resources.values().map(|r| AnyResource::Static(r.clone()));
        let templates = c.templates.values();
        let templates = templates.map(|t| AnyResource::Template(t.handler().clone()));
        Snapshot {
            tools,
            resources: statics.chain(templates).collect(),
            prompts: c.prompts.values().cloned().collect(),
        }
    }

    /// Whether a resource with this URI or a template written this way is registered.
    pub fn has_resource(&self, uri_or_template: &str) -> bool {
        let c = read(&self.inner);
        c.resources.contains_key(uri_or_template) || c.templates.contains_key(uri_or_template)
    }

    fn tool(&self, name: &str) -> Option<ToolEntry> {
        read(&self.inner).tools.get(name).cloned()
    }

    fn resolve(&self, uri: &str) -> Result<Option<ResourceTarget>, Error> {
        let c = read(&self.inner);
        if let Some(r) = c.resources.get(uri) {
            return Ok(Some(ResourceTarget::Static(r.clone())));
        }
        match_templates(c.templates.values(), uri)
    }
}

fn version_of(t: &dyn ToolHandler) -> Option<&str> {
    fastmcp_core::component_meta::version(t.tool().meta.as_ref())
}

fn ready<'a, T: Send + 'a>(v: T) -> BoxFuture<'a, Result<T, Error>> {
    Box::pin(std::future::ready(Ok(v)))
}

impl Provider for LocalProvider {
    fn kinds(&self) -> Kinds {
        let c = read(&self.inner);
        Kinds {
            tools: !c.tools.is_empty(),
            resources: !c.resources.is_empty(),
            templates: !c.templates.is_empty(),
            prompts: !c.prompts.is_empty(),
            task_tools: c
                .tools
                .values()
                .any(|t| t.handler().task_support() != TaskSupport::Forbidden),
        }
    }

    fn tools_revision(&self) -> Option<u64> {
        Some(self.tools_revision.load(Ordering::Acquire))
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        ready(Page::all(
            read(&self.inner).tools.values().cloned().collect(),
        ))
    }

    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        ready(self.tool(name))
    }

    fn get_tool_now(&self, name: &str) -> Option<Result<Option<ToolEntry>, Error>> {
        Some(Ok(self.tool(name)))
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        ready(Page::all(
            read(&self.inner).resources.values().cloned().collect(),
        ))
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        ready(Page::all(
            read(&self.inner).templates.values().cloned().collect(),
        ))
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(std::future::ready(self.resolve(uri)))
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        ready(read(&self.inner).templates.get(uri_template).cloned())
    }

    fn list_prompts(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        ready(Page::all(
            read(&self.inner).prompts.values().cloned().collect(),
        ))
    }

    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        ready(read(&self.inner).prompts.get(name).cloned())
    }
}
