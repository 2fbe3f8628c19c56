//! Which components a client sees: [`Visibility`] (enabled or disabled at run time, by
//! name or by tag, for every session), and the per-session check of what a session hid
//! from itself with [`fastmcp_core::SessionView::disable`].
//!
//! A hidden component is absent from its list, and a call, read or get of it answers as
//! for a component that does not exist.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use fastmcp_core::{component_meta, BoxFuture, Error, PromptHandler, ResourceHandler, Session};

use crate::changes::ChangeNotifier;
use crate::lock::{read, write};
use crate::provider::{ResourceTarget, TemplateEntry, ToolEntry};
use crate::transform::Next;

/// What kind of component a key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Tool,
    /// A resource (by URI) or a template (by its URI template).
    Resource,
    Prompt,
}

impl Kind {
    /// The prefix of the kind in a session's keys (`tool:name`).
    fn prefix(self) -> &'static str {
        match self {
            Kind::Tool => "tool",
            Kind::Resource => "resource",
            Kind::Prompt => "prompt",
        }
    }
}

/// Whether `f` holds for one of `tags`.
pub(crate) fn any(tags: &mut dyn Iterator<Item = &str>, f: impl Fn(&str) -> bool) -> bool {
    for t in tags {
        if f(t) {
            return true;
        }
    }
    false
}

/// A transform that hides some components: `hides(kind, key, tags)`.
pub(crate) trait Hides {
    /// Whether nothing is hidden (lists pass unchanged).
    fn hides_nothing(&self) -> bool;
    /// Whether the component `key` of `kind` with `tags` is hidden.
    fn hides(&self, kind: Kind, key: &str, tags: &mut dyn Iterator<Item = &str>) -> bool;
}

/// Whether `h` hides the component `key` of `kind` with `tags`. The tags (a lookup in the
/// component's `_meta`) are read only when something is hidden: every request looks up
/// its component through here, nearly always with nothing hidden.
fn hidden<'t, I: Iterator<Item = &'t str>>(
    h: &impl Hides,
    kind: Kind,
    key: &str,
    tags: impl FnOnce() -> I,
) -> bool {
    !h.hides_nothing() && h.hides(kind, key, &mut tags())
}

pub(crate) fn tool_hidden(h: &impl Hides, t: &ToolEntry) -> bool {
    hidden(h, Kind::Tool, t.name(), || t.tags())
}

pub(crate) fn resource_hidden(h: &impl Hides, r: &dyn ResourceHandler) -> bool {
    let def = r.resource();
    hidden(h, Kind::Resource, &def.uri, || {
        component_meta::tags(def.meta.as_ref())
    })
}

pub(crate) fn template_hidden(h: &impl Hides, t: &TemplateEntry) -> bool {
    let def = t.handler().template();
    hidden(h, Kind::Resource, &def.uri_template, || {
        component_meta::tags(def.meta.as_ref())
    })
}

pub(crate) fn prompt_hidden(h: &impl Hides, p: &dyn PromptHandler) -> bool {
    let def = p.prompt();
    hidden(h, Kind::Prompt, &def.name, || {
        component_meta::tags(def.meta.as_ref())
    })
}

/// Whether what `uri` resolved to is hidden: the resource, or the template or the URI
/// read through it.
pub(crate) fn target_hidden(h: &impl Hides, t: &ResourceTarget, uri: &str) -> bool {
    match t {
        ResourceTarget::Static(r) => resource_hidden(h, &**r),
        ResourceTarget::Template(t, _) => {
            let def = t.handler().template();
            template_hidden(h, t)
                || hidden(h, Kind::Resource, uri, || {
                    component_meta::tags(def.meta.as_ref())
                })
        }
    }
}

/// Implements [`Transform`] for a type that implements [`Hides`]: lists drop what it
/// hides, lookups of it find nothing; its `revision()` is the transform's tools revision.
macro_rules! hiding_transform {
    ($t:ty) => {
        impl $crate::transform::Transform for $t {
            fn tools_revision(&self) -> Option<u64> {
                self.revision()
            }
            fn tools(&self, mut v: Vec<ToolEntry>) -> Vec<ToolEntry> {
                if !self.hides_nothing() {
                    v.retain(|t| !$crate::visibility::tool_hidden(self, t));
                }
                v
            }
            fn tool<'a>(
                &'a self,
                name: &'a str,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
                Box::pin(async move {
                    let found = next.tool(name).await?;
                    Ok(found.filter(|t| !$crate::visibility::tool_hidden(self, t)))
                })
            }
            fn tool_now(
                &self,
                name: &str,
                next: Next<'_>,
            ) -> Option<Result<Option<ToolEntry>, Error>> {
                Some(
                    next.tool_now(name)?
                        .map(|found| found.filter(|t| !$crate::visibility::tool_hidden(self, t))),
                )
            }
            fn resources(
                &self,
                mut v: Vec<Arc<dyn ResourceHandler>>,
            ) -> Vec<Arc<dyn ResourceHandler>> {
                if !self.hides_nothing() {
                    v.retain(|r| !$crate::visibility::resource_hidden(self, &**r));
                }
                v
            }
            fn templates(&self, mut v: Vec<Arc<TemplateEntry>>) -> Vec<Arc<TemplateEntry>> {
                if !self.hides_nothing() {
                    v.retain(|t| !$crate::visibility::template_hidden(self, t));
                }
                v
            }
            fn resolve_resource<'a>(
                &'a self,
                uri: &'a str,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
                Box::pin(async move {
                    let found = next.resolve_resource(uri).await?;
                    Ok(found.filter(|t| !$crate::visibility::target_hidden(self, t, uri)))
                })
            }
            fn template<'a>(
                &'a self,
                uri_template: &'a str,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
                Box::pin(async move {
                    let found = next.template(uri_template).await?;
                    Ok(found.filter(|t| !$crate::visibility::template_hidden(self, t)))
                })
            }
            fn prompts(&self, mut v: Vec<Arc<dyn PromptHandler>>) -> Vec<Arc<dyn PromptHandler>> {
                if !self.hides_nothing() {
                    v.retain(|p| !$crate::visibility::prompt_hidden(self, &**p));
                }
                v
            }
            fn prompt<'a>(
                &'a self,
                name: &'a str,
                next: Next<'a>,
            ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
                Box::pin(async move {
                    let found = next.prompt(name).await?;
                    Ok(found.filter(|p| !$crate::visibility::prompt_hidden(self, &**p)))
                })
            }
        }
    };
}
pub(crate) use hiding_transform;

#[derive(Default)]
struct Hidden {
    tools: HashSet<String>,
    resources: HashSet<String>,
    prompts: HashSet<String>,
    tags: HashSet<String>,
}

/// Components enabled and disabled at run time, for every session: by name (tools,
/// prompts), by URI (resources) or URI template (templates), or by tag. A disabled
/// component is absent from lists and answers as unknown; each change that makes a
/// difference sends `list_changed` to the sessions.
///
/// Every server has one ([`crate::Server::visibility`], [`crate::RunningServer::visibility`]),
/// outermost of its transforms (so names are the ones clients see). It is a
/// [`crate::Transform`] too, usable on any provider with [`crate::Transformed`].
///
/// ```
/// # async fn f() -> Result<(), fastmcp_core::Error> {
/// use fastmcp_core::{Context, FnTool};
/// use fastmcp_server::Server;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Args {}
/// let server = Server::new("demo", "1.0.0")
///     .tool(FnTool::typed("stable", "", |_: Context, _: Args| async { 1 }))
///     .tool(FnTool::typed("new", "", |_: Context, _: Args| async { 2 }).with_tags(["beta"]));
/// let running = server.start().await?;
/// let visibility = running.visibility();
/// assert!(visibility.disable_tag("beta")); // `new` is gone for every session
/// assert!(visibility.disable_tool("stable"));
/// assert!(visibility.enable_tool("stable"));
/// assert!(!visibility.enable_tool("stable"), "no change, no list_changed");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Visibility {
    hidden: Arc<RwLock<Hidden>>,
    changes: ChangeNotifier,
    /// Grows after each change of `hidden`.
    revision: Arc<AtomicU64>,
    /// Whether `hidden` is empty, as its last change left it: every lookup of a component
    /// asks, nearly always with nothing hidden, and this answers without taking the lock.
    nothing_hidden: Arc<AtomicBool>,
}

impl Visibility {
    /// Everything enabled; changes are announced on `changes`.
    pub fn new(changes: ChangeNotifier) -> Self {
        Visibility {
            hidden: Arc::new(RwLock::new(Hidden::default())),
            changes,
            revision: Arc::new(AtomicU64::new(0)),
            nothing_hidden: Arc::new(AtomicBool::new(true)),
        }
    }

    fn set(&self, pick: fn(&mut Hidden) -> &mut HashSet<String>, key: &str, on: bool) -> bool {
        let mut h = write(&self.hidden);
        let set = pick(&mut h);
        let changed = if on {
            set.remove(key)
        } else {
            set.insert(key.to_owned())
        };
        if changed {
            let empty = h.tools.is_empty()
                && h.resources.is_empty()
                && h.prompts.is_empty()
                && h.tags.is_empty();
            self.nothing_hidden.store(empty, Ordering::Release);
            self.revision.fetch_add(1, Ordering::Release);
        }
        changed
    }

    /// Disable tool `name` (every version); whether that changed anything.
    pub fn disable_tool(&self, name: &str) -> bool {
        self.toggle_tool(name, false)
    }

    /// Enable tool `name` again; whether that changed anything.
    pub fn enable_tool(&self, name: &str) -> bool {
        self.toggle_tool(name, true)
    }

    /// Grows after each change of what is disabled ([`crate::Transform::tools_revision`]).
    pub(crate) fn revision(&self) -> Option<u64> {
        Some(self.revision.load(Ordering::Acquire))
    }

    fn toggle_tool(&self, name: &str, on: bool) -> bool {
        let changed = self.set(|h| &mut h.tools, name, on);
        if changed {
            self.changes.tools_changed();
        }
        changed
    }

    /// Disable a resource (by URI) or a template (by its URI template).
    pub fn disable_resource(&self, uri_or_template: &str) -> bool {
        self.toggle_resource(uri_or_template, false)
    }

    /// Enable a resource or template again.
    pub fn enable_resource(&self, uri_or_template: &str) -> bool {
        self.toggle_resource(uri_or_template, true)
    }

    fn toggle_resource(&self, key: &str, on: bool) -> bool {
        let changed = self.set(|h| &mut h.resources, key, on);
        if changed {
            self.changes.resources_changed();
        }
        changed
    }

    /// Disable prompt `name`.
    pub fn disable_prompt(&self, name: &str) -> bool {
        self.toggle_prompt(name, false)
    }

    /// Enable prompt `name` again.
    pub fn enable_prompt(&self, name: &str) -> bool {
        self.toggle_prompt(name, true)
    }

    fn toggle_prompt(&self, name: &str, on: bool) -> bool {
        let changed = self.set(|h| &mut h.prompts, name, on);
        if changed {
            self.changes.prompts_changed();
        }
        changed
    }

    /// Disable every component tagged `tag` (all three lists change).
    pub fn disable_tag(&self, tag: &str) -> bool {
        self.toggle_tag(tag, false)
    }

    /// Enable the components tagged `tag` again (those not disabled otherwise).
    pub fn enable_tag(&self, tag: &str) -> bool {
        self.toggle_tag(tag, true)
    }

    fn toggle_tag(&self, tag: &str, on: bool) -> bool {
        let changed = self.set(|h| &mut h.tags, tag, on);
        if changed {
            self.changes.tools_changed();
            self.changes.resources_changed();
            self.changes.prompts_changed();
        }
        changed
    }
}

impl Hides for Visibility {
    fn hides_nothing(&self) -> bool {
        self.nothing_hidden.load(Ordering::Acquire)
    }

    fn hides(&self, kind: Kind, key: &str, tags: &mut dyn Iterator<Item = &str>) -> bool {
        let h = read(&self.hidden);
        let names = match kind {
            Kind::Tool => &h.tools,
            Kind::Resource => &h.resources,
            Kind::Prompt => &h.prompts,
        };
        names.contains(key) || (!h.tags.is_empty() && any(tags, |t| h.tags.contains(t)))
    }
}

hiding_transform!(Visibility);

/// What one session hid from itself ([`fastmcp_core::SessionView::disable`] with the keys
/// `tool:NAME`, `resource:URI` (or `resource:URI_TEMPLATE`), `prompt:NAME`, `tag:TAG`).
pub(crate) struct SessionHidden<'s>(pub(crate) &'s Session);

impl Hides for SessionHidden<'_> {
    fn hides_nothing(&self) -> bool {
        !self.0.has_disabled()
    }

    fn hides(&self, kind: Kind, key: &str, tags: &mut dyn Iterator<Item = &str>) -> bool {
        self.0.has_disabled()
            && (self.0.is_disabled(&format!("{}:{key}", kind.prefix()))
                || any(tags, |t| self.0.is_disabled(&format!("tag:{t}"))))
    }
}
