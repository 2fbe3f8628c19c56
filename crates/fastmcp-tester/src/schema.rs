//! Validation of results against the JSON schema of the negotiated protocol version
//! (the schemas of the MCP specification, embedded).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::{json, Value};

/// The schema documents, by protocol version.
const SCHEMAS: &[(&str, &str)] = &[
    (
        "2024-11-05",
        include_str!("../../../fixtures/spec/2024-11-05.schema.json"),
    ),
    (
        "2025-03-26",
        include_str!("../../../fixtures/spec/2025-03-26.schema.json"),
    ),
    (
        "2025-06-18",
        include_str!("../../../fixtures/spec/2025-06-18.schema.json"),
    ),
    (
        "2025-11-25",
        include_str!("../../../fixtures/spec/2025-11-25.schema.json"),
    ),
    (
        "2026-07-28",
        include_str!("../../../fixtures/spec/2026-07-28.schema.json"),
    ),
];

/// The protocol versions the tester knows.
pub(crate) fn known_versions() -> impl Iterator<Item = &'static str> {
    SCHEMAS.iter().map(|(v, _)| *v)
}

type Cache = Mutex<HashMap<(String, String), Option<Arc<jsonschema::Validator>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// A validator for `$defs/<def>` of `version`'s schema; none when the version or the
/// definition is unknown.
fn validator(version: &str, def: &str) -> Option<Arc<jsonschema::Validator>> {
    let key = (version.to_owned(), def.to_owned());
    if let Some(v) = cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&key)
    {
        return v.clone();
    }
    let built = build(version, def).map(Arc::new);
    cache()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key, built.clone());
    built
}

fn build(version: &str, def: &str) -> Option<jsonschema::Validator> {
    let (_, text) = SCHEMAS.iter().find(|(v, _)| *v == version)?;
    let mut doc: Value = serde_json::from_str(text).ok()?;
    let key = if doc.get("$defs").is_some() {
        "$defs"
    } else {
        "definitions"
    };
    doc.get(key)?.get(def)?;
    let obj = doc.as_object_mut()?;
    obj.insert(
        "allOf".into(),
        json!([{ "$ref": format!("#/{key}/{def}") }]),
    );
    jsonschema::validator_for(&doc).ok()
}

/// Whether `version`'s schema defines `def`.
pub(crate) fn has_def(version: &str, def: &str) -> bool {
    validator(version, def).is_some()
}

/// Check `value` against `$defs/<def>`: the errors (at most 5, with the instance path),
/// or nothing. An unknown version or definition validates nothing.
pub(crate) fn validate(version: &str, def: &str, value: &Value) -> Result<(), String> {
    let Some(v) = validator(version, def) else {
        return Ok(());
    };
    let errors: Vec<String> = v
        .iter_errors(value)
        .take(5)
        .map(|e| {
            let path = e.instance_path().to_string();
            let at = if path.is_empty() {
                "/".to_owned()
            } else {
                path
            };
            format!("at {at}: {}", crate::text::clip(&e.to_string(), 200))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the result does not match {def} of the {version} schema: {}",
            errors.join("; ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_tool_without_input_schema_is_reported() {
        let bad = json!({"tools": [{"name": "t"}]});
        let e = super::validate("2025-11-25", "ListToolsResult", &bad).unwrap_err();
        assert!(e.contains("inputSchema"), "{e}");
        let good = json!({"tools": [{"name": "t", "inputSchema": {"type": "object"}}]});
        assert!(super::validate("2025-11-25", "ListToolsResult", &good).is_ok());
        assert!(super::has_def("2026-07-28", "DiscoverResult"));
        assert!(!super::has_def("2025-11-25", "DiscoverResult"));
    }
}
