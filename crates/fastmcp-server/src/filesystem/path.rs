//! The one way from a URI's path to a file under the served root: refused when it could
//! leave the root (`..`, `.`, an absolute path, a drive, a backslash, a NUL, bad
//! percent-encoding), or when the file it names, symlinks resolved, is not inside it.

use std::path::{Component, Path, PathBuf};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, CONTROLS};

/// Why a path is not served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refused {
    /// It could name something outside the root (or is not a path at all).
    Unsafe(&'static str),
    /// It leaves the root once symlinks are resolved.
    Escapes,
    /// Nothing there (or it cannot be read).
    NotFound,
}

impl Refused {
    /// The error a client gets for `uri`.
    pub(crate) fn error(&self, uri: &str) -> fastmcp_core::Error {
        match self {
            Refused::Unsafe(why) => fastmcp_core::Error::invalid_params(format!(
                "{uri}: not a path under the served directory ({why})"
            )),
            Refused::Escapes => {
                fastmcp_core::Error::invalid_params(format!("{uri}: leaves the served directory"))
            }
            Refused::NotFound => fastmcp_core::Error::resource_not_found(uri),
        }
    }
}

/// `root` made canonical, checked to be a directory: the root of what is served.
pub(crate) fn served_root(root: &Path) -> Result<PathBuf, fastmcp_core::Error> {
    let shown = root.display();
    let real = std::fs::canonicalize(root)
        .map_err(|e| fastmcp_core::Error::invalid_params(format!("cannot serve {shown}: {e}")))?;
    if !real.is_dir() {
        return Err(fastmcp_core::Error::invalid_params(format!(
            "{shown} is not a directory"
        )));
    }
    Ok(real)
}

/// The relative path `rel` (percent-encoded, `/`-separated) as checked components.
pub(crate) fn components(rel: &str) -> Result<Vec<String>, Refused> {
    let decoded = percent_decode_str(rel)
        .decode_utf8()
        .map_err(|_| Refused::Unsafe("not UTF-8"))?;
    if decoded.contains('\0') {
        return Err(Refused::Unsafe("a NUL byte"));
    }
    if decoded.contains('\\') {
        return Err(Refused::Unsafe("a backslash"));
    }
    if decoded.starts_with('/') {
        return Err(Refused::Unsafe("an absolute path"));
    }
    let mut out = vec![];
    for (i, part) in decoded.split('/').enumerate() {
        match part {
            // `dir/` names the directory; `a//b` is not a path.
            "" if i > 0 && decoded.ends_with('/') && out.len() == i => continue,
            "" if decoded.is_empty() => continue,
            "" => return Err(Refused::Unsafe("an empty path segment")),
            "." | ".." => return Err(Refused::Unsafe("a `.` or `..` segment")),
            p if p.contains(':') => return Err(Refused::Unsafe("a `:` (a drive or stream)")),
            p => {
                // Whatever the platform makes of it, it must be one plain name.
                let mut c = Path::new(p).components();
                match (c.next(), c.next()) {
                    (Some(Component::Normal(_)), None) => out.push(p.to_owned()),
                    _ => return Err(Refused::Unsafe("not a plain name")),
                }
            }
        }
    }
    Ok(out)
}

/// The file or directory `rel` names under `root` (canonical), symlinks resolved, checked
/// to be inside `root`.
pub(crate) fn resolve(root: &Path, rel: &str) -> Result<PathBuf, Refused> {
    let mut path = root.to_path_buf();
    path.extend(components(rel)?);
    let real = std::fs::canonicalize(&path).map_err(|_| Refused::NotFound)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(Refused::Escapes)
    }
}

/// What a URI's path may hold as it is: unreserved characters and `/`.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'[')
    .add(b']')
    .add(b'^')
    .add(b'|')
    .add(b'\\');

/// The URI path of `path` (a file under `root`), percent-encoded; `None` for a path
/// outside the root or not UTF-8.
pub(crate) fn uri_path(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut parts = vec![];
    for c in rel.components() {
        match c {
            Component::Normal(p) => {
                parts.push(utf8_percent_encode(p.to_str()?, SEGMENT).to_string())
            }
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_paths_are_refused() {
        for bad in [
            "../etc/passwd",
            "a/../../etc",
            "%2e%2e/etc/passwd",
            "%2E%2E%2Fetc",
            "./a",
            "/etc/passwd",
            "%2fetc/passwd",
            "a\\..\\..\\b",
            "a%5c..%5cb",
            "a%00b",
            "C:/Windows",
            "a//b",
            "%ff",
        ] {
            assert!(components(bad).is_err(), "{bad} accepted");
        }
        assert_eq!(components("a/b%20c.txt").unwrap(), ["a", "b c.txt"]);
        assert_eq!(components("dir/").unwrap(), ["dir"]);
        assert!(components("").unwrap().is_empty(), "the root itself");
    }

    #[test]
    fn uri_paths_are_encoded_and_decode_back() {
        let root = Path::new("/srv/docs");
        let p = uri_path(root, Path::new("/srv/docs/a b/c#1.md")).unwrap();
        assert_eq!(p, "a%20b/c%231.md");
        assert_eq!(components(&p).unwrap(), ["a b", "c#1.md"]);
        assert_eq!(uri_path(root, Path::new("/srv/other")), None);
    }
}
