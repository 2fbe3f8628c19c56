//! Providers: where a server's components come from.
//!
//! Every tool, resource, template and prompt a server offers comes from a [`Provider`]:
//! the server's own components (registered with [`crate::Server::tool`] and friends) are
//! the [`LocalProvider`]; a mounted server, a proxy to a remote server, an OpenAPI document
//! or a directory are providers too, added with [`crate::Server::provider`]. Providers are
//! asked in the order they were added; the first that has a name wins. What they list
//! goes through the server's [`crate::Transform`]s before it reaches a client.
//!
//! A provider implements the lists it offers; the lookups by name or URI default to
//! walking those lists, and a provider with a faster way overrides them.
//!
//! ```
//! use std::sync::Arc;
//! use fastmcp_core::{BoxFuture, Error, FnTool};
//! use fastmcp_server::{Kinds, Page, Provider, Server, ToolEntry};
//!
//! /// Offers one tool per name it was given.
//! struct Greeters(Vec<ToolEntry>);
//!
//! impl Provider for Greeters {
//!     fn kinds(&self) -> Kinds {
//!         Kinds { tools: true, ..Kinds::default() }
//!     }
//!     fn list_tools(&self, _cursor: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
//!         Box::pin(async move { Ok(Page::all(self.0.clone())) })
//!     }
//! }
//!
//! let def = fastmcp_protocol::Tool::new("hello", serde_json::json!({ "type": "object" }));
//! let hello = FnTool::new(def, |_ctx, _args| async {
//!     Ok(fastmcp_protocol::CallToolResult::text("hello"))
//! });
//! let server = Server::new("demo", "1.0.0")
//!     .provider(Greeters(vec![ToolEntry::new(Arc::new(hello))]));
//! ```

mod entry;
mod local;
mod set;
mod versions;

use std::collections::HashSet;
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Error, PromptHandler, ResourceHandler, TemplateVars};

pub use entry::{TemplateEntry, ToolEntry};
pub(crate) use local::Snapshot;
pub use local::{LocalProvider, OnDuplicate, RegistrationError};
pub(crate) use set::ProviderSet;

use crate::changes::ChangeNotifier;

/// Which kinds of components a provider may offer: the server declares a capability when
/// one of its providers says so.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Kinds {
    /// Tools.
    pub tools: bool,
    /// Resources (fixed URIs).
    pub resources: bool,
    /// Resource templates.
    pub templates: bool,
    /// Prompts.
    pub prompts: bool,
    /// Tools that support tasks (the server then declares tasks).
    pub task_tools: bool,
}

impl Kinds {
    /// What either offers.
    pub fn union(self, o: Kinds) -> Kinds {
        Kinds {
            tools: self.tools || o.tools,
            resources: self.resources || o.resources,
            templates: self.templates || o.templates,
            prompts: self.prompts || o.prompts,
            task_tools: self.task_tools || o.task_tools,
        }
    }
}

/// One page of a provider's list, and the cursor of the next (`None`: the last).
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the next page starts.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Everything in one page.
    pub fn all(items: Vec<T>) -> Self {
        Page {
            items,
            next_cursor: None,
        }
    }
}

/// What a resource URI resolves to.
#[derive(Clone)]
pub enum ResourceTarget {
    /// A resource with that exact URI.
    Static(Arc<dyn ResourceHandler>),
    /// A template that matches the URI, with the values of its variables.
    Template(Arc<TemplateEntry>, TemplateVars),
}

/// A source of components. See the module docs of `fastmcp_server::provider`.
pub trait Provider: Send + Sync + 'static {
    /// Which kinds of components this provider may offer (for the capabilities).
    fn kinds(&self) -> Kinds;

    /// Called once when the server starts: keep `changes` to announce that a list changed.
    fn attach(&self, changes: &ChangeNotifier) {
        let _ = changes;
    }

    /// A number that grows whenever this provider's tool list may have changed (after the
    /// change is visible to [`Provider::list_tools`]), or `None` (the default): it cannot
    /// tell. While the revision of every provider and transform stays the same, the server
    /// answers `tools/list` with the answer it made before, without listing again; with
    /// `None` anywhere, every request lists. A provider whose tools are fixed (or that has
    /// none) returns `Some(0)`.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use fastmcp_server::{Kinds, Provider};
    ///
    /// /// Tools that change when `bump` is called.
    /// struct Changing(AtomicU64);
    ///
    /// impl Provider for Changing {
    ///     fn kinds(&self) -> Kinds {
    ///         Kinds { tools: true, ..Kinds::default() }
    ///     }
    ///     fn tools_revision(&self) -> Option<u64> {
    ///         Some(self.0.load(Ordering::Acquire))
    ///     }
    /// }
    ///
    /// impl Changing {
    ///     fn bump(&self) {
    ///         // … change the tools first, then:
    ///         self.0.fetch_add(1, Ordering::Release);
    ///     }
    /// }
    /// let p = Changing(AtomicU64::new(0));
    /// p.bump();
    /// assert_eq!(p.tools_revision(), Some(1));
    /// ```
    fn tools_revision(&self) -> Option<u64> {
        None
    }

    /// One page of tools.
    fn list_tools(&self, cursor: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        let _ = cursor;
        Box::pin(async { Ok(Page::all(vec![])) })
    }

    /// The tool called `name`, if this provider has it.
    fn get_tool<'a>(&'a self, name: &'a str) -> BoxFuture<'a, Result<Option<ToolEntry>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.list_tools(c)).await?;
            Ok(all.into_iter().find(|t| t.name() == name))
        })
    }

    /// [`Provider::get_tool`] answered without waiting, when this provider can (one that
    /// holds its tools in memory): it must then answer as `get_tool` would. `None` (the
    /// default) makes the lookup take the asynchronous way. A `tools/call` asks this
    /// first, so a call to a tool found at once allocates no future for the lookup.
    fn get_tool_now(&self, name: &str) -> Option<Result<Option<ToolEntry>, Error>> {
        let _ = name;
        None
    }

    /// One page of resources.
    fn list_resources(
        &self,
        cursor: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        let _ = cursor;
        Box::pin(async { Ok(Page::all(vec![])) })
    }

    /// One page of resource templates.
    fn list_templates(
        &self,
        cursor: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        let _ = cursor;
        Box::pin(async { Ok(Page::all(vec![])) })
    }

    /// What `uri` resolves to: a resource with that URI, else the first template that
    /// matches it.
    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            let resources = walk(|c| self.list_resources(c)).await?;
            if let Some(r) = resources.into_iter().find(|r| r.resource().uri == uri) {
                return Ok(Some(ResourceTarget::Static(r)));
            }
            let templates = walk(|c| self.list_templates(c)).await?;
            match_templates(templates.iter(), uri)
        })
    }

    /// The template written `uri_template`, if this provider has it (for completions).
    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.list_templates(c)).await?;
            Ok(all.into_iter().find(|t| t.uri_template() == uri_template))
        })
    }

    /// One page of prompts.
    fn list_prompts(
        &self,
        cursor: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn PromptHandler>>, Error>> {
        let _ = cursor;
        Box::pin(async { Ok(Page::all(vec![])) })
    }

    /// The prompt called `name`, if this provider has it.
    fn get_prompt<'a>(
        &'a self,
        name: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<dyn PromptHandler>>, Error>> {
        Box::pin(async move {
            let all = walk(|c| self.list_prompts(c)).await?;
            Ok(all.into_iter().find(|p| p.prompt().name == name))
        })
    }
}

/// The revision of a list made from parts with `revisions` (see
/// [`Provider::tools_revision`]): it grows when any of theirs does; `None` when any is.
pub(crate) fn sum_of(revisions: impl IntoIterator<Item = Option<u64>>) -> Option<u64> {
    revisions
        .into_iter()
        .try_fold(0u64, |sum, r| Some(sum.wrapping_add(r?)))
}

/// How many pages a list may have before it is taken for a cursor loop.
const MAX_PAGES: usize = 10_000;

/// Every item of a paginated list: pages are fetched until one has no next cursor. A
/// cursor seen before, or more than 10,000 pages, is an error.
pub async fn walk<'a, T, F>(mut list: F) -> Result<Vec<T>, Error>
where
    F: FnMut(Option<String>) -> BoxFuture<'a, Result<Page<T>, Error>>,
{
    let mut items = Vec::new();
    let mut cursor = None;
    let mut seen = HashSet::new();
    for _ in 0..MAX_PAGES {
        let page = list(cursor).await?;
        if items.is_empty() {
            items = page.items;
        } else {
            items.extend(page.items);
        }
        match page.next_cursor {
            None => return Ok(items),
            Some(c) if !seen.insert(c.clone()) => {
                return Err(Error::internal(format!(
                    "a provider returned the cursor {c:?} twice"
                )))
            }
            Some(c) => cursor = Some(c),
        }
    }
    Err(Error::internal(format!(
        "a provider's list has more than {MAX_PAGES} pages"
    )))
}

/// The first of `templates` that matches `uri`, with its variables; a match with a value
/// that is not safe to hand to a handler is an invalid-params error.
pub fn match_templates<'t>(
    templates: impl IntoIterator<Item = &'t Arc<TemplateEntry>>,
    uri: &str,
) -> Result<Option<ResourceTarget>, Error> {
    for t in templates {
        match t.match_uri(uri) {
            Ok(Some(vars)) => return Ok(Some(ResourceTarget::Template(t.clone(), vars))),
            Ok(None) => {}
            Err(e) => {
                return Err(Error::invalid_params(format!(
                    "Invalid resource URI: {}",
                    e.0
                )))
            }
        }
    }
    Ok(None)
}
