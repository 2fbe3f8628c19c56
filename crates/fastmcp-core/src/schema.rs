//! JSON Schema 2020-12 generation for handler arguments and results.

use schemars::generate::SchemaSettings;
use schemars::JsonSchema;
use serde_json::Value;

/// The JSON Schema (2020-12) of `T`, with subschemas inlined (recursive types keep `$defs`),
/// and without the top-level `$schema` and `title`.
///
/// ```
/// #[derive(schemars::JsonSchema)]
/// struct P { x: i64 }
/// let s = fastmcp_core::schema::schema_for::<P>();
/// assert_eq!(s["type"], "object");
/// assert_eq!(s["required"][0], "x");
/// ```
pub fn schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let mut v = generator.into_root_schema_for::<T>().to_value();
    if let Value::Object(m) = &mut v {
        m.remove("$schema");
        m.remove("title");
        // Some model APIs insist on `properties`, even when empty.
        if m.get("type").and_then(Value::as_str) == Some("object") && !m.contains_key("properties")
        {
            m.insert("properties".into(), Value::Object(Default::default()));
        }
    }
    v
}

/// The output schema of a tool returning `T`: an object schema as is; anything else wrapped
/// as `{"result": T}` (and marked with `x-fastmcp-wrap-result`).
pub fn output_schema_for<T: JsonSchema>() -> (Value, bool) {
    let s = schema_for::<T>();
    if s.get("type").and_then(Value::as_str) == Some("object") {
        return (s, false);
    }
    let mut wrapped = serde_json::json!({
        "type": "object",
        "properties": { "result": s },
        "required": ["result"],
        "x-fastmcp-wrap-result": true
    });
    if let Some(defs) = wrapped["properties"]["result"]
        .as_object_mut()
        .and_then(|m| m.remove("$defs"))
    {
        wrapped["$defs"] = defs;
    }
    (wrapped, true)
}
