//! Expansion: from variable values to a URI (RFC 6570 section 3.2, string values).

use std::collections::BTreeMap;

use crate::parse::{Operator, Part, UriTemplate, VarSpec};

impl UriTemplate {
    /// Expand the template with string values. Undefined variables are left out (with
    /// their `name=` for the query operators). Values are percent-encoded: everything but
    /// the unreserved characters, and for `{+var}` and `{#var}` also the reserved ones. The
    /// prefix modifier keeps the first characters of a value. An exploded variable of a
    /// simple or path expression (`{path*}`, `{/path*}`) is a `/`-separated list of
    /// segments, as [`UriTemplate::match_uri`] returns it, and keeps its `/`s.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use fastmcp_uri_template::UriTemplate;
    /// let vars = BTreeMap::from([
    ///     ("var".to_owned(), "value".to_owned()),
    ///     ("hello".to_owned(), "Hello World!".to_owned()),
    ///     ("path".to_owned(), "/foo/bar".to_owned()),
    /// ]);
    /// let t = |s: &str| UriTemplate::parse(s).unwrap().expand(&vars);
    /// assert_eq!(t("x://{hello}"), "x://Hello%20World%21");
    /// assert_eq!(t("x://{+path}/here"), "x:///foo/bar/here");
    /// assert_eq!(t("x://{var:3}{?var,missing}"), "x://val?var=value");
    /// ```
    pub fn expand(&self, vars: &BTreeMap<String, String>) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(l) => out.push_str(l),
                Part::Expr { op, vars: specs } => expand_expr(*op, specs, vars, &mut out),
            }
        }
        out
    }
}

fn expand_expr(op: Operator, specs: &[VarSpec], vars: &BTreeMap<String, String>, out: &mut String) {
    let mut first = true;
    for spec in specs {
        let Some(value) = vars.get(&spec.name) else {
            continue;
        };
        out.push_str(if first { op.first() } else { "" });
        if !first {
            out.push(op.sep());
        }
        first = false;
        let value = match spec.prefix {
            Some(n) => value.chars().take(usize::from(n)).collect(),
            None => value.clone(),
        };
        if op.named() {
            out.push_str(&spec.name);
            if value.is_empty() {
                if op != Operator::PathParam {
                    out.push('=');
                }
                continue;
            }
            out.push('=');
        }
        let segments = spec.explode && matches!(op, Operator::Simple | Operator::Path);
        if segments {
            for (i, seg) in value.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode(seg, op.reserved(), out);
            }
        } else {
            encode(&value, op.reserved(), out);
        }
    }
}

fn encode(s: &str, reserved: bool, out: &mut String) {
    const RESERVED: &[u8] = b":/?#[]@!$&'()*+,;=";
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let unreserved = b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        let kept = reserved
            && (RESERVED.contains(&b)
                || (b == b'%'
                    && bytes
                        .get(i + 1..i + 3)
                        .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))));
        if unreserved || kept {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The level-4 examples of RFC 6570 with string values.
    #[test]
    fn rfc_examples() {
        let vars: BTreeMap<String, String> = [
            ("var", "value"),
            ("hello", "Hello World!"),
            ("path", "/foo/bar"),
            ("x", "1024"),
            ("y", "768"),
            ("empty", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let cases = [
            ("{var}", "value"),
            ("{hello}", "Hello%20World%21"),
            ("{+hello}", "Hello%20World!"),
            ("{+path}/here", "/foo/bar/here"),
            ("{#path,x}/here", "#/foo/bar,1024/here"),
            ("{x,y}", "1024,768"),
            ("{var:3}", "val"),
            ("{+path:6}/here", "/foo/b/here"),
            ("X{.var}", "X.value"),
            ("X{.x,y}", "X.1024.768"),
            ("{/var,x}/here", "/value/1024/here"),
            ("{;x,y,empty}", ";x=1024;y=768;empty"),
            ("{?x,y,empty}", "?x=1024&y=768&empty="),
            ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
            ("{?undef}", ""),
            ("{/path*}", "//foo/bar"),
        ];
        for (t, want) in cases {
            assert_eq!(UriTemplate::parse(t).unwrap().expand(&vars), want, "{t}");
        }
    }

    #[test]
    fn expansion_round_trips_through_matching() {
        for (t, uri) in [
            ("repo://{owner}/{path*}", "repo://me/src/a%20b.rs"),
            ("file:///{+path}", "file:///a/b/c.txt"),
            ("search://items{?q,limit}", "search://items?q=a%2Bb&limit=5"),
            ("x://m{;v}{.e}{#f}", "x://m;v=3.json#top"),
            ("x://root{/segs*}", "x://root/a/b"),
        ] {
            let t = UriTemplate::parse(t).unwrap();
            let vars = t.match_uri(uri).unwrap().unwrap();
            assert_eq!(t.expand(&vars), uri);
        }
    }
}
