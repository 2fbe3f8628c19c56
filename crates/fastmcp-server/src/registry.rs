//! The server's own components, in registration order, changeable at run time.

use std::sync::{Arc, OnceLock, RwLock};

use fastmcp_core::{
    AnyResource, PromptHandler, ResourceHandler, ResourceTemplateHandler, ToolHandler,
};
use indexmap::IndexMap;
use serde_json::value::RawValue;
use tokio::sync::broadcast;

use crate::uri_template::UriTemplate;

/// What happens when a component is registered under a name already taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Replace it and log a warning (the default).
    #[default]
    Warn,
    /// Refuse the new one (the builder panics at registration; `try_add_*` returns `Err`).
    Error,
    /// Replace it silently.
    Replace,
    /// Keep the old one.
    Ignore,
}

/// A change that sessions forward to their clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerEvent {
    /// The tool list changed.
    ToolsChanged,
    /// The resource or template list changed.
    ResourcesChanged,
    /// The prompt list changed.
    PromptsChanged,
    /// A resource's content changed.
    ResourceUpdated(String),
}

pub(crate) struct Template {
    pub(crate) parsed: UriTemplate,
    pub(crate) handler: Arc<dyn ResourceTemplateHandler>,
}

/// A registered tool and its definition as `tools/list` sends it, serialized once (on the
/// first listing) in both shapes: with `execution` for the handshake era, without it for
/// the stateless era (where tasks are server-directed).
#[derive(Clone)]
pub(crate) struct ListedTool {
    pub(crate) handler: Arc<dyn ToolHandler>,
    json: Arc<OnceLock<[Box<RawValue>; 2]>>,
}

impl ListedTool {
    fn new(handler: Arc<dyn ToolHandler>) -> Self {
        ListedTool {
            handler,
            json: Arc::new(OnceLock::new()),
        }
    }

    /// The tool's definition, serialized.
    pub(crate) fn json(&self, stateless: bool) -> &RawValue {
        let [full, without_execution] = self.json.get_or_init(|| {
            let def = self.handler.tool();
            let mut stateless = def.clone();
            stateless.execution = None;
            [to_raw(def), to_raw(&stateless)]
        });
        if stateless {
            without_execution
        } else {
            full
        }
    }
}

fn to_raw<T: serde::Serialize>(v: &T) -> Box<RawValue> {
    serde_json::value::to_raw_value(v).expect("tool definitions serialize")
}

#[derive(Default)]
struct Components {
    tools: IndexMap<String, ListedTool>,
    resources: IndexMap<String, Arc<dyn ResourceHandler>>,
    templates: IndexMap<String, Arc<Template>>,
    prompts: IndexMap<String, Arc<dyn PromptHandler>>,
}

/// The registry: components behind a lock that is only held to clone an `Arc` out.
pub(crate) struct Registry {
    inner: RwLock<Components>,
    pub(crate) on_duplicate: RwLock<OnDuplicate>,
    pub(crate) events: broadcast::Sender<ServerEvent>,
}

/// A name taken under [`OnDuplicate::Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateError(pub String);

impl std::fmt::Display for DuplicateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a component named {:?} is already registered", self.0)
    }
}

impl std::error::Error for DuplicateError {}

fn insert<V>(
    map: &mut IndexMap<String, V>,
    key: String,
    value: V,
    policy: OnDuplicate,
) -> Result<bool, DuplicateError> {
    if map.contains_key(&key) {
        match policy {
            OnDuplicate::Error => return Err(DuplicateError(key)),
            OnDuplicate::Ignore => return Ok(false),
            OnDuplicate::Warn => tracing::warn!("replacing component {key:?}"),
            OnDuplicate::Replace => {}
        }
    }
    map.insert(key, value);
    Ok(true)
}

impl Registry {
    pub(crate) fn new() -> Self {
        Registry {
            inner: RwLock::new(Components::default()),
            on_duplicate: RwLock::new(OnDuplicate::default()),
            events: broadcast::channel(1024).0,
        }
    }

    fn policy(&self) -> OnDuplicate {
        *self.on_duplicate.read().expect("lock")
    }

    fn emit(&self, e: ServerEvent) {
        let _ = self.events.send(e);
    }

    pub(crate) fn add_tool(&self, t: Arc<dyn ToolHandler>) -> Result<(), DuplicateError> {
        let name = t.tool().name.clone();
        let changed = insert(
            &mut self.inner.write().expect("lock").tools,
            name,
            ListedTool::new(t),
            self.policy(),
        )?;
        if changed {
            self.emit(ServerEvent::ToolsChanged);
        }
        Ok(())
    }

    pub(crate) fn remove_tool(&self, name: &str) -> bool {
        let removed = self
            .inner
            .write()
            .expect("lock")
            .tools
            .shift_remove(name)
            .is_some();
        if removed {
            self.emit(ServerEvent::ToolsChanged);
        }
        removed
    }

    pub(crate) fn add_resource(&self, r: AnyResource) -> Result<(), DuplicateError> {
        let policy = self.policy();
        let changed = {
            let mut c = self.inner.write().expect("lock");
            match r {
                AnyResource::Static(h) => {
                    let uri = h.resource().uri.clone();
                    insert(&mut c.resources, uri, h, policy)?
                }
                AnyResource::Template(h) => {
                    let src = h.template().uri_template.clone();
                    let parsed = UriTemplate::parse(&src)
                        .map_err(|e| DuplicateError(format!("{src}: {e}")))?;
                    insert(
                        &mut c.templates,
                        src,
                        Arc::new(Template { parsed, handler: h }),
                        policy,
                    )?
                }
            }
        };
        if changed {
            self.emit(ServerEvent::ResourcesChanged);
        }
        Ok(())
    }

    pub(crate) fn remove_resource(&self, uri_or_template: &str) -> bool {
        let removed = {
            let mut c = self.inner.write().expect("lock");
            c.resources.shift_remove(uri_or_template).is_some()
                || c.templates.shift_remove(uri_or_template).is_some()
        };
        if removed {
            self.emit(ServerEvent::ResourcesChanged);
        }
        removed
    }

    pub(crate) fn add_prompt(&self, p: Arc<dyn PromptHandler>) -> Result<(), DuplicateError> {
        let name = p.prompt().name.clone();
        let changed = insert(
            &mut self.inner.write().expect("lock").prompts,
            name,
            p,
            self.policy(),
        )?;
        if changed {
            self.emit(ServerEvent::PromptsChanged);
        }
        Ok(())
    }

    pub(crate) fn remove_prompt(&self, name: &str) -> bool {
        let removed = self
            .inner
            .write()
            .expect("lock")
            .prompts
            .shift_remove(name)
            .is_some();
        if removed {
            self.emit(ServerEvent::PromptsChanged);
        }
        removed
    }

    pub(crate) fn tool(&self, name: &str) -> Option<Arc<dyn ToolHandler>> {
        let c = self.inner.read().expect("lock");
        c.tools.get(name).map(|t| t.handler.clone())
    }

    pub(crate) fn tools(&self) -> Vec<Arc<dyn ToolHandler>> {
        let c = self.inner.read().expect("lock");
        c.tools.values().map(|t| t.handler.clone()).collect()
    }

    /// The tools with their serialized definitions, for listing.
    pub(crate) fn listed_tools(&self) -> Vec<ListedTool> {
        self.inner
            .read()
            .expect("lock")
            .tools
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn resource(&self, uri: &str) -> Option<Arc<dyn ResourceHandler>> {
        self.inner.read().expect("lock").resources.get(uri).cloned()
    }

    pub(crate) fn resources(&self) -> Vec<Arc<dyn ResourceHandler>> {
        self.inner
            .read()
            .expect("lock")
            .resources
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn templates(&self) -> Vec<Arc<Template>> {
        self.inner
            .read()
            .expect("lock")
            .templates
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn template(&self, src: &str) -> Option<Arc<Template>> {
        self.inner.read().expect("lock").templates.get(src).cloned()
    }

    pub(crate) fn prompt(&self, name: &str) -> Option<Arc<dyn PromptHandler>> {
        self.inner.read().expect("lock").prompts.get(name).cloned()
    }

    pub(crate) fn prompts(&self) -> Vec<Arc<dyn PromptHandler>> {
        self.inner
            .read()
            .expect("lock")
            .prompts
            .values()
            .cloned()
            .collect()
    }

    pub(crate) fn counts(&self) -> (usize, usize, usize) {
        let c = self.inner.read().expect("lock");
        (
            c.tools.len(),
            c.resources.len() + c.templates.len(),
            c.prompts.len(),
        )
    }
}
