//! How one argument of a transformed tool changes: its name, description, default, or
//! hidden with a value the tool always gets.

use serde_json::{Map, Value};

/// The change of one argument of a [`super::ToolTransform`].
///
/// ```
/// use fastmcp_server::ArgTransform;
/// use serde_json::json;
///
/// let query = ArgTransform::new().rename("q").describe("What to look for.");
/// let limit = ArgTransform::new().hide(json!(10)); // always 10, not shown to clients
/// # let _ = (query, limit);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ArgTransform {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) default: Option<Value>,
    pub(crate) hidden: Option<Value>,
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
        if t.hidden.is_some() {
            continue;
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
/// defaults filled in, hidden values set.
pub(crate) fn map_back(mut sent: Map<String, Value>, changes: &ArgChanges) -> Map<String, Value> {
    let mut out = Map::new();
    for (orig, t) in changes {
        let shown = t.name.as_deref().unwrap_or(orig);
        let given = sent.remove(shown);
        let value = match (&t.hidden, given, &t.default) {
            (Some(h), _, _) => Some(h.clone()),
            (None, Some(v), _) => Some(v),
            (None, None, d) => d.clone(),
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
    out
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
        let got = map_back(sent.as_object().unwrap().clone(), &changes());
        assert_eq!(
            Value::Object(got),
            json!({"query": "rust", "limit": 10, "lang": "en", "page": 2})
        );
    }
}
