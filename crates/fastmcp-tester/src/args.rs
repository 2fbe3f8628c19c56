//! Tool arguments built from an input schema: minimal valid ones (required properties
//! of simple types) and ones that violate it. Each is checked with the schema itself
//! before use, so the tester never blames a server for its own guess.

use serde_json::{json, Map, Value};

/// Whether `value` satisfies `schema` (an uncompilable schema: unknown, `None`).
fn satisfies(schema: &Value, value: &Value) -> Option<bool> {
    jsonschema::validator_for(schema)
        .ok()
        .map(|v| v.is_valid(value))
}

/// Minimal arguments `schema` accepts, when the tester can build them.
pub(crate) fn valid_args(schema: &Value) -> Option<Value> {
    let v = value_for(schema, 0)?;
    if !v.is_object() {
        return None;
    }
    match satisfies(schema, &v) {
        Some(false) => None,
        _ => Some(v),
    }
}

/// Arguments that violate `schema`, and what is wrong with them.
pub(crate) fn invalid_args(schema: &Value) -> Option<(Value, String)> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let candidate = if !required.is_empty() {
        (
            json!({}),
            format!("omits the required properties {required:?}"),
        )
    } else {
        let props = schema.get("properties")?.as_object()?;
        let (name, wrong) = props.iter().find_map(|(k, p)| Some((k, wrong_type(p)?)))?;
        let mut args = Map::new();
        args.insert(name.clone(), wrong.clone());
        (
            Value::Object(args),
            format!("gives {name:?} the value {wrong}, of the wrong type"),
        )
    };
    match satisfies(schema, &candidate.0) {
        Some(true) | None => None,
        Some(false) => Some(candidate),
    }
}

/// A value of a type the property does not allow.
fn wrong_type(p: &Value) -> Option<Value> {
    match p.get("type")?.as_str()? {
        "string" => Some(json!(12345)),
        "number" | "integer" | "boolean" | "array" => Some(json!({"not": "this type"})),
        "object" => Some(json!("not an object")),
        _ => None,
    }
}

/// The simplest value of a schema (depth-bounded).
fn value_for(s: &Value, depth: usize) -> Option<Value> {
    if depth > 6 {
        return None;
    }
    if let Some(c) = s.get("const") {
        return Some(c.clone());
    }
    for key in ["default", "enum", "examples"] {
        match s.get(key) {
            Some(Value::Array(a)) if key != "default" => return a.first().cloned(),
            Some(v) if key == "default" => return Some(v.clone()),
            _ => {}
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            return alts.iter().find_map(|a| value_for(a, depth + 1));
        }
    }
    let ty = match s.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null")?,
        _ if s.get("properties").is_some() => "object",
        _ => return None,
    };
    match ty {
        "object" => object_for(s, depth),
        "string" => Some(string_for(s)),
        "integer" | "number" => Some(number_for(s, ty)),
        "boolean" => Some(json!(true)),
        "null" => Some(Value::Null),
        "array" => {
            let n = s
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(5);
            let item = s.get("items").and_then(|i| value_for(i, depth + 1));
            match (n, item) {
                (0, _) => Some(json!([])),
                (n, Some(i)) => Some(Value::Array(vec![i; n as usize])),
                _ => None,
            }
        }
        _ => None,
    }
}

/// An object with its required properties only.
fn object_for(s: &Value, depth: usize) -> Option<Value> {
    let props = s.get("properties").and_then(Value::as_object);
    let mut out = Map::new();
    for r in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = r.as_str()?;
        let p = props.and_then(|p| p.get(name))?;
        out.insert(name.to_owned(), value_for(p, depth + 1)?);
    }
    Some(Value::Object(out))
}

fn string_for(s: &Value) -> Value {
    let base = match s.get("format").and_then(Value::as_str) {
        Some("uri" | "url") => "https://example.com/",
        Some("email") => "tester@example.com",
        Some("date-time") => "2025-01-01T00:00:00Z",
        Some("date") => "2025-01-01",
        _ => "test",
    };
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let mut v = base.to_owned();
    while v.chars().count() < min {
        v.push('x');
    }
    json!(v)
}

fn number_for(s: &Value, ty: &str) -> Value {
    let min = s.get("minimum").and_then(Value::as_f64);
    let max = s.get("maximum").and_then(Value::as_f64);
    let n = match (min, max) {
        (Some(lo), _) if lo > 1.0 => lo.ceil(),
        (_, Some(hi)) if hi < 1.0 => hi.floor(),
        _ => 1.0,
    };
    if ty == "integer" {
        json!(n as i64)
    } else {
        json!(n)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn builds_required_simple_properties() {
        let s = json!({"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": "integer", "minimum": 3},
            "c": {"type": "string", "enum": ["x", "y"]}, "d": {"type": "number"}
        }, "required": ["a", "b", "c"]});
        assert_eq!(
            super::valid_args(&s),
            Some(json!({"a": "test", "b": 3, "c": "x"}))
        );
        let (bad, why) = super::invalid_args(&s).unwrap();
        assert_eq!(bad, json!({}));
        assert!(why.contains("required"));
        let loose = json!({"type": "object", "properties": {"n": {"type": "number"}}});
        assert_eq!(
            super::invalid_args(&loose).unwrap().0,
            json!({"n": {"not": "this type"}})
        );
        assert!(super::invalid_args(&json!({"type": "object"})).is_none());
    }
}
