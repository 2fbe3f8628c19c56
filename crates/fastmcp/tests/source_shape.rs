//! Files of one concept each: no source file of the workspace has more than 600 lines of
//! non-test code, and no function is longer than 80 lines (the style of
//! ARCHITECTURE.md). Test code (`tests/`, `#[cfg(test)]` modules) is not counted, nor the
//! templates of generated code inside `quote!` in the macros.

use std::path::{Path, PathBuf};

use syn::spanned::Spanned;
use syn::visit::Visit;

const MAX_FILE_LINES: usize = 600;
const MAX_FN_LINES: usize = 80;

/// Problems known and being fixed (each entry must still be a problem: the test fails when
/// one is fixed and still listed). Empty when the workspace is in shape.
const PENDING: &[&str] = &[];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The library and binary sources of every package (not their tests).
fn sources() -> Vec<PathBuf> {
    let mut dirs = vec![];
    for group in ["crates", "."] {
        let Ok(entries) = std::fs::read_dir(repo().join(group)) else {
            continue;
        };
        for e in entries.flatten() {
            let src = e.path().join("src");
            if e.path().join("Cargo.toml").is_file() && src.is_dir() {
                dirs.push(src);
            }
        }
    }
    let mut files = vec![];
    for d in dirs {
        rust_files(&d, &mut files);
    }
    files.sort();
    files.dedup();
    files
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

fn lines_of(span: proc_macro2::Span) -> usize {
    span.end().line + 1 - span.start().line
}

/// The lines of `quote!` templates (generated code) in a function.
struct Templates(usize);

impl<'ast> Visit<'ast> for Templates {
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m.path.segments.last().map(|s| s.ident.to_string());
        if matches!(name.as_deref(), Some("quote" | "quote_spanned")) {
            self.0 += lines_of(m.span()).saturating_sub(1);
        }
    }
}

#[derive(Default)]
struct Shape {
    test_lines: usize,
    long_fns: Vec<(String, usize)>,
}

impl Shape {
    fn check_fn(&mut self, name: String, attrs: &[syn::Attribute], body: &syn::Block) {
        let span = body.span();
        if is_cfg_test(attrs) {
            self.test_lines += lines_of(span);
            return;
        }
        let mut templates = Templates(0);
        templates.visit_block(body);
        let n = lines_of(span) - templates.0;
        if n > MAX_FN_LINES {
            self.long_fns.push((name, n));
        }
    }
}

impl<'ast> Visit<'ast> for Shape {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if is_cfg_test(&m.attrs) {
            self.test_lines += lines_of(m.span());
            return;
        }
        syn::visit::visit_item_mod(self, m);
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.check_fn(f.sig.ident.to_string(), &f.attrs, &f.block);
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.check_fn(f.sig.ident.to_string(), &f.attrs, &f.block);
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(b) = &f.default {
            self.check_fn(f.sig.ident.to_string(), &f.attrs, b);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

#[test]
fn files_and_functions_stay_small() {
    let files = sources();
    assert!(files.len() > 50, "the sources were found: {}", files.len());
    let mut problems = vec![];
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let ast = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let mut shape = Shape::default();
        shape.visit_file(&ast);
        let name = f.strip_prefix(repo()).unwrap_or(f).display().to_string();
        let code_lines = text.lines().count().saturating_sub(shape.test_lines);
        if code_lines > MAX_FILE_LINES {
            problems.push(format!("{name}: {code_lines} lines of non-test code"));
        }
        for (func, n) in shape.long_fns {
            problems.push(format!("{name}: fn {func} has {n} lines"));
        }
    }
    for p in PENDING {
        assert!(
            problems.iter().any(|x| x.starts_with(p)),
            "{p} is in shape now: take it off PENDING"
        );
    }
    problems.retain(|x| !PENDING.iter().any(|p| x.starts_with(p)));
    assert!(
        problems.is_empty(),
        "over {MAX_FILE_LINES} lines a file or {MAX_FN_LINES} a function:\n{}",
        problems.join("\n")
    );
}
