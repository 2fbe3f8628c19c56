//! An HTTP API described by an OpenAPI 3.0 or 3.1 document, served as MCP components.
//!
//! [`OpenApi`] reads the document (JSON or YAML; a string, a file or a URL), and
//! [`OpenApi::build`] makes an [`OpenApiProvider`]: each operation becomes a tool (named
//! by its `operationId`, described by its summary and description, its parameters and
//! JSON body merged into one input schema, `$ref`s resolved), or, by [`RouteMap`]s, a
//! resource or template (for `GET`s) or nothing. A call is forwarded with reqwest to the
//! base URL (the document's first server unless set), with the headers and timeout
//! given; path, query, header and cookie parameters are serialized by their `style` and
//! `explode`; a JSON answer becomes structured content, an HTTP error a tool error with
//! its status and body. [`HttpResource`] is one resource fetched from a URL.
//!
//! An OpenAPI server in ten lines:
//!
//! ```no_run
//! use fastmcp_openapi::OpenApi;
//! use fastmcp_server::Server;
//!
//! # async fn run() -> Result<(), fastmcp_core::Error> {
//! let api = OpenApi::from_url("http://127.0.0.1:8000/openapi.json")
//!     .await?
//!     .base_url("http://127.0.0.1:8000")
//!     .build()?;
//! Server::new("api", "1.0.0").provider(api).run_stdio().await
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod call;
mod components;
mod http_resource;
mod input;
mod params;
mod refs;
mod routes;
mod spec;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{BoxFuture, Error, ResourceHandler};
use fastmcp_server::{Kinds, Page, Provider, TemplateEntry, ToolEntry};
use serde_json::Value;

pub use http_resource::HttpResource;
pub use routes::{Kind, RouteMap};
pub use spec::Location;

use call::Http;
use components::{ApiResource, ApiTemplate, ApiTool};

/// Largest answer read from the API by default (16 MiB).
pub const DEFAULT_MAX_RESPONSE: usize = 16 << 20;
/// Largest document fetched from a URL (16 MiB).
const MAX_DOCUMENT: usize = 16 << 20;

/// An OpenAPI document and how to serve it; [`OpenApi::build`] makes the provider.
pub struct OpenApi {
    doc: Value,
    base_url: Option<String>,
    headers: Vec<(String, String)>,
    timeout: Duration,
    maps: Vec<RouteMap>,
    uri_prefix: String,
    max_response: usize,
}

impl OpenApi {
    /// A document, JSON or YAML.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let doc: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => serde_yaml_ng::from_str(text)
                .map_err(|e| Error::invalid_params(format!("not a JSON or YAML document: {e}")))?,
        };
        if !doc.is_object() {
            return Err(Error::invalid_params("an OpenAPI document is an object"));
        }
        Ok(OpenApi {
            doc,
            base_url: None,
            headers: vec![],
            timeout: Duration::from_secs(30),
            maps: vec![],
            uri_prefix: "openapi://".into(),
            max_response: DEFAULT_MAX_RESPONSE,
        })
    }

    /// A document from a file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, Error> {
        let p = path.as_ref();
        let text = std::fs::read_to_string(p)
            .map_err(|e| Error::invalid_params(format!("cannot read {}: {e}", p.display())))?;
        Self::parse(&text)
    }

    /// A document fetched from `url` (at most 16 MiB, within 30 seconds).
    pub async fn from_url(url: &str) -> Result<Self, Error> {
        let fail = |e: String| Error::invalid_params(format!("cannot fetch {url}: {e}"));
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let mut resp = client
            .get(url)
            .send()
            .await
            .map_err(|e| fail(e.to_string()))?;
        if !resp.status().is_success() {
            return Err(fail(format!("HTTP {}", resp.status())));
        }
        let mut body = vec![];
        while let Some(c) = resp.chunk().await.map_err(|e| fail(e.to_string()))? {
            if body.len() + c.len() > MAX_DOCUMENT {
                return Err(fail(format!("larger than {MAX_DOCUMENT} bytes")));
            }
            body.extend_from_slice(&c);
        }
        Self::parse(&String::from_utf8_lossy(&body))
    }

    /// Where calls go (default: the document's first server, when it is an absolute URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// A header sent with every call (an API key, say).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `Authorization: Bearer <token>` with every call.
    pub fn bearer_token(self, token: &str) -> Self {
        self.header("Authorization", format!("Bearer {token}"))
    }

    /// How long a call may take (default 30 seconds).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Add a route map rule (asked in the order added; see [`RouteMap`]).
    pub fn route_map(mut self, map: RouteMap) -> Self {
        self.maps.push(map);
        self
    }

    /// The prefix of resource URIs (default `openapi://`): `GET /reports/{id}` as a
    /// template is `openapi://reports/{id}`.
    pub fn uri_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.uri_prefix = prefix.into();
        self
    }

    /// Largest answer read (default [`DEFAULT_MAX_RESPONSE`]).
    pub fn max_response(mut self, bytes: usize) -> Self {
        self.max_response = bytes;
        self
    }

    fn base(&self) -> Result<String, Error> {
        let server = &self.doc["servers"][0];
        // Server variables take their defaults: `{scheme}://host` with scheme's default.
        let from_doc = server["url"].as_str().map(|url| {
            let vars = server["variables"].as_object().into_iter().flatten();
            vars.fold(url.to_owned(), |u, (k, v)| {
                let default = v["default"].as_str().unwrap_or_default();
                u.replace(&format!("{{{k}}}"), default)
            })
        });
        let base = self
            .base_url
            .clone()
            .or(from_doc)
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .ok_or_else(|| Error::invalid_params("no base URL: set one with OpenApi::base_url"))?;
        Ok(base.trim_end_matches('/').to_owned())
    }

    /// The provider of the document's operations.
    pub fn build(self) -> Result<OpenApiProvider, Error> {
        let ops = spec::operations(&self.doc).map_err(Error::invalid_params)?;
        let client = reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|e| Error::internal(format!("cannot make the HTTP client: {e}")))?;
        let http = Http {
            client,
            base: self.base()?,
            headers: self.headers.clone(),
            max_response: self.max_response,
        };
        let mut out = OpenApiProvider::default();
        let mut taken = vec![];
        for op in ops {
            let kind = routes::kind_of(&self.maps, &op);
            if kind == Kind::Exclude {
                continue;
            }
            let name = routes::name_of(&op, &mut taken);
            let uri = format!("{}{}", self.uri_prefix, op.path.trim_start_matches('/'));
            match kind {
                Kind::Resource => {
                    let r = ApiResource::new(uri, name, op, http.clone());
                    out.resources.push(Arc::new(r));
                }
                Kind::Template => {
                    let t = ApiTemplate::new(uri.clone(), name, op, http.clone());
                    match TemplateEntry::new(Arc::new(t)) {
                        Ok(e) => out.templates.push(Arc::new(e)),
                        Err(e) => tracing::warn!("OpenAPI: template {uri} left out: {e}"),
                    }
                }
                _ => out.tools.push(ToolEntry::new(Arc::new(ApiTool::new(
                    name,
                    op,
                    http.clone(),
                )))),
            }
        }
        Ok(out)
    }
}

/// The components of an OpenAPI document (see [`OpenApi`]).
#[derive(Default)]
pub struct OpenApiProvider {
    tools: Vec<ToolEntry>,
    resources: Vec<Arc<dyn ResourceHandler>>,
    templates: Vec<Arc<TemplateEntry>>,
}

impl OpenApiProvider {
    /// The names of the tools made.
    pub fn tool_names(&self) -> Vec<&str> {
        self.tools.iter().map(ToolEntry::name).collect()
    }

    /// The tools made.
    pub fn tools(&self) -> &[ToolEntry] {
        &self.tools
    }
}

impl Provider for OpenApiProvider {
    fn tools_revision(&self) -> Option<u64> {
        Some(0) // made once, from the document
    }

    fn kinds(&self) -> Kinds {
        Kinds {
            tools: !self.tools.is_empty(),
            resources: !self.resources.is_empty(),
            templates: !self.templates.is_empty(),
            ..Kinds::default()
        }
    }

    fn list_tools(&self, _: Option<String>) -> BoxFuture<'_, Result<Page<ToolEntry>, Error>> {
        Box::pin(async move { Ok(Page::all(self.tools.clone())) })
    }

    fn list_resources(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<dyn ResourceHandler>>, Error>> {
        Box::pin(async move { Ok(Page::all(self.resources.clone())) })
    }

    fn list_templates(
        &self,
        _: Option<String>,
    ) -> BoxFuture<'_, Result<Page<Arc<TemplateEntry>>, Error>> {
        Box::pin(async move { Ok(Page::all(self.templates.clone())) })
    }
}
