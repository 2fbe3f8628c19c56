//! What a provider hands out: a tool with its serialized definition, a template with its
//! parsed URI template.

use std::sync::{Arc, OnceLock};

use fastmcp_core::{ResourceTemplateHandler, TemplateVars, ToolHandler};
use serde_json::value::RawValue;

use crate::uri_template::{TemplateError, UnsafeValue, UriTemplate};

/// A tool and its definition as `tools/list` sends it, serialized once (on the first
/// listing) in both shapes: with `execution` for the handshake era, without it for the
/// stateless era (where tasks are server-directed). Cheap to clone.
///
/// An entry may stand for several versions of one name (see [`ToolEntry::versioned`]): its
/// handler is then the default version, and [`ToolEntry::select`] finds the others.
#[derive(Clone)]
pub struct ToolEntry(Arc<Parts>);

#[doc(hidden)]
/// What a [`ToolEntry`] holds, behind one `Arc`: a list of a thousand tools is cloned
/// (and dropped) with one reference count per entry.
pub struct Parts {
    pub(super) handler: Arc<dyn ToolHandler>,
    json: OnceLock<[Box<RawValue>; 2]>,
    /// Every version of the name, highest first, when there is more than one.
    pub(super) versions: Option<Arc<[ToolEntry]>>,
    /// The output schema, compiled on the first check of a result.
    pub(crate) output_validator: OnceLock<Option<jsonschema::Validator>>,
    /// Explains arguments that do not parse, against the input schema.
    pub(crate) input_explainer: Arc<crate::input_check::InputExplainer>,
}

impl std::ops::Deref for ToolEntry {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl ToolEntry {
    /// An entry for `handler`.
    pub fn new(handler: Arc<dyn ToolHandler>) -> Self {
        ToolEntry(Arc::new(Parts {
            input_explainer: crate::input_check::InputExplainer::new(handler.clone()),
            handler,
            json: OnceLock::new(),
            versions: None,
            output_validator: OnceLock::new(),
        }))
    }

    /// Whether `other` is this very entry (not only an equal one).
    pub(crate) fn same(&self, other: &ToolEntry) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// This entry standing for every version in `all` (its own among them).
    pub(super) fn with_versions(&self, all: Arc<[ToolEntry]>) -> Self {
        ToolEntry(Arc::new(Parts {
            handler: self.handler.clone(),
            json: OnceLock::new(),
            versions: Some(all),
            output_validator: OnceLock::new(),
            input_explainer: self.input_explainer.clone(),
        }))
    }

    /// The tool.
    pub fn handler(&self) -> &Arc<dyn ToolHandler> {
        &self.handler
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.handler.tool().name
    }

    /// The tool's definition, serialized for the era.
    pub(crate) fn json(&self, stateless: bool) -> &RawValue {
        let [full, without_execution] = self.json.get_or_init(|| {
            let mut def = std::borrow::Cow::Borrowed(self.handler.tool());
            if let Some(all) = &self.versions {
                let list = all.iter().filter_map(|e| e.version()).map(str::to_owned);
                let list = serde_json::Value::Array(list.map(Into::into).collect());
                let meta = def.to_mut().meta.get_or_insert_with(Default::default);
                meta.insert(fastmcp_core::component_meta::META_VERSIONS.into(), list);
            }
            let def = &*def;
            let mut stateless = def.clone();
            stateless.execution = None;
            [to_raw(def), to_raw(&stateless)]
        });
        if stateless {
            without_execution
        } else {
            full
        }
    }
}

impl std::fmt::Debug for ToolEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ToolEntry").field(&self.name()).finish()
    }
}

fn to_raw<T: serde::Serialize>(v: &T) -> Box<RawValue> {
    // A `Tool` is plain data (strings, numbers, JSON values): serializing it cannot fail.
    serde_json::value::to_raw_value(v).unwrap_or_else(|_| {
        serde_json::value::to_raw_value(&serde_json::Value::Null).unwrap_or_default()
    })
}

/// A resource template and its parsed URI template.
pub struct TemplateEntry {
    parsed: UriTemplate,
    handler: Arc<dyn ResourceTemplateHandler>,
}

impl TemplateEntry {
    /// An entry for `handler`; fails when its URI template is not valid RFC 6570.
    pub fn new(handler: Arc<dyn ResourceTemplateHandler>) -> Result<Self, TemplateError> {
        let parsed = UriTemplate::parse(&handler.template().uri_template)?;
        Ok(TemplateEntry { parsed, handler })
    }

    /// The template.
    pub fn handler(&self) -> &Arc<dyn ResourceTemplateHandler> {
        &self.handler
    }

    /// The URI template as written.
    pub fn uri_template(&self) -> &str {
        &self.handler.template().uri_template
    }

    /// The variables of `uri` if it matches (`Ok(None)` if it does not; `Err` when it
    /// matches with a value that is not safe to hand to a handler).
    pub fn match_uri(&self, uri: &str) -> Result<Option<TemplateVars>, UnsafeValue> {
        self.parsed.match_uri(uri)
    }
}

impl std::fmt::Debug for TemplateEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("TemplateEntry")
            .field(&self.uri_template())
            .finish()
    }
}
