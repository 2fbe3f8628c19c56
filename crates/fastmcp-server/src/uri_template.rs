//! RFC 6570 URI templates: parsing, and matching a URI back to variable values.
//!
//! Supported: simple `{var}`, reserved `{+var}`, fragment `{#var}`, label `{.var}`, path
//! segments `{/var}` and `{/var*}`, path parameters `{;var}`, query `{?q,r}` and
//! continuation `{&x}`, explode `{var*}` (matches several path segments), several variables
//! per expression. Matched values are percent-decoded; values with NUL bytes, `..` segments
//! or (for multi-segment variables) absolute paths are refused.

use std::collections::BTreeMap;

/// A parsed URI template.
///
/// ```
/// use fastmcp_server::UriTemplate;
/// let t = UriTemplate::parse("file:///{path*}").unwrap();
/// let vars = t.match_uri("file:///docs/a%20b.md").unwrap().unwrap();
/// assert_eq!(vars["path"], "docs/a b.md");
/// let q = UriTemplate::parse("search://items{?q,limit}").unwrap();
/// let vars = q.match_uri("search://items?q=rust&limit=5").unwrap().unwrap();
/// assert_eq!(vars["limit"], "5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Expr { op: Op, vars: Vec<VarSpec> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryCont,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct VarSpec {
    name: String,
    explode: bool,
}

/// A template that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid URI template: {}", self.0)
    }
}

impl std::error::Error for TemplateError {}

/// A URI matched the template, but a value is unsafe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsafeValue(pub String);

impl UriTemplate {
    /// Parse a template.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        let mut parts = vec![];
        let mut rest = src;
        while let Some(i) = rest.find('{') {
            if i > 0 {
                parts.push(Part::Literal(rest[..i].to_owned()));
            }
            let end = rest[i..]
                .find('}')
                .ok_or_else(|| TemplateError(format!("unclosed expression in {src:?}")))?;
            let body = &rest[i + 1..i + end];
            parts.push(parse_expr(body)?);
            rest = &rest[i + end + 1..];
        }
        if rest.contains('}') {
            return Err(TemplateError(format!("stray '}}' in {src:?}")));
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_owned()));
        }
        Ok(UriTemplate {
            source: src.to_owned(),
            parts,
        })
    }

    /// The template text.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the template has any variables.
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Expr { .. }))
    }

    /// The variable names, in order.
    pub fn variables(&self) -> Vec<&str> {
        self.parts
            .iter()
            .flat_map(|p| match p {
                Part::Expr { vars, .. } => vars.iter().map(|v| v.name.as_str()).collect(),
                Part::Literal(_) => vec![],
            })
            .collect()
    }

    /// Match a URI: `Ok(None)` when it does not match, `Err` when it matches with an unsafe
    /// value, else the variables (absent query variables are left out).
    pub fn match_uri(&self, uri: &str) -> Result<Option<BTreeMap<String, String>>, UnsafeValue> {
        let mut vars = BTreeMap::new();
        if !match_parts(&self.parts, uri, &mut vars) {
            return Ok(None);
        }
        let mut out = BTreeMap::new();
        for (name, (raw, multi)) in vars {
            let v = percent_decode(&raw)
                .ok_or_else(|| UnsafeValue(format!("bad escape in `{name}`")))?;
            check_safe(&name, &v, multi)?;
            out.insert(name, v);
        }
        Ok(Some(out))
    }
}

fn parse_expr(body: &str) -> Result<Part, TemplateError> {
    let (op, list) = match body.chars().next() {
        Some('+') => (Op::Reserved, &body[1..]),
        Some('#') => (Op::Fragment, &body[1..]),
        Some('.') => (Op::Label, &body[1..]),
        Some('/') => (Op::Path, &body[1..]),
        Some(';') => (Op::PathParam, &body[1..]),
        Some('?') => (Op::Query, &body[1..]),
        Some('&') => (Op::QueryCont, &body[1..]),
        Some(c) if c.is_ascii_alphanumeric() || c == '_' || c == '%' => (Op::Simple, body),
        _ => return Err(TemplateError(format!("bad expression {{{body}}}"))),
    };
    let mut vars = vec![];
    for spec in list.split(',') {
        let (name, explode) = match spec.strip_suffix('*') {
            Some(n) => (n, true),
            None => (spec.split(':').next().unwrap_or(spec), false),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '%')
        {
            return Err(TemplateError(format!("bad variable name {spec:?}")));
        }
        vars.push(VarSpec {
            name: name.to_owned(),
            explode,
        });
    }
    Ok(Part::Expr { op, vars })
}

type Vars = BTreeMap<String, (String, bool)>;

fn match_parts(parts: &[Part], input: &str, vars: &mut Vars) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return input.is_empty();
    };
    match first {
        Part::Literal(l) => input
            .strip_prefix(l.as_str())
            .is_some_and(|r| match_parts(rest, r, vars)),
        Part::Expr { op, vars: specs } => match op {
            Op::Query | Op::QueryCont => match_query(*op, specs, rest, input, vars),
            _ => match_expr(*op, specs, rest, input, vars),
        },
    }
}

/// Try every split point (shortest first) for an expression's text.
fn match_expr(op: Op, specs: &[VarSpec], rest: &[Part], input: &str, vars: &mut Vars) -> bool {
    let prefix = match op {
        Op::Fragment => "#",
        Op::Label => ".",
        Op::Path => "/",
        Op::PathParam => ";",
        _ => "",
    };
    let Some(body_start) = input.strip_prefix(prefix) else {
        return false;
    };
    let multi = specs.iter().any(|s| s.explode) || matches!(op, Op::Reserved | Op::Fragment);
    let mut ends: Vec<usize> = body_start
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain(std::iter::once(body_start.len()))
        .collect();
    ends.dedup();
    for end in ends {
        let text = &body_start[..end];
        if !allowed(text, op, multi) {
            break;
        }
        let mut trial = vars.clone();
        if assign(op, specs, text, &mut trial) && match_parts(rest, &body_start[end..], &mut trial)
        {
            *vars = trial;
            return true;
        }
    }
    false
}

fn allowed(text: &str, op: Op, multi: bool) -> bool {
    text.chars().all(|c| match c {
        '/' => multi,
        '?' | '#' => matches!(op, Op::Fragment) && c != '#',
        _ => true,
    })
}

fn assign(op: Op, specs: &[VarSpec], text: &str, vars: &mut Vars) -> bool {
    let sep = match op {
        Op::Label => '.',
        Op::Path => '/',
        Op::PathParam => ';',
        _ => ',',
    };
    if specs.len() == 1 {
        let s = &specs[0];
        let value = if op == Op::PathParam {
            match text.strip_prefix(s.name.as_str()) {
                Some(v) => v.strip_prefix('=').unwrap_or(v),
                None => return false,
            }
        } else {
            text
        };
        if value.is_empty() && op == Op::Simple {
            return false;
        }
        let multi = s.explode || matches!(op, Op::Reserved | Op::Fragment);
        vars.insert(s.name.clone(), (value.to_owned(), multi));
        return true;
    }
    let pieces: Vec<&str> = text.split(sep).collect();
    if pieces.len() != specs.len() {
        return false;
    }
    for (s, p) in specs.iter().zip(pieces) {
        vars.insert(s.name.clone(), (p.to_owned(), false));
    }
    true
}

fn match_query(op: Op, specs: &[VarSpec], rest: &[Part], input: &str, vars: &mut Vars) -> bool {
    let lead = if op == Op::Query { '?' } else { '&' };
    let Some(q) = input.strip_prefix(lead) else {
        // No query at all: every variable of the expression is absent.
        return match_parts(rest, input, vars);
    };
    let end = q.find('#').unwrap_or(q.len());
    // Try the shortest prefix ending before an `&` first, so that a following `{&x}`
    // expression can take the rest; the whole query last.
    let mut cuts: Vec<usize> = q[..end].match_indices('&').map(|(i, _)| i).collect();
    cuts.push(end);
    for cut in cuts {
        let mut trial = vars.clone();
        for pair in q[..cut].split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(s) = specs.iter().find(|s| s.name == k) {
                trial.insert(s.name.clone(), (v.to_owned(), false));
            }
        }
        if match_parts(rest, &q[cut..], &mut trial) {
            *vars = trial;
            return true;
        }
    }
    false
}

fn percent_decode(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn check_safe(name: &str, v: &str, multi: bool) -> Result<(), UnsafeValue> {
    if v.contains('\0') {
        return Err(UnsafeValue(format!("`{name}` contains a NUL byte")));
    }
    if v.split(['/', '\\']).any(|seg| seg == "..") {
        return Err(UnsafeValue(format!("`{name}` contains a `..` segment")));
    }
    if multi && (v.starts_with('/') || v.starts_with('\\')) {
        return Err(UnsafeValue(format!("`{name}` is an absolute path")));
    }
    if !multi && v.contains('/') {
        return Err(UnsafeValue(format!("`{name}` contains `/`")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(t: &str, uri: &str) -> Option<BTreeMap<String, String>> {
        UriTemplate::parse(t).unwrap().match_uri(uri).unwrap()
    }

    fn get(t: &str, uri: &str, k: &str) -> String {
        m(t, uri).unwrap_or_else(|| panic!("{t} !~ {uri}"))[k].clone()
    }

    #[test]
    fn simple_variables() {
        assert_eq!(
            get("users://{id}/profile", "users://42/profile", "id"),
            "42"
        );
        assert!(m("users://{id}/profile", "users://4/2/profile").is_none());
        assert!(m("users://{id}/profile", "users:///profile").is_none());
        let v = m("test://template/{a}-{b}/data", "test://template/x-y/data").unwrap();
        assert_eq!((v["a"].as_str(), v["b"].as_str()), ("x", "y"));
        assert_eq!(get("x://{name}", "x://a%20b", "name"), "a b");
    }

    #[test]
    fn reserved_explode_and_paths() {
        assert_eq!(
            get("file:///{+path}", "file:///a/b/c.txt", "path"),
            "a/b/c.txt"
        );
        assert_eq!(
            get("repo://{owner}/{path*}", "repo://me/src/lib.rs", "path"),
            "src/lib.rs"
        );
        assert_eq!(
            get("repo://{owner}/{path*}", "repo://me/src/lib.rs", "owner"),
            "me"
        );
        assert_eq!(get("x://root{/seg}", "x://root/abc", "seg"), "abc");
        assert_eq!(get("x://root{/segs*}", "x://root/a/b", "segs"), "a/b");
        assert_eq!(get("x://doc{#frag}", "x://doc#part", "frag"), "part");
        assert_eq!(get("x://file{.ext}", "x://file.json", "ext"), "json");
        assert_eq!(get("x://m{;v}", "x://m;v=3", "v"), "3");
    }

    #[test]
    fn query_variables_are_optional() {
        let t = "search://items{?q,limit}";
        let v = m(t, "search://items?limit=5&q=a%2Bb").unwrap();
        assert_eq!((v["q"].as_str(), v["limit"].as_str()), ("a+b", "5"));
        let v = m(t, "search://items").unwrap();
        assert!(v.is_empty());
        let v = m("x://a{?q}{&r}", "x://a?q=1&r=2").unwrap();
        assert_eq!(v["r"], "2");
    }

    #[test]
    fn refuses_unsafe_values() {
        let t = UriTemplate::parse("file:///{+path}").unwrap();
        assert!(t.match_uri("file:///../etc/passwd").is_err());
        assert!(t.match_uri("file:///a/%2e%2e/b").is_err());
        assert!(t.match_uri("file:////etc/passwd").is_err());
        assert!(t.match_uri("file:///a%00b").is_err());
        let s = UriTemplate::parse("x://{id}").unwrap();
        assert!(s.match_uri("x://a%2Fb").is_err());
        assert!(s.match_uri("x://%zz").is_err());
    }

    #[test]
    fn parse_errors() {
        assert!(UriTemplate::parse("x://{unclosed").is_err());
        assert!(UriTemplate::parse("x://{}").is_err());
        assert!(UriTemplate::parse("x://a}").is_err());
        assert_eq!(
            UriTemplate::parse("x://{a}/{+b}").unwrap().variables(),
            ["a", "b"]
        );
    }
}
