//! A file and a directory as resources: the file's bytes with its MIME type, the
//! directory's entries as JSON. Usable alone ([`FileResource`], [`DirectoryResource`]) or
//! as what a [`super::FilesystemProvider`] lists.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, File, IntoResourceResult, ResourceHandler};
use fastmcp_protocol::{ReadResourceResult, Resource, ResourceContents};
use serde_json::json;

use super::path::{uri_path, Refused};

/// A file served as a resource: read when the resource is read (at most `max` bytes), its
/// type from its extension, else its bytes; text when it is UTF-8 text, else a blob.
///
/// ```
/// use fastmcp_server::{FileResource, Server};
///
/// let server = Server::new("docs", "1.0.0")
///     .resource(FileResource::new("docs://readme", "README.md"));
/// # let _ = server;
/// ```
pub struct FileResource {
    def: Resource,
    path: PathBuf,
    /// Read only while the file, symlinks resolved, is still under this directory.
    within: Option<PathBuf>,
    max: u64,
}

impl FileResource {
    /// The file at `path` as the resource `uri` (named after the file).
    pub fn new(uri: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let mut def = Resource::new(uri, name);
        def.mime_type = fastmcp_core::guess_mime(&path);
        FileResource {
            def,
            path,
            within: None,
            max: fastmcp_core::DEFAULT_MAX_FILE_SIZE,
        }
    }

    /// Refuse to read a file larger than `bytes` (default 16 MiB).
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max = bytes;
        self
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    pub(crate) fn listed(def: Resource, path: PathBuf, root: PathBuf, max: u64) -> Self {
        FileResource {
            def,
            path,
            within: Some(root),
            max,
        }
    }
}

impl ResourceHandler for FileResource {
    fn resource(&self) -> &Resource {
        &self.def
    }

    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let path = match &self.within {
                // Checked again: the file may have become a symlink since it was listed.
                Some(root) => match tokio::fs::canonicalize(&self.path).await {
                    Ok(real) if real.starts_with(root) => real,
                    Ok(_) => return Err(Refused::Escapes.error(&uri)),
                    Err(_) => return Err(Refused::NotFound.error(&uri)),
                },
                None => self.path.clone(),
            };
            read_file(&path, self.max, &uri).await
        })
    }
}

/// Read the file at `path` as the contents of `uri`.
pub(crate) async fn read_file(
    path: &Path,
    max: u64,
    uri: &str,
) -> Result<ReadResourceResult, Error> {
    match tokio::fs::metadata(path).await {
        Ok(m) if m.is_file() => {}
        _ => return Err(Refused::NotFound.error(uri)),
    }
    let f = File::read_at_most(path, max)
        .await
        .map_err(|e| Error::invalid_params(e.message().to_owned()))?;
    f.into_resource_result(uri, None)
}

/// A directory served as a resource: its entries (name, URI, kind, size, MIME type) as a
/// JSON document `{"entries": [...]}`, at most `max_entries` of them.
///
/// ```
/// use fastmcp_server::{DirectoryResource, Server};
///
/// let server = Server::new("docs", "1.0.0")
///     .resource(DirectoryResource::new("docs://all", "docs", "docs://file/"));
/// # let _ = server;
/// ```
pub struct DirectoryResource {
    def: Resource,
    path: PathBuf,
    /// Each entry's URI is this followed by its name.
    entry_prefix: String,
    max_entries: usize,
}

impl DirectoryResource {
    /// The directory at `path` as the resource `uri`; each entry's URI is `entry_prefix`
    /// followed by its (percent-encoded) name.
    pub fn new(uri: impl Into<String>, path: impl Into<PathBuf>, entry_prefix: &str) -> Self {
        let path = path.into();
        let mut def = Resource::new(uri, path.display().to_string());
        def.mime_type = Some("application/json".into());
        DirectoryResource {
            def,
            path,
            entry_prefix: entry_prefix.to_owned(),
            max_entries: 10_000,
        }
    }
}

impl ResourceHandler for DirectoryResource {
    fn resource(&self) -> &Resource {
        &self.def
    }

    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let dir = self.path.clone();
            let prefix = self.entry_prefix.clone();
            let max = self.max_entries;
            let listing = tokio::task::spawn_blocking(move || entries(&dir, &prefix, max, false))
                .await
                .map_err(|e| Error::internal(e.to_string()))?
                .map_err(|_| Refused::NotFound.error(&uri))?;
            Ok(listing_result(&uri, listing))
        })
    }
}

/// The JSON contents of a directory listing at `uri`.
pub(crate) fn listing_result(uri: &str, entries: Vec<serde_json::Value>) -> ReadResourceResult {
    let text = json!({ "entries": entries }).to_string();
    ReadResourceResult {
        contents: vec![ResourceContents::text(uri, "application/json", text)],
        ..Default::default()
    }
}

/// The entries of `dir` (sorted by name, at most `max`; hidden ones only with `hidden`),
/// each with its URI under `prefix`.
pub(crate) fn entries(
    dir: &Path,
    prefix: &str,
    max: usize,
    hidden: bool,
) -> std::io::Result<Vec<serde_json::Value>> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| hidden || !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    names.sort_by_key(|e| e.file_name());
    let mut out = vec![];
    for e in names.into_iter().take(max) {
        let path = e.path();
        let Some(rel) = uri_path(dir, &path) else {
            continue;
        };
        let meta = std::fs::metadata(&path).ok();
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        let mut entry = json!({
            "name": e.file_name().to_string_lossy(),
            "uri": format!("{prefix}{rel}{}", if is_dir { "/" } else { "" }),
            "type": if is_dir { "directory" } else { "file" },
        });
        if let (false, Some(m)) = (is_dir, &meta) {
            entry["size"] = json!(m.len());
            if let Some(t) = fastmcp_core::guess_mime(&path) {
                entry["mimeType"] = json!(t);
            }
        }
        out.push(entry);
    }
    Ok(out)
}

impl fastmcp_core::IntoResource for FileResource {
    fn into_resource(self) -> fastmcp_core::AnyResource {
        fastmcp_core::AnyResource::Static(Arc::new(self))
    }
}

impl fastmcp_core::IntoResource for DirectoryResource {
    fn into_resource(self) -> fastmcp_core::AnyResource {
        fastmcp_core::AnyResource::Static(Arc::new(self))
    }
}
