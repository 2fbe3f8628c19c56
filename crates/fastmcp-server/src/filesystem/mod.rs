//! A directory served as resources (feature `filesystem`).
//!
//! [`FilesystemProvider`] lists every file under a root as a resource (URI: a prefix, by
//! default `file:///`, then the path relative to the root; the root's own location is
//! never shown), offers the template `{prefix}{+path}` for the rest (a directory's URI, with
//! a trailing `/`, reads as a JSON listing), and with [`FilesystemProvider::watch`] tells
//! clients when files appear, go or change. Nothing outside the root is ever read: `..`,
//! `.`, absolute paths, drives, backslashes, NUL and bad percent-encoding are refused, and
//! a path whose symlinks lead out of the root is refused when it is read. Hidden files
//! (names starting with `.`) are neither listed nor read unless asked for.
//!
//! ```no_run
//! use fastmcp_server::{FilesystemProvider, Server};
//!
//! # async fn run() -> Result<(), fastmcp_core::Error> {
//! let docs = FilesystemProvider::new("./docs")?.uri_prefix("docs://")?.watch(true);
//! Server::new("docs", "1.0.0").provider(docs).run_stdio().await
//! # }
//! ```

pub(crate) mod path;
pub(crate) mod resource;
mod walk;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use fastmcp_core::{
    BoxFuture, Context, Error, ResourceHandler, ResourceTemplateHandler, TemplateVars,
};
use fastmcp_protocol::{ReadResourceResult, ResourceTemplate};

pub use resource::{DirectoryResource, FileResource};

use crate::changes::ChangeNotifier;
use crate::provider::{Kinds, Page, Provider, ResourceTarget, TemplateEntry};
use path::{components, resolve, uri_path, Refused};

/// What a filesystem provider serves, and how.
#[derive(Clone)]
pub(crate) struct FsConfig {
    /// The root, canonical.
    pub(crate) root: PathBuf,
    pub(crate) prefix: String,
    pub(crate) max_file_size: u64,
    pub(crate) max_files: usize,
    pub(crate) hidden: bool,
    watch: bool,
}

type Listing = Arc<Mutex<Option<Vec<Arc<dyn ResourceHandler>>>>>;

/// A directory served as resources. See the module docs of `fastmcp_server::filesystem`.
pub struct FilesystemProvider {
    cfg: Arc<FsConfig>,
    /// The last list, kept while the directory is watched (forgotten on a change).
    listing: Listing,
    template: OnceLock<Arc<TemplateEntry>>,
    watching: Mutex<Option<watch::Watching>>,
}

impl FilesystemProvider {
    /// Serve the directory `root` (it must exist).
    pub fn new(root: impl AsRef<Path>) -> Result<Self, Error> {
        let root = crate::filesystem::path::served_root(root.as_ref())?;
        Ok(FilesystemProvider {
            cfg: Arc::new(FsConfig {
                root,
                prefix: "file:///".into(),
                max_file_size: fastmcp_core::DEFAULT_MAX_FILE_SIZE,
                max_files: 10_000,
                hidden: false,
                watch: false,
            }),
            listing: Arc::default(),
            template: OnceLock::new(),
            watching: Mutex::new(None),
        })
    }

    fn cfg(&mut self) -> &mut FsConfig {
        Arc::make_mut(&mut self.cfg)
    }

    /// The URIs' prefix (default `file:///`): literal URI characters, no `{` or `}`.
    pub fn uri_prefix(mut self, prefix: &str) -> Result<Self, Error> {
        let bad = prefix.is_empty()
            || prefix.contains(['{', '}'])
            || crate::UriTemplate::parse(&format!("{prefix}{{+path}}")).is_err();
        if bad {
            return Err(Error::invalid_params(format!("bad URI prefix {prefix:?}")));
        }
        self.cfg().prefix = prefix.to_owned();
        Ok(self)
    }

    /// The largest file read (default 16 MiB; larger is an error).
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.cfg().max_file_size = bytes;
        self
    }

    /// The most files listed (default 10,000; the rest are still read by URI).
    pub fn max_files(mut self, n: usize) -> Self {
        self.cfg().max_files = n;
        self
    }

    /// List and read hidden files (names starting with `.`; default: no).
    pub fn hidden(mut self, on: bool) -> Self {
        self.cfg().hidden = on;
        self
    }

    /// Watch the directory for changes (default: no).
    pub fn watch(mut self, on: bool) -> Self {
        self.cfg().watch = on;
        self
    }

    fn template(&self) -> Result<Arc<TemplateEntry>, Error> {
        if let Some(t) = self.template.get() {
            return Ok(t.clone());
        }
        let mut t = ResourceTemplate::new(format!("{}{{+path}}", self.cfg.prefix), "files");
        t.description = Some("A file or, with a trailing /, a directory's listing.".into());
        let h = Arc::new(FsTemplate {
            def: t,
            cfg: self.cfg.clone(),
        });
        // The prefix was checked by `uri_prefix`: this parses.
        let entry = TemplateEntry::new(h).map_err(|e| Error::internal(e.to_string()))?;
        Ok(self.template.get_or_init(|| Arc::new(entry)).clone())
    }
}

/// The template of everything under the root.
struct FsTemplate {
    def: ResourceTemplate,
    cfg: Arc<FsConfig>,
}

impl ResourceTemplateHandler for FsTemplate {
    fn template(&self) -> &ResourceTemplate {
        &self.def
    }

    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
        _vars: TemplateVars,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move { serve(&self.cfg, &uri).await })
    }
}

/// Read `uri`: a file, or a directory's listing.
async fn serve(cfg: &FsConfig, uri: &str) -> Result<ReadResourceResult, Error> {
    let Some(rel) = uri.strip_prefix(&cfg.prefix) else {
        return Err(Refused::NotFound.error(uri));
    };
    let parts = components(rel).map_err(|r| r.error(uri))?;
    if !cfg.hidden && parts.iter().any(|p| p.starts_with('.')) {
        return Err(Refused::NotFound.error(uri));
    }
    let (root, rel_owned) = (cfg.root.clone(), rel.to_owned());
    let path = tokio::task::spawn_blocking(move || resolve(&root, &rel_owned))
        .await
        .map_err(|e| Error::internal(e.to_string()))?
        .map_err(|r| r.error(uri))?;
    if !path.is_dir() {
        return resource::read_file(&path, cfg.max_file_size, uri).await;
    }
    let here = uri_path(&cfg.root, &path).unwrap_or_default();
    let prefix = match here.as_str() {
        "" => cfg.prefix.clone(),
        h => format!("{}{h}/", cfg.prefix),
    };
    let (max, hidden) = (cfg.max_files, cfg.hidden);
    let listed =
        tokio::task::spawn_blocking(move || resource::entries(&path, &prefix, max, hidden))
            .await
            .map_err(|e| Error::internal(e.to_string()))?
            .map_err(|_| Refused::NotFound.error(uri))?;
    Ok(resource::listing_result(uri, listed))
}

impl Provider for FilesystemProvider {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // no tools
    }

    fn kinds(&self) -> Kinds {
        Kinds {
            resources: true,
            templates: true,
            ..Kinds::default()
        }
    }

    fn attach(&self, changes: &ChangeNotifier) {
        if !self.cfg.watch {
            return;
        }
        let listing = self.listing.clone();
        let forget = move || *listing.lock().unwrap_or_else(PoisonError::into_inner) = None;
        let (root, prefix) = (self.cfg.root.clone(), self.cfg.prefix.clone());
        match watch::start(root, prefix, changes.clone(), forget) {
            Ok(w) => *self.watching.lock().unwrap_or_else(PoisonError::into_inner) = Some(w),
            Err(e) => tracing::warn!("{}", e.message()),
        }
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move {
            if let Some(l) = &*self.listing.lock().unwrap_or_else(PoisonError::into_inner) {
                return Ok(Page::all(l.clone()));
            }
            let cfg = self.cfg.clone();
            let all = tokio::task::spawn_blocking(move || walk::files(&cfg))
                .await
                .map_err(|e| Error::internal(e.to_string()))?;
            if self
                .watching
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some()
            {
                *self.listing.lock().unwrap_or_else(PoisonError::into_inner) = Some(all.clone());
            }
            Ok(Page::all(all))
        })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move { Ok(Page::all(vec![self.template()?])) })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            if !uri.starts_with(&self.cfg.prefix) {
                return Ok(None);
            }
            let t = self.template()?;
            // Every URI under the prefix is the template's: refused or read there.
            Ok(Some(ResourceTarget::Template(t, TemplateVars::default())))
        })
    }

    fn get_template<'a>(
        &'a self,
        uri_template: &'a str,
    ) -> BoxFuture<'a, Result<Option<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move {
            let t = self.template()?;
            Ok((t.uri_template() == uri_template).then_some(t))
        })
    }
}
