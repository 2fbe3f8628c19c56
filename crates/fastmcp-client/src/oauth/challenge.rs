//! The `Bearer` challenge of a `WWW-Authenticate` header (RFC 6750 section 3, RFC 9728
//! section 5.1): `error`, `scope` and `resource_metadata`.

/// The longest header parsed; the rest is ignored.
const MAX_HEADER: usize = 8 * 1024;

/// The parameters of a `Bearer` challenge.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BearerChallenge {
    pub(crate) error: Option<String>,
    pub(crate) scope: Option<String>,
    pub(crate) resource_metadata: Option<String>,
}

impl BearerChallenge {
    /// The `Bearer` challenge of `header` (an empty one when there is none).
    pub(crate) fn parse(header: &str) -> Self {
        let mut end = header.len().min(MAX_HEADER);
        while !header.is_char_boundary(end) {
            end -= 1;
        }
        let mut out = BearerChallenge::default();
        let mut in_bearer = false;
        for (name, value) in items(&header[..end]) {
            match value {
                None => in_bearer = name.eq_ignore_ascii_case("bearer"),
                Some(v) if in_bearer => match name.to_ascii_lowercase().as_str() {
                    "error" => out.error = Some(v),
                    "scope" => out.scope = Some(v),
                    "resource_metadata" => out.resource_metadata = Some(v),
                    _ => {}
                },
                Some(_) => {}
            }
        }
        out
    }
}

/// The items of a challenge list: a scheme (`(name, None)`) or a parameter
/// (`(name, Some(value))`), quoted strings unescaped.
fn items(s: &str) -> Vec<(String, Option<String>)> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    let token = |c: u8| !c.is_ascii_whitespace() && !matches!(c, b',' | b'=' | b'"');
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < b.len() && token(b[i]) {
            i += 1;
        }
        if start == i {
            i += 1; // a stray '=' or '"'
            continue;
        }
        let name = s[start..i].to_owned();
        let mut j = i;
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if j < b.len() && b[j] == b'=' {
            j += 1;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            let mut value = String::new();
            if j < b.len() && b[j] == b'"' {
                j += 1;
                let mut chars = s[j..].char_indices();
                let mut closed = s.len();
                while let Some((k, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                value.push(n);
                            }
                        }
                        '"' => {
                            closed = j + k + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                i = closed;
            } else {
                let vs = j;
                while j < b.len() && b[j] != b',' && !b[j].is_ascii_whitespace() {
                    j += 1;
                }
                value.push_str(&s[vs..j]);
                i = j;
            }
            out.push((name, Some(value)));
        } else {
            // token68 after a scheme (e.g. `Basic abc==`) is skipped with the scheme.
            out.push((name, None));
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_parameters_are_read_and_other_schemes_ignored() {
        let c = BearerChallenge::parse(
            r#"Basic realm="x", Bearer error="insufficient_scope", scope="a b", resource_metadata="http://h/.well-known/oauth-protected-resource/mcp", error_description="say \"hi\"""#,
        );
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(c.scope.as_deref(), Some("a b"));
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("http://h/.well-known/oauth-protected-resource/mcp")
        );
        let c = BearerChallenge::parse(r#"Basic realm="r", scope="nope""#);
        assert_eq!(c, BearerChallenge::default());
        let c = BearerChallenge::parse("bearer error=invalid_token,scope=x");
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        assert_eq!(c.scope.as_deref(), Some("x"));
        // Broken input never panics.
        for s in [
            "Bearer scope=\"unterminated",
            "=,\"\"=",
            "Bearer é=\"ü\\",
            "",
        ] {
            let _ = BearerChallenge::parse(s);
        }
    }
}
