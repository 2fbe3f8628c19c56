//! Skills (SEP-2640, the `io.modelcontextprotocol/skills` extension; feature `skills`).
//!
//! [`SkillsProvider`] serves a directory of skills: each folder with a `SKILL.md` (YAML
//! front matter with at least `name` and `description`, then instructions) and the files
//! beside it. It is an [`Extension`]: add it with [`crate::Server::extension`]. Clients
//! get:
//!
//! - `skills/list` and `skills/get`: each skill's entry (`uri` of its `SKILL.md`, its
//!   `frontmatter` as JSON, and `resources`: every file with its `sha256:` digest and size,
//!   so a host can check what it reads);
//! - `resources/read` of `skill://<skill-path>/<file>`; each `SKILL.md` is listed by
//!   `resources/list` (type `text/markdown`, named and described by its front matter);
//! - `resources/directory/read` of a skill's directory or a folder within it
//!   (sub-folders typed `inode/directory`), declared as `directoryRead: true`.
//!
//! The directory is read again on each request (digests are kept while a file's size and
//! modification time hold), so skills added, edited or removed are served at once. What
//! cannot be served is left out with a warning: a folder not named after its skill's
//! `name`, a name against the Agent Skills rules, a skill over 512 files or 16 MiB. Paths
//! are checked as for [`crate::FilesystemProvider`]: nothing outside a skill is read.
//!
//! ```no_run
//! use fastmcp_server::{Server, SkillsProvider};
//!
//! # async fn run() -> Result<(), fastmcp_core::Error> {
//! Server::new("skills", "1.0.0")
//!     .extension(SkillsProvider::new("./skills")?)
//!     .run_stdio()
//!     .await
//! # }
//! ```

mod frontmatter;
mod methods;
mod scan;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error, ResourceHandler};
use fastmcp_protocol::{CacheScope, JsonObject, Resource};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::extensions::Extension;
use crate::filesystem::FileResource;
use crate::provider::{Kinds, Page, Provider, ResourceTarget};
use scan::{Digests, Skill};

/// The extension's identifier.
pub const SKILLS_EXTENSION: &str = "io.modelcontextprotocol/skills";

/// A directory of skills. See the module docs of `fastmcp_server::skills`.
#[derive(Clone)]
pub struct SkillsProvider {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    digests: Digests,
    ttl_ms: u64,
    cache_scope: CacheScope,
}

impl SkillsProvider {
    /// Serve the skills under `root` (it must be a directory).
    pub fn new(root: impl AsRef<Path>) -> Result<Self, Error> {
        let root = crate::filesystem::path::served_root(root.as_ref())?;
        Ok(SkillsProvider {
            inner: Arc::new(Inner {
                root,
                digests: Digests::default(),
                ttl_ms: 0,
                cache_scope: CacheScope::Private,
            }),
        })
    }

    /// The skills now, read from the directory.
    async fn skills(&self) -> Result<Vec<Skill>, Error> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || scan::skills(&inner.root, &inner.digests))
            .await
            .map_err(|e| Error::internal(e.to_string()))
    }
}

impl Extension for SkillsProvider {
    fn id(&self) -> &str {
        SKILLS_EXTENSION
    }

    fn settings(&self) -> JsonObject {
        let mut s = JsonObject::new();
        s.insert("directoryRead".into(), Value::Bool(true));
        s
    }

    fn methods(&self) -> Vec<String> {
        ["skills/list", "skills/get", "resources/directory/read"]
            .map(String::from)
            .to_vec()
    }

    fn handle(
        &self,
        ctx: Context,
        method: String,
        params: Option<Box<RawValue>>,
    ) -> BoxFuture<'static, Result<Value, Error>> {
        let this = self.clone();
        Box::pin(async move {
            let skills = this.skills().await?;
            let p: Value = match params {
                Some(p) => serde_json::from_str(p.get())
                    .map_err(|e| Error::invalid_params(format!("Invalid params: {e}")))?,
                None => Value::Object(Default::default()),
            };
            let stateless =
                ctx.protocol_version() >= Some(fastmcp_protocol::ProtocolVersion::V2026_07_28);
            let cache = stateless.then_some((this.inner.ttl_ms, this.inner.cache_scope));
            match method.as_str() {
                "skills/list" => methods::list(&skills, &p, cache),
                "skills/get" => methods::get(&skills, &p, cache),
                _ => methods::directory(&skills, &p).await,
            }
        })
    }

    fn provider(&self) -> Option<Arc<dyn Provider>> {
        Some(Arc::new(SkillFiles(self.clone())))
    }
}

/// The skills' files as resources.
struct SkillFiles(SkillsProvider);

impl Provider for SkillFiles {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // no tools
    }

    fn kinds(&self) -> Kinds {
        Kinds {
            resources: true,
            ..Kinds::default()
        }
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move {
            let skills = self.0.skills().await?;
            let listed = skills.iter().map(|s| {
                let mut def =
                    Resource::new(s.uri(), s.frontmatter["name"].as_str().unwrap_or_default());
                def.description = s.frontmatter["description"].as_str().map(str::to_owned);
                def.mime_type = Some("text/markdown".into());
                def.size = s.files.first().and_then(|f| f["size"].as_u64());
                let r = FileResource::listed(
                    def,
                    s.dir.join("SKILL.md"),
                    s.dir.clone(),
                    scan::MAX_BYTES,
                );
                Arc::new(r) as Arc<dyn ResourceHandler>
            });
            Ok(Page::all(listed.collect()))
        })
    }

    fn resolve_resource<'a>(
        &'a self,
        uri: &'a str,
    ) -> BoxFuture<'a, Result<Option<ResourceTarget>, Error>> {
        Box::pin(async move {
            if !uri.starts_with("skill://") {
                return Ok(None);
            }
            let skills = self.0.skills().await?;
            let Some((skill, rel)) = methods::within(&skills, uri) else {
                return Ok(None);
            };
            // Hidden files are not part of a skill.
            let parts = crate::filesystem::path::components(rel).map_err(|r| r.error(uri))?;
            if parts.iter().any(|p| p.starts_with('.')) {
                return Ok(None);
            }
            let (dir, rel_owned) = (skill.dir.clone(), rel.to_owned());
            let path = tokio::task::spawn_blocking(move || {
                crate::filesystem::path::resolve(&dir, &rel_owned)
            })
            .await
            .map_err(|e| Error::internal(e.to_string()))?
            .map_err(|r| r.error(uri))?;
            if !path.is_file() {
                return Ok(None);
            }
            let mut def = Resource::new(uri, rel);
            def.mime_type = fastmcp_core::guess_mime(&path);
            let r = FileResource::listed(def, path, skill.dir.clone(), scan::MAX_BYTES);
            Ok(Some(ResourceTarget::Static(Arc::new(r))))
        })
    }
}
