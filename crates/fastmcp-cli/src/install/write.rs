//! Reading the old file, showing the change as a diff, and writing the new one atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{CliError, CliResult};

/// The file to edit: a symbolic link is followed, so that a dotfile manager's link stays
/// a link and its target is updated.
pub fn resolve(path: &Path) -> PathBuf {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
        }
        _ => path.to_owned(),
    }
}

/// The text of the file, or None when it does not exist.
pub fn read(path: &Path) -> CliResult<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|_| {
            CliError::usage(format!(
                "{} is not UTF-8 text; it was left untouched",
                path.display()
            ))
            .hint("write to another file with --config-path FILE")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(
            CliError::failed(format!("cannot read {}: {e}", path.display()))
                .hint("check the file's permissions, or use --config-path FILE"),
        ),
    }
}

/// A unified diff from `old` (None: no file) to `new`.
pub fn diff(path: &Path, old: Option<&str>, new: &str) -> String {
    let shown = path.display().to_string();
    let from = if old.is_some() {
        shown.as_str()
    } else {
        "/dev/null"
    };
    similar::TextDiff::from_lines(old.unwrap_or(""), new)
        .unified_diff()
        .context_radius(3)
        .header(from, &shown)
        .to_string()
}

/// Write `text` to `path` atomically: a temporary file in the same directory (created
/// with its parents when missing), flushed, then renamed over the old one, whose
/// permissions it keeps.
pub fn atomic_write(path: &Path, text: &str) -> CliResult<()> {
    let fail = |what: &str, e: std::io::Error| {
        CliError::failed(format!("cannot {what} {}: {e}", path.display()))
            .hint("check the directory's permissions, or use --config-path FILE")
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| fail("create the directory of", e))?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(
        ".{}.fastmcp-{}.tmp",
        file_name.unwrap_or_default(),
        std::process::id()
    ));
    let result = write_then_rename(&tmp, path, text);
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(|e| fail("write", e))
}

fn write_then_rename(tmp: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::File::create(tmp)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    drop(f);
    if let Ok(m) = std::fs::metadata(path) {
        std::fs::set_permissions(tmp, m.permissions())?;
    }
    std::fs::rename(tmp, path)
}
