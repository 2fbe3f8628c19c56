//! The variables of an RFC 6570 URI template, checked at compile time.

/// One variable of a template expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) name: String,
    /// The expression's operator (`+ # . / ; ? &`), if any.
    pub(crate) operator: Option<char>,
    /// `{name*}`
    pub(crate) explode: bool,
    /// `{name:3}`
    pub(crate) prefix: Option<u16>,
}

const OPERATORS: &str = "+#./;?&";
const RESERVED_OPERATORS: &str = "=,!@|";

/// The variables of `template`, in order; an error message when it is not a valid
/// RFC 6570 (level 4) template or names a variable twice.
pub(crate) fn parse(template: &str) -> Result<Vec<Var>, String> {
    let mut vars: Vec<Var> = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        check_literal(&rest[..i])?;
        if rest[i..].starts_with('}') {
            return Err("unmatched `}` in the URI template".into());
        }
        let after = &rest[i + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| "unclosed `{` in the URI template".to_owned())?;
        let expr = &after[..end];
        if expr.contains('{') {
            return Err("nested `{` in the URI template".into());
        }
        for var in parse_expression(expr)? {
            if vars.iter().any(|v| v.name == var.name) {
                return Err(format!(
                    "the URI template names the variable `{}` twice",
                    var.name
                ));
            }
            vars.push(var);
        }
        rest = &after[end + 1..];
    }
    check_literal(rest)?;
    Ok(vars)
}

fn check_literal(s: &str) -> Result<(), String> {
    match s.chars().find(|c| c.is_whitespace() || c.is_control()) {
        Some(c) => Err(format!(
            "the URI template contains {c:?}, which is not allowed in a URI"
        )),
        None => Ok(()),
    }
}

fn parse_expression(expr: &str) -> Result<Vec<Var>, String> {
    let mut chars = expr.chars();
    let operator = match chars.next() {
        None => return Err("empty expression `{}` in the URI template".into()),
        Some(c) if OPERATORS.contains(c) => Some(c),
        Some(c) if RESERVED_OPERATORS.contains(c) => {
            return Err(format!(
                "the operator `{c}` is reserved by RFC 6570 and not supported"
            ))
        }
        Some(_) => None,
    };
    let list = if operator.is_some() {
        chars.as_str()
    } else {
        expr
    };
    list.split(',')
        .map(|spec| parse_varspec(spec, operator))
        .collect()
}

fn parse_varspec(spec: &str, operator: Option<char>) -> Result<Var, String> {
    let (name, explode, prefix) = if let Some(name) = spec.strip_suffix('*') {
        (name, true, None)
    } else if let Some((name, len)) = spec.split_once(':') {
        let n: u16 = len
            .parse()
            .ok()
            .filter(|n| (1..10000).contains(n) && !len.starts_with('0'))
            .ok_or_else(|| {
                format!("invalid prefix length `:{len}` in the URI template (1 to 9999)")
            })?;
        (name, false, Some(n))
    } else {
        (spec, false, None)
    };
    check_varname(name)?;
    Ok(Var {
        name: name.to_owned(),
        operator,
        explode,
        prefix,
    })
}

fn check_varname(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("empty variable name in the URI template".into());
    }
    let bytes = name.as_bytes();
    let mut i = 0;
    let mut prev_dot = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return Err(format!(
                    "invalid percent-encoding in variable name `{name}`"
                ));
            }
            i += 3;
            prev_dot = false;
            continue;
        }
        if b == b'.' {
            if prev_dot {
                return Err(format!(
                    "invalid variable name `{name}` in the URI template"
                ));
            }
            prev_dot = true;
        } else if b.is_ascii_alphanumeric() || b == b'_' {
            prev_dot = false;
        } else {
            return Err(format!(
                "invalid variable name `{name}` in the URI template (letters, digits, `_`, `.` and %-escapes)"
            ));
        }
        i += 1;
    }
    if prev_dot {
        return Err(format!(
            "invalid variable name `{name}` in the URI template"
        ));
    }
    Ok(())
}

/// Whether `uri` starts with a URI scheme (`scheme:`).
pub(crate) fn has_scheme(uri: &str) -> bool {
    let Some((scheme, _)) = uri.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &str) -> Vec<String> {
        parse(t).unwrap().into_iter().map(|v| v.name).collect()
    }

    #[test]
    fn variables() {
        assert!(names("config://app").is_empty());
        assert_eq!(names("users://{id}/profile"), ["id"]);
        assert_eq!(names("file:///{+path}"), ["path"]);
        assert_eq!(
            names("x://{a}{/seg*}{?q,lang}{&page}"),
            ["a", "seg", "q", "lang", "page"]
        );
        let v = parse("x://{name:3}").unwrap();
        assert_eq!(v[0].prefix, Some(3));
        let v = parse("x://{?list*}").unwrap();
        assert_eq!((v[0].operator, v[0].explode), (Some('?'), true));
        assert_eq!(names("x://{a.b}"), ["a.b"]);
    }

    #[test]
    fn errors() {
        for bad in [
            "x://{",
            "x://}",
            "x://{}",
            "x://{a",
            "x://{=a}",
            "x://{a-b}",
            "x://{a,a}",
            "x://{a:0}",
            "x://{a:10000}",
            "x://{.}",
            "x://{a..b}",
            "x:// {a}",
            "x://{{a}}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("config://app"));
        assert!(has_scheme("urn:x"));
        assert!(!has_scheme("/etc/passwd"));
        assert!(!has_scheme("1x://a"));
    }
}
