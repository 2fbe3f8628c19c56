//! Parsing and validating a template (RFC 6570 section 2).

/// A parsed URI template.
///
/// ```
/// use fastmcp_uri_template::UriTemplate;
/// let t = UriTemplate::parse("file:///{path*}").unwrap();
/// let vars = t.match_uri("file:///docs/a%20b.md").unwrap().unwrap();
/// assert_eq!(vars["path"], "docs/a b.md");
/// let q = UriTemplate::parse("search://items{?q,limit}").unwrap();
/// let vars = q.match_uri("search://items?q=rust&limit=5").unwrap().unwrap();
/// assert_eq!(vars["limit"], "5");
/// assert!(UriTemplate::parse("x://{unclosed").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    source: String,
    pub(crate) parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Part {
    Literal(String),
    Expr { op: Operator, vars: Vec<VarSpec> },
}

/// The operator of an expression (RFC 6570 section 2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `{var}`: simple string expansion.
    Simple,
    /// `{+var}`: reserved expansion (`/`, `?`, ... kept).
    Reserved,
    /// `{#var}`: fragment expansion.
    Fragment,
    /// `{.var}`: label expansion.
    Label,
    /// `{/var}`: path segments.
    Path,
    /// `{;var}`: path-style parameters.
    PathParam,
    /// `{?var}`: form-style query.
    Query,
    /// `{&var}`: form-style query continuation.
    QueryCont,
}

impl Operator {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            '+' => Operator::Reserved,
            '#' => Operator::Fragment,
            '.' => Operator::Label,
            '/' => Operator::Path,
            ';' => Operator::PathParam,
            '?' => Operator::Query,
            '&' => Operator::QueryCont,
            _ => return None,
        })
    }

    /// The operator's character (`None` for simple expansion).
    pub fn as_char(self) -> Option<char> {
        Some(match self {
            Operator::Simple => return None,
            Operator::Reserved => '+',
            Operator::Fragment => '#',
            Operator::Label => '.',
            Operator::Path => '/',
            Operator::PathParam => ';',
            Operator::Query => '?',
            Operator::QueryCont => '&',
        })
    }

    /// What an expansion starts with (RFC 6570 appendix A, `first`).
    pub(crate) fn first(self) -> &'static str {
        match self {
            Operator::Simple | Operator::Reserved => "",
            Operator::Fragment => "#",
            Operator::Label => ".",
            Operator::Path => "/",
            Operator::PathParam => ";",
            Operator::Query => "?",
            Operator::QueryCont => "&",
        }
    }

    /// What separates the values of an expansion (`sep`).
    pub(crate) fn sep(self) -> char {
        match self {
            Operator::Label => '.',
            Operator::Path => '/',
            Operator::PathParam => ';',
            Operator::Query | Operator::QueryCont => '&',
            _ => ',',
        }
    }

    /// Whether values are written `name=value` (`named`).
    pub(crate) fn named(self) -> bool {
        matches!(
            self,
            Operator::PathParam | Operator::Query | Operator::QueryCont
        )
    }

    /// Whether reserved characters are kept as they are (`allow` is U+R).
    pub(crate) fn reserved(self) -> bool {
        matches!(self, Operator::Reserved | Operator::Fragment)
    }
}

/// One variable of an expression: `name`, `name*` or `name:3`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarSpec {
    /// The variable name (letters, digits, `_`, `%`-escapes, `.` between them).
    pub name: String,
    /// `{name*}`: the value spans several segments (matching) or is a list (expansion).
    pub explode: bool,
    /// `{name:3}`: only the first characters of the value (1 to 9999).
    pub prefix: Option<u16>,
}

/// A template that does not parse; the message says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TemplateError {}

fn err<T>(msg: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError(msg.into()))
}

impl UriTemplate {
    /// Parse a template. Errors: unbalanced braces, an empty expression, an operator
    /// RFC 6570 reserves (`= , ! @ |`), a bad variable name or prefix length, whitespace
    /// or control characters in the literal text.
    pub fn parse(src: &str) -> Result<Self, TemplateError> {
        let mut parts = vec![];
        let mut rest = src;
        while let Some(i) = rest.find(['{', '}']) {
            push_literal(&mut parts, &rest[..i])?;
            if rest[i..].starts_with('}') {
                return err("unmatched `}` in the URI template");
            }
            let after = &rest[i + 1..];
            let Some(end) = after.find('}') else {
                return err("unclosed `{` in the URI template");
            };
            let expr = &after[..end];
            if expr.contains('{') {
                return err("nested `{` in the URI template");
            }
            parts.push(parse_expression(expr)?);
            rest = &after[end + 1..];
        }
        push_literal(&mut parts, rest)?;
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

    /// The variable names, in order (a name used twice appears twice).
    pub fn variables(&self) -> Vec<&str> {
        self.var_specs().map(|(_, v)| v.name.as_str()).collect()
    }

    /// Every variable with the operator of its expression, in order.
    ///
    /// ```
    /// use fastmcp_uri_template::{Operator, UriTemplate};
    /// let t = UriTemplate::parse("x://{name:3}{?list*}").unwrap();
    /// let specs: Vec<_> = t.var_specs().collect();
    /// assert_eq!((specs[0].0, specs[0].1.prefix), (Operator::Simple, Some(3)));
    /// assert_eq!((specs[1].0, specs[1].1.explode), (Operator::Query, true));
    /// ```
    pub fn var_specs(&self) -> impl Iterator<Item = (Operator, &VarSpec)> {
        self.parts.iter().flat_map(|p| match p {
            Part::Expr { op, vars } => vars.iter().map(|v| (*op, v)).collect(),
            Part::Literal(_) => vec![],
        })
    }
}

fn push_literal(parts: &mut Vec<Part>, s: &str) -> Result<(), TemplateError> {
    if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return err(format!(
            "the URI template contains {c:?}, which is not allowed in a URI"
        ));
    }
    if !s.is_empty() {
        parts.push(Part::Literal(s.to_owned()));
    }
    Ok(())
}

fn parse_expression(expr: &str) -> Result<Part, TemplateError> {
    let Some(c) = expr.chars().next() else {
        return err("empty expression `{}` in the URI template");
    };
    if "=,!@|".contains(c) {
        return err(format!(
            "the operator `{c}` is reserved by RFC 6570 and not supported"
        ));
    }
    let (op, list) = match Operator::from_char(c) {
        Some(op) => (op, &expr[1..]),
        None => (Operator::Simple, expr),
    };
    let vars = list
        .split(',')
        .map(parse_varspec)
        .collect::<Result<_, _>>()?;
    Ok(Part::Expr { op, vars })
}

fn parse_varspec(spec: &str) -> Result<VarSpec, TemplateError> {
    let (name, explode, prefix) = if let Some(name) = spec.strip_suffix('*') {
        (name, true, None)
    } else if let Some((name, len)) = spec.split_once(':') {
        let n = len
            .parse::<u16>()
            .ok()
            .filter(|n| (1..10000).contains(n) && !len.starts_with('0'));
        let Some(n) = n else {
            return err(format!(
                "invalid prefix length `:{len}` in the URI template (1 to 9999)"
            ));
        };
        (name, false, Some(n))
    } else {
        (spec, false, None)
    };
    check_varname(name)?;
    Ok(VarSpec {
        name: name.to_owned(),
        explode,
        prefix,
    })
}

/// `varname = varchar *( ["."] varchar )`, `varchar = ALPHA / DIGIT / "_" / pct-encoded`.
fn check_varname(name: &str) -> Result<(), TemplateError> {
    if name.is_empty() {
        return err("empty variable name in the URI template");
    }
    let bad = || {
        err(format!(
            "invalid variable name `{name}` in the URI template"
        ))
    };
    let bytes = name.as_bytes();
    let mut i = 0;
    let mut prev_dot = true;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3);
                if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                    return err(format!(
                        "invalid percent-encoding in variable name `{name}`"
                    ));
                }
                i += 2;
                prev_dot = false;
            }
            b'.' if prev_dot => return bad(),
            b'.' => prev_dot = true,
            b if b.is_ascii_alphanumeric() || b == b'_' => prev_dot = false,
            _ => {
                return err(format!(
                    "invalid variable name `{name}` in the URI template (letters, digits, `_`, `.` and %-escapes)"
                ))
            }
        }
        i += 1;
    }
    if prev_dot {
        return bad();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &str) -> Vec<String> {
        let t = UriTemplate::parse(t).unwrap();
        t.variables().into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn variables_of_every_operator() {
        assert!(names("config://app").is_empty());
        assert!(!UriTemplate::parse("config://app").unwrap().has_variables());
        assert_eq!(names("users://{id}/profile"), ["id"]);
        assert_eq!(names("file:///{+path}"), ["path"]);
        assert_eq!(
            names("x://{a}{/seg*}{?q,lang}{&page}{#f}{.e}{;p}"),
            ["a", "seg", "q", "lang", "page", "f", "e", "p"]
        );
        assert_eq!(names("x://{a.b}{%41}"), ["a.b", "%41"]);
        let t = UriTemplate::parse("x://{name:3}{/list*}").unwrap();
        let specs: Vec<_> = t.var_specs().collect();
        assert_eq!(specs[0].1.prefix, Some(3));
        assert!(!specs[0].1.explode);
        assert_eq!(
            (specs[1].0.as_char(), specs[1].1.explode),
            (Some('/'), true)
        );
    }

    #[test]
    fn bad_templates() {
        for bad in [
            "x://{",
            "x://}",
            "x://{}",
            "x://{a",
            "x://{=a}",
            "x://{!a}",
            "x://{a-b}",
            "x://{a:0}",
            "x://{a:01}",
            "x://{a:10000}",
            "x://{a:x}",
            "x://{a*:3}",
            "x://{.}",
            "x://{a..b}",
            "x://{a.}",
            "x://{%4}",
            "x:// {a}",
            "x://{{a}}",
            "x://{a,}",
        ] {
            assert!(UriTemplate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            UriTemplate::parse("users://{id").unwrap_err().to_string(),
            "unclosed `{` in the URI template"
        );
    }
}
