//! MCP Apps (SEP-1865, the `io.modelcontextprotocol/ui` extension): interactive views a
//! host renders next to a tool's result.
//!
//! A view is an HTML resource under `ui://` with the type `text/html;profile=mcp-app`
//! ([`AppResource`]), its sandbox described in `_meta.ui` (content security policy,
//! permissions, a dedicated origin, a border). A tool names its view in its own
//! `_meta.ui` ([`ToolUi`]). Hosts that render views declare the extension in their
//! capabilities ([`client_supports_apps`]); a tool can answer them differently.
//!
//! ```
//! use fastmcp_core::FnTool;
//! use fastmcp_server::apps::{AppResource, ToolUi, UiCsp};
//! use fastmcp_server::Server;
//!
//! let chart = AppResource::new("ui://charts/bar", "Bar chart", "<html><body>…</body></html>")
//!     .csp(UiCsp::default().connect(["https://api.example.com"]))
//!     .prefers_border(true);
//! let tool = FnTool::typed("sales", "This year's sales.", |_ctx, _: serde_json::Value| async {
//!     "Sales: 42"
//! })
//! .meta("ui", ToolUi::new("ui://charts/bar").into_meta());
//! let server = Server::new("dashboards", "1.0.0").resource(chart).tool(tool);
//! # let _ = server;
//! ```

use std::sync::Arc;

use fastmcp_core::{AnyResource, BoxFuture, Context, Error, IntoResource, ResourceHandler};
use fastmcp_protocol::{ClientCapabilities, ReadResourceResult, Resource, ResourceContents};
use serde_json::{json, Map, Value};

/// The extension's identifier.
pub const APPS_EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The type of an app's HTML.
pub const APP_MIME_TYPE: &str = "text/html;profile=mcp-app";

/// Whether the client renders app views (it declared the extension with the HTML type).
///
/// ```
/// let caps = serde_json::from_value(serde_json::json!({"extensions": {
///     "io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}
/// }})).unwrap();
/// assert!(fastmcp_server::apps::client_supports_apps(&caps));
/// assert!(!fastmcp_server::apps::client_supports_apps(&Default::default()));
/// ```
pub fn client_supports_apps(caps: &ClientCapabilities) -> bool {
    crate::client_declares(caps, APPS_EXTENSION)
        .and_then(|ui| ui.get("mimeTypes"))
        .and_then(Value::as_array)
        .is_some_and(|types| types.iter().any(|t| t == APP_MIME_TYPE))
}

/// The origins a view may reach (its content security policy).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UiCsp {
    connect: Vec<String>,
    resources: Vec<String>,
    frames: Vec<String>,
    base_uris: Vec<String>,
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(v: I) -> Vec<String> {
    v.into_iter().map(Into::into).collect()
}

impl UiCsp {
    /// Origins it may fetch from or connect to (`connectDomains`).
    pub fn connect<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.connect.extend(strings(origins));
        self
    }

    /// Origins of its scripts, styles, images and fonts (`resourceDomains`).
    pub fn resources<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.resources.extend(strings(origins));
        self
    }

    /// Origins it may embed in frames (`frameDomains`).
    pub fn frames<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.frames.extend(strings(origins));
        self
    }

    /// Origins its `<base>` may point at (`baseUriDomains`).
    pub fn base_uris<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.base_uris.extend(strings(origins));
        self
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("connectDomains", &self.connect),
            ("resourceDomains", &self.resources),
            ("frameDomains", &self.frames),
            ("baseUriDomains", &self.base_uris),
        ] {
            if !v.is_empty() {
                m.insert(k.into(), json!(v));
            }
        }
        Value::Object(m)
    }
}

/// A view: HTML served as `text/html;profile=mcp-app` under a `ui://` URI, with its
/// sandbox in `_meta.ui` (of the listed resource and of what a read returns).
pub struct AppResource {
    def: Resource,
    html: String,
    ui: Map<String, Value>,
}

impl AppResource {
    /// The view `uri` (it should start with `ui://`) named `name`, made of `html`.
    pub fn new(uri: impl Into<String>, name: impl Into<String>, html: impl Into<String>) -> Self {
        let mut def = Resource::new(uri, name);
        def.mime_type = Some(APP_MIME_TYPE.into());
        AppResource {
            def,
            html: html.into(),
            ui: Map::new(),
        }
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// The origins it may reach.
    pub fn csp(self, csp: UiCsp) -> Self {
        self.set_ui("csp", csp.to_json())
    }

    /// Browser permissions it asks for (`camera`, `microphone`, `geolocation`,
    /// `clipboardWrite`).
    pub fn permissions<I: IntoIterator<Item = S>, S: Into<String>>(self, names: I) -> Self {
        let p: Map<String, Value> = strings(names).into_iter().map(|n| (n, json!({}))).collect();
        self.set_ui("permissions", Value::Object(p))
    }

    /// A dedicated origin for it.
    pub fn domain(self, origin: impl Into<String>) -> Self {
        self.set_ui("domain", json!(origin.into()))
    }

    /// Whether the host should draw a border around it.
    pub fn prefers_border(self, on: bool) -> Self {
        self.set_ui("prefersBorder", json!(on))
    }

    /// Set `key` of `_meta.ui`, in what is listed and what is read.
    fn set_ui(mut self, key: &str, value: Value) -> Self {
        self.ui.insert(key.into(), value);
        let meta = self.def.meta.get_or_insert_with(Default::default);
        meta.insert("ui".into(), Value::Object(self.ui.clone()));
        self
    }
}

impl ResourceHandler for AppResource {
    fn resource(&self) -> &Resource {
        &self.def
    }

    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let mut c = ResourceContents::text(uri, APP_MIME_TYPE, self.html.clone());
            if let (ResourceContents::Text(t), false) = (&mut c, self.ui.is_empty()) {
                let meta = t.meta.get_or_insert_with(Default::default);
                meta.insert("ui".into(), Value::Object(self.ui.clone()));
            }
            Ok(ReadResourceResult {
                contents: vec![c],
                ..Default::default()
            })
        })
    }
}

impl IntoResource for AppResource {
    fn into_resource(self) -> AnyResource {
        AnyResource::Static(Arc::new(self))
    }
}

/// Who may call a tool that has a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UiVisibility {
    /// The model (the default, with `App`).
    Model,
    /// The view itself (a tool only the view calls, hidden from the model).
    App,
}

/// A tool's `_meta.ui`: the view that shows its results, and who may call it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolUi {
    resource_uri: String,
    visibility: Option<Vec<UiVisibility>>,
}

impl ToolUi {
    /// The view `resource_uri` shows this tool's results.
    pub fn new(resource_uri: impl Into<String>) -> Self {
        ToolUi {
            resource_uri: resource_uri.into(),
            visibility: None,
        }
    }

    /// Who may call the tool (default: the model and the view).
    pub fn visibility(mut self, v: impl IntoIterator<Item = UiVisibility>) -> Self {
        self.visibility = Some(v.into_iter().collect());
        self
    }

    /// The value of `_meta.ui`.
    pub fn into_meta(self) -> Value {
        let mut m = json!({ "resourceUri": self.resource_uri });
        if let Some(v) = self.visibility {
            let names: Vec<&str> = v
                .iter()
                .map(|v| match v {
                    UiVisibility::Model => "model",
                    UiVisibility::App => "app",
                })
                .collect();
            m["visibility"] = json!(names);
        }
        m
    }
}
