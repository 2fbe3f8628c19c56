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

/// The output schema of a tool returning `T`, and whether its values are wrapped; `None`
/// when `T` may be any JSON value (`serde_json::Value`).
///
/// A type whose every value is a JSON object (a struct, a map, an internally tagged enum of
/// structs) is passed as is; anything else (numbers, strings, enums of strings, arrays,
/// `Option`s) is wrapped as `{"result": T}`, and the schema is marked with
/// `x-fastmcp-wrap-result`. A type whose schema allows anything (`serde_json::Value`)
/// declares no output schema: a value that is an object is passed as is, any other value
/// goes as text only (see [`Json`](crate::Json)).
///
/// ```
/// use fastmcp_core::schema::output_schema_for;
/// use std::collections::BTreeMap;
/// assert!(!output_schema_for::<BTreeMap<String, i64>>().unwrap().1);
/// assert!(!output_schema_for::<serde_json::Map<String, serde_json::Value>>().unwrap().1);
/// let (schema, wrapped) = output_schema_for::<Vec<i64>>().unwrap();
/// assert!(wrapped);
/// assert_eq!(schema["x-fastmcp-wrap-result"], true);
/// assert!(output_schema_for::<Option<i64>>().unwrap().1);
/// assert!(output_schema_for::<serde_json::Value>().is_none());
/// ```
pub fn output_schema_for<T: JsonSchema>() -> Option<(Value, bool)> {
    let mut s = schema_for::<T>();
    if accepts_anything(&s) {
        return None;
    }
    if always_object(&s) {
        // MCP wants `"type": "object"` at the root of an output schema, also of a `oneOf`.
        if let Value::Object(m) = &mut s {
            m.entry("type").or_insert_with(|| "object".into());
        }
        return Some((s, false));
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
    Some((wrapped, true))
}

/// How a tool returning `T` shapes its structured output: `Some(wrapped)`, or `None` when
/// `T` may be any value. Kept per type (by schema id), so that a call does not build the
/// schema again.
pub(crate) fn output_wrap_for<T: JsonSchema>() -> Option<bool> {
    use std::borrow::Cow;
    use std::collections::HashMap;
    use std::sync::{OnceLock, PoisonError, RwLock};
    type Shapes = RwLock<HashMap<Cow<'static, str>, Option<bool>>>;
    static SHAPES: OnceLock<Shapes> = OnceLock::new();
    let shapes = SHAPES.get_or_init(Default::default);
    let id = T::schema_id();
    if let Some(w) = shapes
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id)
    {
        return *w;
    }
    let w = output_schema_for::<T>().map(|(_, w)| w);
    let mut m = shapes.write().unwrap_or_else(PoisonError::into_inner);
    if m.len() < 4096 {
        m.insert(id, w);
    }
    w
}

/// Whether schema `s` accepts any JSON value: `true`, or an object with no constraint.
fn accepts_anything(s: &Value) -> bool {
    match s {
        Value::Bool(b) => *b,
        Value::Object(m) => m.keys().all(|k| {
            matches!(
                k.as_str(),
                "description" | "title" | "$defs" | "default" | "examples"
            )
        }),
        _ => false,
    }
}

/// Whether every value of schema `s` is a JSON object: `"type": "object"`, every branch of
/// a `oneOf`/`anyOf`, or one part of an `allOf`.
fn always_object(s: &Value) -> bool {
    if s.get("type").and_then(Value::as_str) == Some("object") {
        return true;
    }
    let all = |key: &str| {
        s.get(key)
            .and_then(Value::as_array)
            .is_some_and(|bs| !bs.is_empty() && bs.iter().all(always_object))
    };
    let any_part = s
        .get("allOf")
        .and_then(Value::as_array)
        .is_some_and(|bs| bs.iter().any(always_object));
    all("oneOf") || all("anyOf") || any_part
}

#[cfg(test)]
mod tests {
    use super::output_schema_for;

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    #[serde(tag = "kind")]
    enum Shape {
        Circle { r: f64 },
        Square { side: f64 },
    }

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    enum Colour {
        Red,
        Green,
    }

    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Point {
        x: i64,
    }

    #[test]
    fn objects_are_not_wrapped() {
        let wrapped = |s: Option<(serde_json::Value, bool)>| s.unwrap().1;
        assert!(!wrapped(output_schema_for::<Point>()));
        assert!(!wrapped(output_schema_for::<Shape>()));
        assert!(!wrapped(output_schema_for::<
            std::collections::HashMap<String, Point>,
        >()));
    }

    #[test]
    fn what_may_not_be_an_object_is_wrapped() {
        let wrapped = |s: Option<(serde_json::Value, bool)>| s.unwrap().1;
        assert!(wrapped(output_schema_for::<Colour>()));
        assert!(wrapped(output_schema_for::<Option<Point>>()));
        assert!(wrapped(output_schema_for::<Option<i64>>()));
        assert!(wrapped(output_schema_for::<Vec<Point>>()));
        assert!(wrapped(output_schema_for::<String>()));
    }

    #[test]
    fn what_may_be_anything_declares_no_schema() {
        assert!(output_schema_for::<serde_json::Value>().is_none());
        assert_eq!(super::output_wrap_for::<serde_json::Value>(), None);
        assert_eq!(super::output_wrap_for::<Vec<Point>>(), Some(true));
        assert_eq!(super::output_wrap_for::<Point>(), Some(false));
        // Kept: asked again, the same answer.
        assert_eq!(super::output_wrap_for::<Point>(), Some(false));
    }
}
