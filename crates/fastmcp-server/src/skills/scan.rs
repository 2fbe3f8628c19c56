//! Finding the skills under a root: each directory that holds a `SKILL.md` is a skill
//! (its path under the root is its skill-path, whose last segment must be its
//! front matter's `name`); its files (hidden ones and symlinks out of it left out) are
//! listed with their SHA-256 digests and sizes. A skill over 512 files or 16 MiB, or
//! whose `SKILL.md` does not do, is left out with a warning.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::frontmatter;
use crate::filesystem::path::uri_path;

/// Most files of one skill.
pub(crate) const MAX_FILES: usize = 512;
/// Most bytes of one skill.
pub(crate) const MAX_BYTES: u64 = 16 << 20;
/// How deep skills are looked for, and files within a skill.
const MAX_DEPTH: usize = 8;

/// One skill.
#[derive(Debug, Clone)]
pub(crate) struct Skill {
    /// `skill://<skill-path>` (no trailing slash).
    pub(crate) base: String,
    /// Its directory, canonical.
    pub(crate) dir: PathBuf,
    pub(crate) frontmatter: Map<String, Value>,
    /// `{uri, digest, size}` of each file, `SKILL.md` first.
    pub(crate) files: Vec<Value>,
}

impl Skill {
    /// The URI of its `SKILL.md`.
    pub(crate) fn uri(&self) -> String {
        format!("{}/SKILL.md", self.base)
    }

    /// Its entry in `skills/list` and `skills/get`.
    pub(crate) fn entry(&self) -> Value {
        json!({ "uri": self.uri(), "frontmatter": self.frontmatter, "resources": self.files })
    }
}

/// Digests already computed, by path, valid while size and modification time hold.
#[derive(Default)]
pub(crate) struct Digests(Mutex<HashMap<PathBuf, (u64, SystemTime, String)>>);

impl Digests {
    fn of(&self, path: &Path, data_len: u64, modified: SystemTime) -> Option<String> {
        let m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match m.get(path) {
            Some((len, at, d)) if *len == data_len && *at == modified => Some(d.clone()),
            _ => None,
        }
    }

    fn keep(&self, path: PathBuf, len: u64, modified: SystemTime, digest: String) {
        let mut m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        m.insert(path, (len, modified, digest));
    }
}

/// Every skill under `root` (canonical), sorted by URI.
pub(crate) fn skills(root: &Path, digests: &Digests) -> Vec<Skill> {
    let mut out = vec![];
    find(root, root, 0, digests, &mut out);
    out.sort_by(|a, b| a.base.cmp(&b.base));
    out
}

fn visible_entries(dir: &Path) -> Vec<std::fs::DirEntry> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return vec![];
    };
    let mut v: Vec<_> = read
        .filter_map(Result::ok)
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    v.sort_by_key(|e| e.file_name());
    v
}

fn find(root: &Path, dir: &Path, depth: usize, digests: &Digests, out: &mut Vec<Skill>) {
    if dir != root && dir.join("SKILL.md").is_file() {
        match skill(root, dir, digests) {
            Ok(s) => out.push(s),
            Err(why) => tracing::warn!("skill {} left out: {why}", dir.display()),
        }
        return;
    }
    if depth >= MAX_DEPTH {
        return;
    }
    for e in visible_entries(dir) {
        let path = e.path();
        match std::fs::canonicalize(&path) {
            Ok(real) if real.starts_with(root) && real.is_dir() => {
                find(root, &path, depth + 1, digests, out)
            }
            _ => {}
        }
    }
}

fn skill(root: &Path, dir: &Path, digests: &Digests) -> Result<Skill, String> {
    let path = uri_path(root, dir).ok_or("its path is not UTF-8")?;
    let base = format!("skill://{path}");
    let text = std::fs::read_to_string(dir.join("SKILL.md")).map_err(|e| e.to_string())?;
    let fm = frontmatter::parse(&text)?;
    let name = fm["name"].as_str().unwrap_or_default();
    let last = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    if last.as_deref() != Some(name) || !frontmatter::valid_name(name) {
        return Err(format!(
            "its directory must be named after its front matter's name ({name:?}), which must \
             be 1-64 lowercase letters, digits and single hyphens"
        ));
    }
    let real = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let mut files = vec![];
    let mut total = 0;
    collect(&real, &real, &base, 0, digests, &mut files, &mut total)?;
    // SKILL.md first.
    let own = format!("{base}/SKILL.md");
    files.sort_by_key(|f: &Value| f["uri"] != own.as_str());
    Ok(Skill {
        base,
        dir: real,
        frontmatter: fm,
        files,
    })
}

fn collect(
    skill: &Path,
    dir: &Path,
    base: &str,
    depth: usize,
    digests: &Digests,
    files: &mut Vec<Value>,
    total: &mut u64,
) -> Result<(), String> {
    if depth >= MAX_DEPTH {
        return Ok(());
    }
    for e in visible_entries(dir) {
        let path = e.path();
        let Ok(real) = std::fs::canonicalize(&path) else {
            continue;
        };
        if !real.starts_with(skill) {
            continue;
        }
        if real.is_dir() {
            collect(skill, &path, base, depth + 1, digests, files, total)?;
            continue;
        }
        let Some(rel) = uri_path(skill, &path) else {
            continue;
        };
        let meta = std::fs::metadata(&real).map_err(|e| e.to_string())?;
        *total += meta.len();
        if files.len() >= MAX_FILES || *total > MAX_BYTES {
            return Err(format!("more than {MAX_FILES} files or {MAX_BYTES} bytes"));
        }
        let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let digest = match digests.of(&real, meta.len(), modified) {
            Some(d) => d,
            None => {
                let data = std::fs::read(&real).map_err(|e| e.to_string())?;
                let d = format!("sha256:{:x}", Sha256::digest(&data));
                digests.keep(real.clone(), meta.len(), modified, d.clone());
                d
            }
        };
        files.push(json!({ "uri": format!("{base}/{rel}"), "digest": digest, "size": meta.len() }));
    }
    Ok(())
}
