//! Route maps: which operations become tools, resources, templates, or nothing; and the
//! names they get.

use regex::Regex;

use crate::spec::{Location, Operation};

/// What an operation becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A tool (the default).
    Tool,
    /// A resource: a `GET` without path parameters (one with them becomes a template).
    Resource,
    /// A resource template: a `GET` with path parameters, one `{name}` each.
    Template,
    /// Not served.
    Exclude,
}

/// A rule of a route map: operations that match every condition given become `kind`. The
/// first rule that matches decides; an operation no rule matches is a tool.
///
/// ```
/// use fastmcp_openapi::{Kind, RouteMap};
///
/// let maps = [
///     RouteMap::new(Kind::Exclude).tags(["internal"]),
///     RouteMap::new(Kind::Resource).methods(["GET"]).pattern(r"^/reports/").unwrap(),
/// ];
/// # let _ = maps;
/// ```
#[derive(Debug, Clone)]
pub struct RouteMap {
    methods: Vec<String>,
    pattern: Option<Regex>,
    tags: Vec<String>,
    kind: Kind,
}

impl RouteMap {
    /// Operations become `kind` (every operation, until conditions are added).
    pub fn new(kind: Kind) -> Self {
        RouteMap {
            methods: vec![],
            pattern: None,
            tags: vec![],
            kind,
        }
    }

    /// Only these HTTP methods.
    pub fn methods<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, methods: I) -> Self {
        self.methods = methods
            .into_iter()
            .map(|m| m.as_ref().to_uppercase())
            .collect();
        self
    }

    /// Only paths (as written in the document, `/pets/{id}`) that match `regex`.
    pub fn pattern(mut self, regex: &str) -> Result<Self, fastmcp_core::Error> {
        let r = Regex::new(regex).map_err(|e| {
            fastmcp_core::Error::invalid_params(format!("bad route pattern {regex:?}: {e}"))
        })?;
        self.pattern = Some(r);
        Ok(self)
    }

    /// Only operations with at least one of these tags.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags = tags.into_iter().map(Into::into).collect();
        self
    }

    fn matches(&self, op: &Operation) -> bool {
        (self.methods.is_empty() || self.methods.contains(&op.method))
            && self.pattern.as_ref().is_none_or(|p| p.is_match(&op.path))
            && (self.tags.is_empty() || op.tags.iter().any(|t| self.tags.contains(t)))
    }
}

/// What `op` becomes under `maps`.
pub(crate) fn kind_of(maps: &[RouteMap], op: &Operation) -> Kind {
    let kind = maps
        .iter()
        .find(|m| m.matches(op))
        .map_or(Kind::Tool, |m| m.kind);
    let has_path_params = op.params.iter().any(|p| p.location == Location::Path);
    match kind {
        Kind::Resource | Kind::Template if op.method != "GET" => {
            tracing::warn!(
                "OpenAPI: {} {} is not a GET: served as a tool",
                op.method,
                op.path
            );
            Kind::Tool
        }
        Kind::Resource | Kind::Template if has_path_params => Kind::Template,
        Kind::Resource | Kind::Template => Kind::Resource,
        k => k,
    }
}

/// A tool name for `op`: its `operationId`, else its method and path; letters, digits,
/// `_`, `-` and `.` only, at most 64 characters, made unique among `taken`.
pub(crate) fn name_of(op: &Operation, taken: &mut Vec<String>) -> String {
    let raw = match &op.operation_id {
        Some(id) if !id.is_empty() => id.clone(),
        _ => format!("{}_{}", op.method.to_lowercase(), op.path),
    };
    let mut name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    name = name.trim_matches('_').chars().take(60).collect();
    if name.is_empty() {
        name = "operation".into();
    }
    let mut unique = name.clone();
    let mut n = 2;
    while taken.contains(&unique) {
        unique = format!("{name}_{n}");
        n += 1;
    }
    taken.push(unique.clone());
    unique
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(method: &str, path: &str, id: Option<&str>, tags: &[&str]) -> Operation {
        Operation {
            method: method.into(),
            path: path.into(),
            operation_id: id.map(Into::into),
            summary: None,
            description: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            params: vec![],
            body: None,
            output: None,
        }
    }

    #[test]
    fn the_first_matching_rule_decides_and_names_are_unique() {
        let maps = [
            RouteMap::new(Kind::Exclude).tags(["internal"]),
            RouteMap::new(Kind::Resource)
                .methods(["get"])
                .pattern("^/reports")
                .unwrap(),
        ];
        assert_eq!(
            kind_of(&maps, &op("GET", "/admin", None, &["internal"])),
            Kind::Exclude
        );
        assert_eq!(
            kind_of(&maps, &op("GET", "/reports/all", None, &[])),
            Kind::Resource
        );
        assert_eq!(
            kind_of(&maps, &op("POST", "/reports/all", None, &[])),
            Kind::Tool
        );
        assert_eq!(kind_of(&maps, &op("GET", "/pets", None, &[])), Kind::Tool);
        let mut taken = vec![];
        assert_eq!(
            name_of(&op("GET", "/pets/{id}", None, &[]), &mut taken),
            "get__pets__id"
        );
        assert_eq!(
            name_of(&op("GET", "/x", Some("list pets!"), &[]), &mut taken),
            "list_pets"
        );
        assert_eq!(
            name_of(&op("GET", "/y", Some("list pets?"), &[]), &mut taken),
            "list_pets_2"
        );
        assert!(RouteMap::new(Kind::Tool).pattern("(").is_err());
    }
}
