//! Listing the files under the root: depth-first, sorted by name, hidden ones left out
//! unless asked for, symlinks followed only while they stay under the root (and each
//! directory visited once), at most `max_files` files and 32 levels deep.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fastmcp_core::ResourceHandler;
use fastmcp_protocol::Resource;

use super::path::uri_path;
use super::resource::FileResource;
use super::FsConfig;

/// How deep the listing goes.
const MAX_DEPTH: usize = 32;

/// Every file under the root, as resources.
pub(crate) fn files(cfg: &FsConfig) -> Vec<Arc<dyn ResourceHandler>> {
    let mut out: Vec<Arc<dyn ResourceHandler>> = vec![];
    let mut seen = HashSet::new();
    seen.insert(cfg.root.clone());
    visit(cfg, &cfg.root, 0, &mut seen, &mut out);
    out
}

fn visit(
    cfg: &FsConfig,
    dir: &Path,
    depth: usize,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<Arc<dyn ResourceHandler>>,
) {
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = read
        .filter_map(Result::ok)
        .filter(|e| cfg.hidden || !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        if out.len() >= cfg.max_files {
            tracing::warn!(
                "{}: more than {} files; the rest are not listed",
                cfg.root.display(),
                cfg.max_files
            );
            return;
        }
        let path = e.path();
        let Ok(real) = std::fs::canonicalize(&path) else {
            continue;
        };
        if !real.starts_with(&cfg.root) {
            continue; // a symlink out of the root
        }
        if real.is_dir() {
            if depth + 1 < MAX_DEPTH && seen.insert(real) {
                visit(cfg, &path, depth + 1, seen, out);
            }
        } else if real.is_file() {
            if let Some(r) = listed(cfg, &path, real) {
                out.push(r);
            }
        }
    }
}

/// The resource of the file at `path` (in the tree) whose real path is `real`.
fn listed(cfg: &FsConfig, path: &Path, real: PathBuf) -> Option<Arc<dyn ResourceHandler>> {
    let rel = uri_path(&cfg.root, path)?;
    let name = path.strip_prefix(&cfg.root).ok()?.display().to_string();
    let mut def = Resource::new(format!("{}{rel}", cfg.prefix), name);
    def.mime_type = fastmcp_core::guess_mime(path);
    def.size = std::fs::metadata(&real).ok().map(|m| m.len());
    let r = FileResource::listed(def, path.to_path_buf(), cfg.root.clone(), cfg.max_file_size);
    Some(Arc::new(r))
}
