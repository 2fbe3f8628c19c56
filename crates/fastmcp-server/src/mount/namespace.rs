//! How a mounted server's components are named in its parent: tools and prompts as
//! `ns_name`, resources and templates as `scheme://ns/path`.

use std::sync::Arc;

/// The naming rule of one mounted (or imported) server.
///
/// ```
/// use fastmcp_server::Namespace;
///
/// let ns = Namespace::new("weather");
/// assert_eq!(ns.name("forecast"), "weather_forecast");
/// assert_eq!(ns.strip_name("weather_forecast"), Some("forecast"));
/// assert_eq!(ns.uri("data://cities/{city}"), "data://weather/cities/{city}");
/// assert_eq!(ns.strip_uri("data://weather/cities/paris").as_deref(), Some("data://cities/paris"));
/// assert_eq!(ns.strip_uri("data://cities/paris"), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Namespace {
    prefix: Arc<str>,
}

impl Namespace {
    /// The namespace `prefix` (a non-empty name: letters, digits, `-`, `.`; no `_`, `/`
    /// or `:`, which would make names ambiguous). See [`Namespace::check`].
    pub fn new(prefix: impl Into<String>) -> Self {
        Namespace {
            prefix: prefix.into().into(),
        }
    }

    /// The prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Why the prefix cannot be used, if it cannot: empty, or holding a character that
    /// would make a namespaced name or URI ambiguous.
    pub fn check(&self) -> Result<(), String> {
        let p = self.prefix();
        if p.is_empty() {
            return Err("a namespace cannot be empty".into());
        }
        match p
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.')))
        {
            Some(c) => Err(format!(
                "the namespace {p:?} holds {c:?}: use letters, digits, '-' and '.'"
            )),
            None => Ok(()),
        }
    }

    /// A tool's or prompt's name in the parent: `ns_name`.
    pub fn name(&self, name: &str) -> String {
        format!("{}_{name}", self.prefix)
    }

    /// The child's name of a parent's name (`None`: not in this namespace).
    pub fn strip_name<'n>(&self, name: &'n str) -> Option<&'n str> {
        name.strip_prefix(&*self.prefix)?.strip_prefix('_')
    }

    /// A resource URI or URI template in the parent: the namespace is the first segment
    /// after the scheme (`data://x` → `data://ns/x`; `urn:x` → `urn:ns/x`; a URI without a
    /// scheme gets `ns/` in front).
    pub fn uri(&self, uri: &str) -> String {
        let at = path_start(uri);
        let mut out = String::with_capacity(uri.len() + self.prefix.len() + 1);
        out.push_str(&uri[..at]);
        out.push_str(&self.prefix);
        out.push('/');
        out.push_str(&uri[at..]);
        out
    }

    /// The child's URI of a parent's URI (`None`: not in this namespace).
    pub fn strip_uri(&self, uri: &str) -> Option<String> {
        let at = path_start(uri);
        let rest = uri[at..].strip_prefix(&*self.prefix)?.strip_prefix('/')?;
        let mut out = String::with_capacity(uri.len());
        out.push_str(&uri[..at]);
        out.push_str(rest);
        Some(out)
    }
}

/// Where the part of a URI after its scheme starts (after `://`, or after `:`).
fn path_start(uri: &str) -> usize {
    let scheme_end = uri
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
        .filter(|&i| i > 0 && uri[i..].starts_with(':'));
    match scheme_end {
        Some(i) if uri[i..].starts_with("://") => i + 3,
        Some(i) => i + 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_through_the_namespace() {
        let ns = Namespace::new("a");
        for uri in [
            "data://x/y",
            "file:///etc/hosts",
            "urn:isbn:1",
            "plain/path",
            "res://{id}",
            "{+path}",
            "",
        ] {
            let n = ns.uri(uri);
            assert_ne!(n, uri);
            assert_eq!(ns.strip_uri(&n).as_deref(), Some(uri), "{uri} -> {n}");
        }
        assert_eq!(ns.uri("file:///etc/hosts"), "file://a//etc/hosts");
        assert_eq!(ns.uri("urn:isbn:1"), "urn:a/isbn:1");
        assert_eq!(ns.strip_uri("data://ab/x"), None);
        assert_eq!(ns.strip_uri("data://x"), None);
    }

    #[test]
    fn names_round_trip_and_others_are_not_ours() {
        let ns = Namespace::new("math");
        assert_eq!(ns.strip_name(&ns.name("add_two")), Some("add_two"));
        assert_eq!(ns.strip_name("mathadd"), None);
        assert_eq!(ns.strip_name("other_add"), None);
    }

    #[test]
    fn prefixes_that_would_be_ambiguous_are_refused() {
        assert!(Namespace::new("ok-1.v2").check().is_ok());
        for bad in ["", "a_b", "a/b", "a:b", "a b", "é"] {
            assert!(Namespace::new(bad).check().is_err(), "{bad:?}");
        }
    }
}
