//! Wrappers kept between lists: a wrapped component is made once per original (so a
//! tool's definition is serialized once, not on every `tools/list`), keyed by the address
//! of the original, which the wrapper holds (so the address cannot be reused while the
//! entry lives).

use std::collections::HashMap;
use std::sync::Mutex;

/// Past this many entries, the cache of one-off lookups starts over.
const MAX_ENTRIES: usize = 16_384;

/// The wrapper of the last original seen (a transform of one component: rebuilt when the
/// original changes).
pub(crate) struct LastWrap<T>(Mutex<Option<(usize, T)>>);

impl<T> Default for LastWrap<T> {
    fn default() -> Self {
        LastWrap(Mutex::new(None))
    }
}

impl<T: Clone> LastWrap<T> {
    /// The wrapper of the original at `key`, made by `make` if it is not the last one.
    pub(crate) fn get_or(&self, key: usize, make: impl FnOnce() -> T) -> T {
        let mut last = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((k, t)) = &*last {
            if *k == key {
                return t.clone();
            }
        }
        let t = make();
        *last = Some((key, t.clone()));
        t
    }
}

/// The wrapper of each original, by the original's address.
pub(crate) struct WrapCache<V> {
    map: Mutex<HashMap<usize, V>>,
}

impl<V> Default for WrapCache<V> {
    fn default() -> Self {
        WrapCache {
            map: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> WrapCache<V> {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, V>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The wrapper of the original at `key`, made now if there is none.
    pub(crate) fn one(&self, key: usize, make: impl FnOnce() -> V) -> V {
        if let Some(v) = self.lock().get(&key) {
            return v.clone();
        }
        let v = make();
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.entry(key).or_insert(v).clone()
    }

    /// The wrappers of a whole list; the cache then holds these only (wrappers of
    /// originals no longer listed are dropped).
    pub(crate) fn list<T>(
        &self,
        items: Vec<T>,
        key: impl Fn(&T) -> usize,
        make: impl Fn(T) -> V,
    ) -> Vec<V> {
        let mut old = std::mem::take(&mut *self.lock());
        let mut fresh = HashMap::with_capacity(items.len());
        let out: Vec<V> = items
            .into_iter()
            .map(|t| {
                let k = key(&t);
                let v = old.remove(&k).unwrap_or_else(|| make(t));
                fresh.insert(k, v.clone());
                v
            })
            .collect();
        *self.lock() = fresh;
        out
    }
}

/// The wrappers of every kind of component one wrapping source hands out.
#[derive(Default)]
pub(crate) struct Wrappers {
    pub(crate) tools: WrapCache<crate::provider::ToolEntry>,
    pub(crate) resources: WrapCache<std::sync::Arc<dyn fastmcp_core::ResourceHandler>>,
    pub(crate) templates: WrapCache<std::sync::Arc<crate::provider::TemplateEntry>>,
    pub(crate) prompts: WrapCache<std::sync::Arc<dyn fastmcp_core::PromptHandler>>,
}

impl Wrappers {
    /// The wrapped form of what a URI resolved to.
    pub(crate) fn target(
        &self,
        t: crate::provider::ResourceTarget,
        resource: impl FnOnce(
            std::sync::Arc<dyn fastmcp_core::ResourceHandler>,
        ) -> std::sync::Arc<dyn fastmcp_core::ResourceHandler>,
        template: impl FnOnce(
            std::sync::Arc<crate::provider::TemplateEntry>,
        ) -> std::sync::Arc<crate::provider::TemplateEntry>,
    ) -> crate::provider::ResourceTarget {
        use crate::provider::ResourceTarget;
        match t {
            ResourceTarget::Static(r) => {
                ResourceTarget::Static(self.resources.one(addr(&r), || resource(r.clone())))
            }
            ResourceTarget::Template(e, vars) => {
                let key = addr(e.handler());
                ResourceTarget::Template(self.templates.one(key, || template(e)), vars)
            }
        }
    }
}

/// The address of what an `Arc` points at, as a cache key.
pub(crate) fn addr<T: ?Sized>(arc: &std::sync::Arc<T>) -> usize {
    std::sync::Arc::as_ptr(arc) as *const () as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_listed_original_keeps_its_wrapper_and_others_are_dropped() {
        let cache: WrapCache<Arc<String>> = WrapCache::default();
        let (a, b) = (Arc::new(1), Arc::new(2));
        let wrap = |x: Arc<i32>| Arc::new(format!("w{x}"));
        let first = cache.list(vec![a.clone(), b.clone()], addr, wrap);
        let second = cache.list(vec![a.clone()], addr, wrap);
        assert!(Arc::ptr_eq(&first[0], &second[0]));
        assert_eq!(cache.lock().len(), 1);
        let again = cache.one(addr(&b), || wrap(b.clone()));
        assert!(!Arc::ptr_eq(&again, &first[1]));
        assert!(Arc::ptr_eq(&again, &cache.one(addr(&b), || unreachable!())));
    }
}
