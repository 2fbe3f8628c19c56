//! How one argument of a transformed tool changes: its name, description, default, type
//! (with a conversion), or hidden with a value the tool always gets (fixed, or computed
//! for each call from its context).

use std::sync::Arc;

use fastmcp_core::{Context, Error};
use serde_json::{Map, Value};

/// Computes a hidden argument's value for one call.
pub(crate) type HiddenFn = Arc<dyn Fn(&Context) -> Value + Send + Sync>;
/// Converts a retyped argument's value to the original type.
pub(crate) type ConvertFn = Arc<dyn Fn(Value) -> Result<Value, String> + Send + Sync>;

/// The change of one argument of a [`super::ToolTransform`].
///
/// ```
/// use fastmcp_server::ArgTransform;
/// use serde_json::json;
///
/// let query = ArgTransform::new().rename("q").describe("What to look for.");
/// let limit = ArgTransform::new().hide(json!(10)); // always 10, not shown to clients
/// // The caller's identity, never the client's say.
/// let user = ArgTransform::new().hide_with(|ctx| json!(ctx.auth().and_then(|a| a.subject.clone())));
/// // Clients send "yes" or "no"; the tool gets a boolean.
/// let confirm = ArgTransform::new().retype(
///     json!({"type": "string", "enum": ["yes", "no"]}),
///     |v| Ok(json!(v == "yes")),
/// );
/// # let _ = (query, limit, user, confirm);
/// ```
#[derive(Clone, Default)]
pub struct ArgTransform {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<Value>,
    pub(crate) hidden: Option<Value>,
    pub(crate) hidden_fn: Option<HiddenFn>,
    pub(crate) schema: Option<Value>,
    pub(crate) convert: Option<ConvertFn>,
}

impl std::fmt::Debug for ArgTransform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArgTransform")
            .field("name", &self.name)
            .field("description", &self.description)
            .field("default", &self.default)
            .field(
                "hidden",
                &(self.hidden.is_some() || self.hidden_fn.is_some()),
            )
            .field("schema", &self.schema)
            .finish()
    }
}

impl ArgTransform {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Clients see (and send) the argument under `name`.
    pub fn rename(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// A new description.
    pub fn describe(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// A default: the argument becomes optional, and a call without it gets `value`.
    pub fn default_value(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    /// Hidden from clients: gone from the schema, and every call gets `value` (whatever
    /// the client sent under that name is ignored).
    pub fn hide(mut self, value: Value) -> Self {
        self.hidden = Some(value);
        self
    }

    /// Hidden from clients, and every call gets what `value` computes from the call's
    /// context (the caller's identity, session state, ...).
    pub fn hide_with(mut self, value: impl Fn(&Context) -> Value + Send + Sync + 'static) -> Self {
        self.hidden_fn = Some(Arc::new(value));
        self
    }

    /// Clients see the argument with `schema` (its description and default are kept
    /// unless changed here); `convert` turns what they send into what the tool takes (an
    /// error is the call's invalid-params error, naming the argument).
    pub fn retype(
        mut self,
        schema: Value,
        convert: impl Fn(Value) -> Result<Value, String> + Send + Sync + 'static,
    ) -> Self {
        self.schema = Some(schema);
        self.convert = Some(Arc::new(convert));
        self
    }

    fn is_hidden(&self) -> bool {
        self.hidden.is_some() || self.hidden_fn.is_some()
    }
}

/// The argument changes of one tool, by the original argument name.
pub(crate) type ArgChanges = Vec<(String, ArgTransform)>;

/// The input schema clients see: hidden arguments removed, others renamed, described and
/// given their defaults.
pub(crate) fn reshape_schema(schema: &Value, changes: &ArgChanges) -> Value {
    let mut schema = schema.clone();
    let Some(obj) = schema.as_object_mut() else {
        return schema;
    };
    let mut props = match obj.remove("properties") {
        Some(Value::Object(p)) => p,
        _ => Map::new(),
    };
    let mut required: Vec<String> = match obj.remove("required") {
        Some(Value::Array(r)) => r
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => vec![],
    };
    for (orig, t) in changes {
        let Some(mut prop) = props.remove(orig) else {
            continue;
        };
        let was_required = required.iter().any(|r| r == orig);
        required.retain(|r| r != orig);
        if t.is_hidden() {
            continue;
        }
        if let Some(new) = &t.schema {
            let kept = prop.as_object().cloned().unwrap_or_default();
            prop = new.clone();
            if let (Some(d), Some(p)) = (kept.get("description"), prop.as_object_mut()) {
                p.entry("description").or_insert_with(|| d.clone());
            }
        }
        if let (Some(d), Some(p)) = (&t.description, prop.as_object_mut()) {
            p.insert("description".into(), Value::String(d.clone()));
        }
        if let (Some(d), Some(p)) = (&t.default, prop.as_object_mut()) {
            p.insert("default".into(), d.clone());
        }
        let name = t.name.clone().unwrap_or_else(|| orig.clone());
        if was_required && t.default.is_none() {
            required.push(name.clone());
        }
        props.insert(name, prop);
    }
    obj.insert("properties".into(), Value::Object(props));
    if !required.is_empty() {
        obj.insert(
            "required".into(),
            required.into_iter().map(Value::String).collect(),
        );
    }
    schema
}

/// The arguments the original tool gets from those a client sent: renamed back,
/// converted, defaults filled in, hidden values set (computed from `ctx`).
pub(crate) fn map_back(
    mut sent: Map<String, Value>,
    changes: &ArgChanges,
    ctx: &Context,
) -> Result<Map<String, Value>, Error> {
    let mut out = Map::new();
    for (orig, t) in changes {
        let shown = t.name.as_deref().unwrap_or(orig);
        let given = sent.remove(shown);
        let value = match (&t.hidden_fn, &t.hidden, given, &t.default) {
            (Some(f), _, _, _) => Some(f(ctx)),
            (None, Some(h), _, _) => Some(h.clone()),
            (None, None, Some(v), _) => match &t.convert {
                Some(c) => Some(c(v).map_err(|e| {
                    Error::invalid_params(format!("Invalid arguments: {shown}: {e}"))
                })?),
                None => Some(v),
            },
            (None, None, None, d) => d.clone(),
        };
        if let Some(v) = value {
            out.insert(orig.clone(), v);
        }
    }
    // Arguments without changes pass as they are (the original name of a renamed one,
    // sent by a client, is not an argument of the transformed tool: dropped).
    for (k, v) in sent {
        if !changes.iter().any(|(orig, _)| *orig == k) {
            out.insert(k, v);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes() -> ArgChanges {
        vec![
            (
                "query".into(),
                ArgTransform::new().rename("q").describe("Words."),
            ),
            ("limit".into(), ArgTransform::new().hide(json!(10))),
            (
                "lang".into(),
                ArgTransform::new().default_value(json!("en")),
            ),
        ]
    }

    #[test]
    fn the_schema_shows_what_clients_send() {
        let schema = json!({"type": "object", "properties": {
            "query": {"type": "string"}, "limit": {"type": "integer"},
            "lang": {"type": "string"}, "page": {"type": "integer"}
        }, "required": ["query", "limit", "lang"]});
        let s = reshape_schema(&schema, &changes());
        assert_eq!(
            s["properties"]["q"],
            json!({"type": "string", "description": "Words."})
        );
        assert!(s["properties"].get("limit").is_none());
        assert!(s["properties"].get("query").is_none());
        assert_eq!(s["properties"]["lang"]["default"], "en");
        assert_eq!(s["properties"]["page"]["type"], "integer");
        assert_eq!(s["required"], json!(["q"]));
    }

    #[test]
    fn calls_get_the_original_names_defaults_and_hidden_values() {
        let sent = json!({"q": "rust", "limit": 99, "query": "ignored", "page": 2});
        let ctx = Context::for_testing();
        let got = map_back(sent.as_object().unwrap().clone(), &changes(), &ctx).unwrap();
        assert_eq!(
            Value::Object(got),
            json!({"query": "rust", "limit": 10, "lang": "en", "page": 2})
        );
    }
}

#[cfg(test)]
mod retype_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_retyped_argument_is_shown_with_its_schema_and_converted() {
        let changes: ArgChanges = vec![
            (
                "confirm".into(),
                ArgTransform::new().retype(json!({"type": "string", "enum": ["yes", "no"]}), |v| {
                    match v.as_str() {
                        Some("yes") => Ok(json!(true)),
                        Some("no") => Ok(json!(false)),
                        _ => Err("yes or no".into()),
                    }
                }),
            ),
            (
                "who".into(),
                ArgTransform::new().hide_with(|_| json!("computed")),
            ),
        ];
        let schema = json!({"type": "object", "properties": {
            "confirm": {"type": "boolean", "description": "Sure?"}, "who": {"type": "string"}
        }, "required": ["confirm", "who"]});
        let s = reshape_schema(&schema, &changes);
        assert_eq!(
            s["properties"]["confirm"],
            json!({"type": "string", "enum": ["yes", "no"], "description": "Sure?"})
        );
        assert!(s["properties"].get("who").is_none());
        let ctx = Context::for_testing();
        let sent = json!({"confirm": "yes", "who": "forged"})
            .as_object()
            .cloned()
            .unwrap();
        let got = map_back(sent, &changes, &ctx).unwrap();
        assert_eq!(
            Value::Object(got),
            json!({"confirm": true, "who": "computed"})
        );
        let bad = json!({"confirm": "maybe"}).as_object().cloned().unwrap();
        let e = map_back(bad, &changes, &ctx).unwrap_err();
        assert!(e.message().contains("confirm: yes or no"), "{e}");
    }
}
