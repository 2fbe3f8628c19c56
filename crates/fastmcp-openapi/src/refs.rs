//! `$ref`s resolved: every local reference (`#/components/...`) replaced by what it
//! points at, recursively. A reference to itself (directly or not) becomes `{}` (any
//! value) at the point where it loops; an external or dangling one is an error; the
//! expansion is bounded, so a document cannot make it grow without end.

use serde_json::{Map, Value};

/// Most JSON values an expansion may produce.
const MAX_NODES: usize = 200_000;
/// Deepest nesting of references.
const MAX_DEPTH: usize = 64;

/// `v` with its references resolved against `doc`.
pub(crate) fn resolve(doc: &Value, v: &Value) -> Result<Value, String> {
    let mut r = Resolver {
        doc,
        stack: vec![],
        nodes: 0,
    };
    r.value(v)
}

struct Resolver<'d> {
    doc: &'d Value,
    stack: Vec<String>,
    nodes: usize,
}

impl Resolver<'_> {
    fn count(&mut self) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(format!(
                "more than {MAX_NODES} values once its $refs are resolved"
            ));
        }
        Ok(())
    }

    fn value(&mut self, v: &Value) -> Result<Value, String> {
        self.count()?;
        match v {
            Value::Object(o) => match o.get("$ref").and_then(Value::as_str) {
                Some(r) => self.reference(r, o),
                None => {
                    let mut out = Map::with_capacity(o.len());
                    for (k, x) in o {
                        out.insert(k.clone(), self.value(x)?);
                    }
                    Ok(Value::Object(out))
                }
            },
            Value::Array(a) => a.iter().map(|x| self.value(x)).collect(),
            other => Ok(other.clone()),
        }
    }

    fn reference(&mut self, r: &str, siblings: &Map<String, Value>) -> Result<Value, String> {
        if self.stack.iter().any(|s| s == r) {
            return Ok(Value::Object(Map::new())); // a loop: anything goes here
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(format!("$refs nested more than {MAX_DEPTH} deep at {r}"));
        }
        let target = pointer(self.doc, r)?;
        self.stack.push(r.to_owned());
        let resolved = self.value(target);
        self.stack.pop();
        let mut resolved = resolved?;
        // Keys beside a $ref (3.1: a description, say) apply on top.
        if let Value::Object(out) = &mut resolved {
            for (k, x) in siblings.iter().filter(|(k, _)| *k != "$ref") {
                let x = self.value(x)?;
                out.insert(k.clone(), x);
            }
        }
        Ok(resolved)
    }
}

/// What the local reference `r` points at.
fn pointer<'d>(doc: &'d Value, r: &str) -> Result<&'d Value, String> {
    let Some(path) = r.strip_prefix('#') else {
        return Err(format!("external $ref {r:?} is not supported"));
    };
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    doc.pointer(&decoded)
        .ok_or_else(|| format!("$ref {r:?} points at nothing"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_are_inlined_and_loops_cut() {
        let doc = json!({"components": {"schemas": {
            "Pet": {"type": "object", "properties": {"owner": {"$ref": "#/components/schemas/Person"}}},
            "Person": {"type": "object", "properties": {"pet": {"$ref": "#/components/schemas/Pet"}, "name": {"type": "string"}}}
        }}});
        let v = resolve(
            &doc,
            &json!({"$ref": "#/components/schemas/Pet", "description": "A pet."}),
        )
        .unwrap();
        assert_eq!(v["description"], "A pet.");
        assert_eq!(
            v["properties"]["owner"]["properties"]["name"]["type"],
            "string"
        );
        assert_eq!(
            v["properties"]["owner"]["properties"]["pet"],
            json!({}),
            "the loop is cut"
        );
    }

    #[test]
    fn bad_references_are_errors() {
        let doc = json!({"a": {"$ref": "#/a"}});
        assert!(resolve(&doc, &json!({"$ref": "#/nowhere"}))
            .unwrap_err()
            .contains("points at nothing"));
        assert!(resolve(&doc, &json!({"$ref": "other.yaml#/x"}))
            .unwrap_err()
            .contains("external"));
        assert_eq!(resolve(&doc, &json!({"$ref": "#/a"})).unwrap(), json!({}));
        // A document that doubles at each level: bounded.
        let mut defs = Map::new();
        defs.insert("l0".into(), json!({"type": "string"}));
        for i in 1..40 {
            let prev = format!("#/d/l{}", i - 1);
            defs.insert(
                format!("l{i}"),
                json!({"allOf": [{"$ref": prev}, {"$ref": prev}]}),
            );
        }
        let doc = json!({ "d": defs });
        let e = resolve(&doc, &json!({"$ref": "#/d/l39"})).unwrap_err();
        assert!(e.contains("more than"), "{e}");
    }
}
