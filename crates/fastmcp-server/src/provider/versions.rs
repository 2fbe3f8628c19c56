//! Versions of a tool: several tools registered under one name, each with its own
//! `_meta["fastmcp/version"]`, listed once (the default) and called by version.
//!
//! The default version of a name is the one marked so (see
//! [`crate::Server::default_tool_version`]), else the highest: versions compare as semver
//! (`MAJOR.MINOR.PATCH`, numbers compared as numbers, missing parts read as 0, a
//! pre-release such as `2.0.0-beta` below its release); a version that is not of that form
//! sorts below every semver one (and by its text among such), and a tool without a version
//! sorts below all.

use std::cmp::Ordering;
use std::sync::Arc;

use fastmcp_core::{component_meta, ToolHandler};

use super::ToolEntry;

impl ToolEntry {
    /// One entry for every version of one name: `handlers` all have the same name; the
    /// default is `default` if one has that version, else the highest. With one handler
    /// this is [`ToolEntry::new`]; with none, `None`.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use fastmcp_core::{Context, FnTool, ToolHandler};
    /// use fastmcp_server::ToolEntry;
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Args {}
    /// let v = |v: &str| -> Arc<dyn ToolHandler> {
    ///     Arc::new(FnTool::typed("t", "", |_: Context, _: Args| async { 1 }).with_version(v))
    /// };
    /// let e = ToolEntry::versioned(vec![v("1.10.0"), v("1.9.0"), v("2.0.0-rc1")], None).unwrap();
    /// assert_eq!(e.version(), Some("2.0.0-rc1"));
    /// assert_eq!(e.versions(), ["2.0.0-rc1", "1.10.0", "1.9.0"]);
    /// assert_eq!(e.select("1.9.0").unwrap().version(), Some("1.9.0"));
    /// assert!(e.select("3").is_none());
    /// ```
    pub fn versioned(
        mut handlers: Vec<Arc<dyn ToolHandler>>,
        default: Option<&str>,
    ) -> Option<Self> {
        if handlers.len() <= 1 {
            return handlers.pop().map(ToolEntry::new);
        }
        handlers.sort_by(|a, b| compare(version_of(&**b), version_of(&**a)));
        let chosen = default
            .and_then(|d| handlers.iter().position(|h| version_of(&**h) == Some(d)))
            .unwrap_or(0);
        let all: Arc<[ToolEntry]> = handlers.into_iter().map(ToolEntry::new).collect();
        let entry = all[chosen].with_versions(all.clone());
        Some(entry)
    }

    /// The same entry with every version's handler replaced by `f` of it (a wrapper: the
    /// versions and the default stay what they were).
    pub fn map_handlers(&self, f: impl Fn(&Arc<dyn ToolHandler>) -> Arc<dyn ToolHandler>) -> Self {
        let Some(all) = &self.versions else {
            return ToolEntry::new(f(&self.handler));
        };
        let mapped = all.iter().map(|e| f(&e.handler)).collect();
        ToolEntry::versioned(mapped, self.version())
            .unwrap_or_else(|| ToolEntry::new(f(&self.handler)))
    }

    /// The tool's version (`_meta["fastmcp/version"]` of its definition).
    pub fn version(&self) -> Option<&str> {
        version_of(&*self.handler)
    }

    /// The tool's tags (`_meta["fastmcp/tags"]` of its definition).
    pub fn tags(&self) -> impl Iterator<Item = &str> {
        component_meta::tags(self.handler.tool().meta.as_ref())
    }

    /// The versions this name has, highest first (the version of this one alone when it
    /// is not an entry of several).
    pub fn versions(&self) -> Vec<&str> {
        match &self.versions {
            Some(all) => all.iter().filter_map(ToolEntry::version).collect(),
            None => self.version().into_iter().collect(),
        }
    }

    /// The handlers of every version of this name (just this one's when it has one).
    pub fn handlers(&self) -> Vec<Arc<dyn ToolHandler>> {
        match &self.versions {
            Some(all) => all.iter().map(|e| e.handler.clone()).collect(),
            None => vec![self.handler.clone()],
        }
    }

    /// The entry of version `v` of this name.
    pub fn select(&self, v: &str) -> Option<ToolEntry> {
        match &self.versions {
            Some(all) => all.iter().find(|e| e.version() == Some(v)).cloned(),
            None => (self.version() == Some(v)).then(|| self.clone()),
        }
    }
}

fn version_of(h: &dyn ToolHandler) -> Option<&str> {
    component_meta::version(h.tool().meta.as_ref())
}

/// A parsed semver: numbers, and whether it is a pre-release (and its text).
fn semver(v: &str) -> Option<(Vec<u64>, Option<&str>)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split('+').next().unwrap_or(v);
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let nums = core
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    (!nums.is_empty() && nums.len() <= 3).then_some((nums, pre))
}

/// Compare two versions by the rule in the [module docs](self).
pub(crate) fn compare(a: Option<&str>, b: Option<&str>) -> Ordering {
    let (a, b) = match (a, b) {
        (None, None) => return Ordering::Equal,
        (None, Some(_)) => return Ordering::Less,
        (Some(_), None) => return Ordering::Greater,
        (Some(a), Some(b)) => (a, b),
    };
    match (semver(a), semver(b)) {
        (Some((na, pa)), Some((nb, pb))) => {
            let pad = |mut n: Vec<u64>| {
                n.resize(3, 0);
                n
            };
            pad(na).cmp(&pad(nb)).then_with(|| match (pa, pb) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => x.cmp(y),
            })
        }
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_compare_as_semver() {
        assert_eq!(compare(Some("1.10.0"), Some("1.9.9")), Greater);
        assert_eq!(compare(Some("2"), Some("2.0.0")), Equal);
        assert_eq!(compare(Some("2.0.0-beta"), Some("2.0.0")), Less);
        assert_eq!(compare(Some("2.0.0-beta"), Some("1.99.0")), Greater);
        assert_eq!(compare(Some("v3.0.0"), Some("2.0.0")), Greater);
        assert_eq!(compare(Some("latest"), Some("0.0.1")), Less);
        assert_eq!(compare(Some("b"), Some("a")), Greater);
        assert_eq!(compare(None, Some("a")), Less);
        assert_eq!(
            compare(Some("1.2.3.4"), Some("1")),
            Less,
            "four parts: not semver"
        );
    }
}
