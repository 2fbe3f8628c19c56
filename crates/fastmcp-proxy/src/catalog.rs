//! What the proxy knows of the upstream lists: the components made for them, kept while
//! their definitions do not change (so a component keeps its identity from one list to
//! the next), and the whole list served from memory while it is fresh: until the upstream
//! server says it changed, when it announces its changes; never, when it does not.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use fastmcp_server::ChangeNotifier;

/// One upstream list.
pub(crate) struct Listing<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    /// The last list, in the upstream order.
    items: Vec<T>,
    /// Each item by its key, with its definition's JSON.
    by_key: HashMap<String, (String, T)>,
    /// Whether `items` may be served without asking upstream.
    fresh: bool,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Listing {
            state: Mutex::new(State {
                items: vec![],
                by_key: HashMap::new(),
                fresh: false,
            }),
        }
    }
}

impl<T: Clone> Listing<T> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The list, if it is fresh.
    pub(crate) fn fresh(&self) -> Option<Vec<T>> {
        let s = self.lock();
        s.fresh.then(|| s.items.clone())
    }

    /// The last list, fresh or not.
    pub(crate) fn last(&self) -> Vec<T> {
        self.lock().items.clone()
    }

    /// The item of `key` in the last list.
    pub(crate) fn find(&self, key: &str) -> Option<T> {
        self.lock().by_key.get(key).map(|(_, t)| t.clone())
    }

    /// Take a new upstream list of definitions: an item whose definition did not change is
    /// the one made before, a definition `make` refuses is left out; `keep` says whether
    /// the list stays fresh until invalidated.
    pub(crate) fn store<D: serde::Serialize>(
        &self,
        defs: Vec<D>,
        key: impl Fn(&D) -> String,
        make: impl Fn(D) -> Option<T>,
        keep: bool,
    ) -> Vec<T> {
        let mut s = self.lock();
        let mut by_key = HashMap::with_capacity(defs.len());
        let mut items = Vec::with_capacity(defs.len());
        for d in defs {
            let k = key(&d);
            let json = serde_json::to_string(&d).unwrap_or_default();
            let item = match s.by_key.remove(&k) {
                Some((old, t)) if old == json => t,
                _ => match make(d) {
                    Some(t) => t,
                    None => continue,
                },
            };
            items.push(item.clone());
            by_key.insert(k, (json, item));
        }
        s.by_key = by_key;
        s.items = items.clone();
        s.fresh = keep;
        items
    }

    /// The upstream list changed: ask again next time.
    pub(crate) fn invalidate(&self) {
        self.lock().fresh = false;
    }
}

/// The proxy's lists and the server it announces changes to.
#[derive(Default)]
pub(crate) struct Catalog {
    pub(crate) tools: Listing<fastmcp_server::ToolEntry>,
    pub(crate) resources: Listing<std::sync::Arc<dyn fastmcp_core::ResourceHandler>>,
    pub(crate) templates: Listing<std::sync::Arc<fastmcp_server::TemplateEntry>>,
    pub(crate) prompts: Listing<std::sync::Arc<dyn fastmcp_core::PromptHandler>>,
    pub(crate) changes: OnceLock<ChangeNotifier>,
    /// Resource URIs are announced under this namespace (the proxy mounted under one).
    pub(crate) namespace: OnceLock<fastmcp_server::Namespace>,
}

impl Catalog {
    /// An upstream notification: lists to forget and changes to announce.
    pub(crate) fn upstream_said(&self, method: &str, params: Option<&serde_json::Value>) {
        let changes = self.changes.get();
        match method {
            "notifications/tools/list_changed" => {
                self.tools.invalidate();
                changes.map(ChangeNotifier::tools_changed);
            }
            "notifications/resources/list_changed" => {
                self.resources.invalidate();
                self.templates.invalidate();
                changes.map(ChangeNotifier::resources_changed);
            }
            "notifications/prompts/list_changed" => {
                self.prompts.invalidate();
                changes.map(ChangeNotifier::prompts_changed);
            }
            "notifications/resources/updated" => {
                let uri = params.and_then(|p| p.get("uri")).and_then(|u| u.as_str());
                if let (Some(uri), Some(changes)) = (uri, changes) {
                    let uri = match self.namespace.get() {
                        Some(ns) => ns.uri(uri),
                        None => uri.to_owned(),
                    };
                    changes.resource_updated(uri);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn unchanged_definitions_keep_their_items_and_freshness_follows_keep() {
        let made = AtomicUsize::new(0);
        let l: Listing<(String, usize)> = Listing::default();
        let make = |d: (String, u8)| Some((d.0, made.fetch_add(1, Ordering::SeqCst)));
        let first = l.store(
            vec![("a".into(), 1), ("b".into(), 1)],
            |d| d.0.clone(),
            make,
            true,
        );
        assert_eq!(l.fresh().unwrap(), first);
        // `b` changed its definition: remade; `a` kept.
        let second = l.store(
            vec![("a".into(), 1), ("b".into(), 2)],
            |d| d.0.clone(),
            make,
            false,
        );
        assert_eq!(second[0], first[0]);
        assert_ne!(second[1], first[1]);
        assert!(l.fresh().is_none(), "not kept: asked again");
        assert_eq!(l.find("b"), Some(second[1].clone()));
        l.store(vec![("a".into(), 1)], |d| d.0.clone(), make, true);
        l.invalidate();
        assert!(l.fresh().is_none());
        assert_eq!(l.find("b"), None);
    }
}
