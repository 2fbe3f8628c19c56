//! The tool's input: every parameter and the JSON body's properties merged into one object
//! schema. A name used twice (a query parameter and a body property, say) is told apart
//! with a suffix (`id__path`, `id__body`); a body that is not an object is the argument
//! `body`. [`Args`] maps a call's arguments back to where they go.

use serde_json::{json, Map, Value};

use crate::spec::{Location, Operation};

/// Where one argument goes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Target {
    /// The operation's parameter at this index.
    Param(usize),
    /// A property of the JSON body.
    BodyField(String),
    /// The whole body.
    Body,
}

/// The arguments of a tool, by name.
#[derive(Debug, Clone, Default)]
pub(crate) struct Args(pub(crate) Vec<(String, Target)>);

#[cfg(test)]
impl Args {
    /// Where the argument `name` goes.
    pub(crate) fn target(&self, name: &str) -> Option<&Target> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
}

/// The input schema and argument map of `op`.
pub(crate) fn input(op: &Operation) -> (Value, Args) {
    let body_fields: Vec<(String, Value)> = match &op.body {
        Some((schema, _)) if is_object(schema) => schema["properties"]
            .as_object()
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        _ => vec![],
    };
    let clash = |name: &str, me: Option<Location>| {
        let params = op
            .params
            .iter()
            .filter(|p| p.name == name && Some(p.location) != me);
        params.count() > 0 || (me.is_some() && body_fields.iter().any(|(k, _)| k == name))
    };
    let mut props = Map::new();
    let mut required = vec![];
    let mut args = Args::default();
    for (i, p) in op.params.iter().enumerate() {
        let name = if clash(&p.name, Some(p.location)) {
            format!("{}__{}", p.name, p.location.as_str())
        } else {
            p.name.clone()
        };
        let mut schema = p.schema.clone();
        if let (Some(d), Some(o)) = (&p.description, schema.as_object_mut()) {
            o.entry("description").or_insert_with(|| json!(d));
        }
        props.insert(name.clone(), schema);
        if p.required {
            required.push(name.clone());
        }
        args.0.push((name, Target::Param(i)));
    }
    match &op.body {
        Some((schema, body_required)) if is_object(schema) => {
            let inner_required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            for (k, v) in &body_fields {
                let name = if clash(k, None) {
                    format!("{k}__body")
                } else {
                    k.clone()
                };
                props.insert(name.clone(), v.clone());
                if *body_required && inner_required.contains(&k.as_str()) {
                    required.push(name.clone());
                }
                args.0.push((name, Target::BodyField(k.clone())));
            }
        }
        Some((schema, body_required)) => {
            let name = if clash("body", None) {
                "body__body".to_owned()
            } else {
                "body".to_owned()
            };
            props.insert(name.clone(), schema.clone());
            if *body_required {
                required.push(name.clone());
            }
            args.0.push((name, Target::Body));
        }
        None => {}
    }
    let mut schema = json!({ "type": "object", "properties": props });
    if !required.is_empty() {
        schema["required"] = json!(required);
    }
    (schema, args)
}

/// Whether a body schema is an object with properties (its properties become arguments).
fn is_object(schema: &Value) -> bool {
    schema.get("properties").is_some_and(Value::is_object)
        && schema.get("type").is_none_or(|t| t == "object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Param;

    fn param(name: &str, location: Location, required: bool) -> Param {
        Param {
            name: name.into(),
            location,
            required,
            schema: json!({"type": "string"}),
            style: "form".into(),
            explode: true,
            description: Some(format!("the {name}")),
        }
    }

    #[test]
    fn parameters_and_body_fields_merge_and_clashes_get_suffixes() {
        let op = Operation {
            method: "PUT".into(),
            path: "/items/{id}".into(),
            operation_id: None,
            summary: None,
            description: None,
            tags: vec![],
            params: vec![
                param("id", Location::Path, true),
                param("q", Location::Query, false),
            ],
            body: Some((
                json!({"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}, "required": ["name"]}),
                true,
            )),
            output: None,
        };
        let (schema, args) = input(&op);
        assert_eq!(schema["required"], json!(["id__path", "name"]));
        assert_eq!(schema["properties"]["id__path"]["description"], "the id");
        assert_eq!(schema["properties"]["id__body"]["type"], "integer");
        assert_eq!(
            args.target("id__body"),
            Some(&Target::BodyField("id".into()))
        );
        assert_eq!(args.target("q"), Some(&Target::Param(1)));
        let op = Operation {
            body: Some((json!({"type": "array"}), false)),
            ..op
        };
        let (schema, args) = input(&op);
        assert_eq!(schema["properties"]["body"]["type"], "array");
        assert_eq!(args.target("body"), Some(&Target::Body));
    }
}
