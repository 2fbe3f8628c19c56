//! The crate's arrows point one way: no source file uses (`use crate::..`, `super::..`, or
//! an inline `crate::a::b` path) a file that uses it back, directly or through others.
//! Module declarations (`mod x;`) are not uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a file (`tasks/mod.rs` -> `tasks`, `tasks/core.rs` -> `tasks::core`).
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// The file that defines the longest prefix of module path `path`.
fn file_of(path: &[String]) -> Option<PathBuf> {
    for n in (0..=path.len()).rev() {
        let base = path[..n].iter().fold(src(), |p, s| p.join(s));
        let candidates = if n == 0 {
            vec![src().join("lib.rs")]
        } else {
            vec![base.with_extension("rs"), base.join("mod.rs")]
        };
        if let Some(f) = candidates.into_iter().find(|c| c.is_file()) {
            return Some(f);
        }
    }
    None
}

/// The code of a file without comments and its `#[cfg(test)]` module (tests may use
/// anything).
fn code(text: &str) -> String {
    let body = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    body.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expand `a::{b, c::{d, e}}` into its leaf paths.
fn expand(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.to_owned()];
    };
    let prefix = tree[..open].trim_end_matches("::").to_owned();
    let inner = &tree[open + 1..tree.rfind('}').unwrap()];
    let (mut depth, mut start, mut out) = (0, 0, vec![]);
    let mut push = |part: &str| {
        for leaf in expand(part) {
            if !leaf.is_empty() {
                out.push(format!("{prefix}::{leaf}"));
            }
        }
    };
    for (i, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&inner[start..]);
    out
}

/// Every path of the crate a file's code mentions, as a module path from the crate root.
fn used_paths(file: &Path, code: &str) -> Vec<Vec<String>> {
    let me = module_of(file);
    let mut raw = vec![];
    for stmt in code.split(';') {
        let s = stmt.trim();
        let s = s.strip_prefix("pub(crate) ").unwrap_or(s);
        let s = s.strip_prefix("pub ").unwrap_or(s);
        if let Some(tree) = s.strip_prefix("use ") {
            raw.extend(expand(tree));
        }
    }
    // Inline paths outside `use` statements.
    let bytes = code.as_bytes();
    for (i, _) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        let before = if i > 0 { bytes[i - 1] } else { b' ' };
        if before.is_ascii_alphanumeric() || before == b'_' || before == b':' {
            continue;
        }
        let end = code[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .map_or(code.len(), |e| i + e);
        raw.push(code[i..end].trim_end_matches(':').to_owned());
    }
    raw.into_iter()
        .filter_map(|p| {
            let p = p.split(" as ").next().unwrap().trim().to_owned();
            let mut segs: Vec<String> = p.split("::").map(str::to_owned).collect();
            let mut base = match segs.first().map(String::as_str) {
                Some("crate") => vec![],
                // `super` of module `a::b` (`a/b.rs` or `a/b/mod.rs`) is `a`.
                Some("super") => me[..me.len().saturating_sub(1)].to_vec(),
                Some("self") => me.clone(),
                _ => return None,
            };
            segs.remove(0);
            while segs.first().map(String::as_str) == Some("super") {
                segs.remove(0);
                base.pop();
            }
            base.extend(segs.into_iter().filter(|s| s != "self" && s != "*"));
            Some(base)
        })
        .collect()
}

#[test]
fn no_file_uses_a_file_that_uses_it_back() {
    let mut all = vec![];
    files(&src(), &mut all);
    let mut graph: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for f in &all {
        let text = std::fs::read_to_string(f).unwrap();
        let deps = graph.entry(f.clone()).or_default();
        for path in used_paths(f, &code(&text)) {
            if let Some(target) = file_of(&path) {
                if &target != f {
                    deps.insert(target);
                }
            }
        }
    }
    // Depth-first search for a cycle.
    fn visit(
        n: &PathBuf,
        g: &BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        stack: &mut Vec<PathBuf>,
        done: &mut BTreeSet<PathBuf>,
    ) -> Option<Vec<PathBuf>> {
        if let Some(i) = stack.iter().position(|s| s == n) {
            return Some(stack[i..].to_vec());
        }
        if done.contains(n) {
            return None;
        }
        stack.push(n.clone());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(d, g, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        done.insert(n.clone());
        None
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        if let Some(cycle) = visit(n, &graph, &mut vec![], &mut done) {
            let names: Vec<_> = cycle
                .iter()
                .map(|p| p.strip_prefix(src()).unwrap().display().to_string())
                .collect();
            panic!(
                "the files use each other in a cycle: {}",
                names.join(" -> ")
            );
        }
    }
    assert!(graph.len() > 30, "the crate's files were read");
}

#[test]
fn the_expander_reads_nested_groups() {
    assert_eq!(
        expand("crate::a::{b, c::{d, e}, self}"),
        [
            "crate::a::b",
            "crate::a::c::d",
            "crate::a::c::e",
            "crate::a::self"
        ]
    );
}
