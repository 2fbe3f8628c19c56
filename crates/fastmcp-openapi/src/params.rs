//! Parameter values serialized as OpenAPI's `style` and `explode` say (the table of
//! section 4.8.12.4 of the specification): `simple`, `label` and `matrix` in paths,
//! `form`, `spaceDelimited`, `pipeDelimited` and `deepObject` in queries, `simple` in
//! headers, `form` in cookies.

use serde_json::Value;

/// A primitive as text (strings as they are, others as JSON).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `value` of the parameter `name` in a path or header (`simple`, `label`, `matrix`).
pub(crate) fn in_path(name: &str, style: &str, explode: bool, value: &Value) -> String {
    let (lead, sep_plain, kv_eq) = match style {
        "label" => (".".to_owned(), if explode { "." } else { "," }, true),
        "matrix" => (format!(";{name}="), ",", true),
        _ => (String::new(), ",", true),
    };
    match value {
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(scalar).collect();
            match (style, explode) {
                ("matrix", true) => parts.iter().map(|p| format!(";{name}={p}")).collect(),
                _ => format!("{lead}{}", parts.join(sep_plain)),
            }
        }
        Value::Object(fields) => {
            let pairs = fields.iter().map(|(k, v)| (k.as_str(), scalar(v)));
            match (style, explode) {
                ("matrix", true) => pairs.map(|(k, v)| format!(";{k}={v}")).collect(),
                (_, true) if kv_eq => {
                    let sep = if style == "label" { "." } else { "," };
                    let body: Vec<String> = pairs.map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{lead}{}", body.join(sep))
                }
                _ => {
                    let body: Vec<String> = pairs.flat_map(|(k, v)| [k.to_owned(), v]).collect();
                    format!("{lead}{}", body.join(","))
                }
            }
        }
        v => format!("{lead}{}", scalar(v)),
    }
}

/// `value` of the query parameter `name` as key-value pairs (not yet encoded).
pub(crate) fn in_query(
    name: &str,
    style: &str,
    explode: bool,
    value: &Value,
) -> Vec<(String, String)> {
    let one = |v: String| vec![(name.to_owned(), v)];
    match (value, style) {
        (Value::Array(items), "spaceDelimited") => {
            one(items.iter().map(scalar).collect::<Vec<_>>().join(" "))
        }
        (Value::Array(items), "pipeDelimited") => {
            one(items.iter().map(scalar).collect::<Vec<_>>().join("|"))
        }
        (Value::Array(items), _) if explode => {
            items.iter().map(|v| (name.to_owned(), scalar(v))).collect()
        }
        (Value::Array(items), _) => one(items.iter().map(scalar).collect::<Vec<_>>().join(",")),
        (Value::Object(fields), "deepObject") => fields
            .iter()
            .map(|(k, v)| (format!("{name}[{k}]"), scalar(v)))
            .collect(),
        (Value::Object(fields), _) if explode => {
            fields.iter().map(|(k, v)| (k.clone(), scalar(v))).collect()
        }
        (Value::Object(fields), _) => {
            let flat: Vec<String> = fields
                .iter()
                .flat_map(|(k, v)| [k.clone(), scalar(v)])
                .collect();
            one(flat.join(","))
        }
        (v, _) => one(scalar(v)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The style examples of the OpenAPI specification (section 4.8.12.4):
    /// `color` = "blue", ["blue","black","brown"], {"R":100,"G":200,"B":150}; an object's
    /// fields come in key order (B, G, R), not the example's.
    #[test]
    fn the_specifications_style_table() {
        let s = json!("blue");
        let a = json!(["blue", "black", "brown"]);
        let o = json!({"R": 100, "G": 200, "B": 150});
        let path = |style, explode, v: &Value| in_path("color", style, explode, v);
        assert_eq!(path("matrix", false, &s), ";color=blue");
        assert_eq!(path("matrix", false, &a), ";color=blue,black,brown");
        assert_eq!(
            path("matrix", true, &a),
            ";color=blue;color=black;color=brown"
        );
        assert_eq!(path("matrix", false, &o), ";color=B,150,G,200,R,100");
        assert_eq!(path("matrix", true, &o), ";B=150;G=200;R=100");
        assert_eq!(path("label", false, &s), ".blue");
        assert_eq!(path("label", false, &a), ".blue,black,brown");
        assert_eq!(path("label", true, &a), ".blue.black.brown");
        assert_eq!(path("label", false, &o), ".B,150,G,200,R,100");
        assert_eq!(path("label", true, &o), ".B=150.G=200.R=100");
        assert_eq!(path("simple", false, &s), "blue");
        assert_eq!(path("simple", false, &a), "blue,black,brown");
        assert_eq!(path("simple", true, &a), "blue,black,brown");
        assert_eq!(path("simple", false, &o), "B,150,G,200,R,100");
        assert_eq!(path("simple", true, &o), "B=150,G=200,R=100");

        let q = |style, explode, v: &Value| {
            in_query("color", style, explode, v)
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        };
        assert_eq!(q("form", false, &s), "color=blue");
        assert_eq!(q("form", true, &s), "color=blue");
        assert_eq!(q("form", false, &a), "color=blue,black,brown");
        assert_eq!(q("form", true, &a), "color=blue&color=black&color=brown");
        assert_eq!(q("form", false, &o), "color=B,150,G,200,R,100");
        assert_eq!(q("form", true, &o), "B=150&G=200&R=100");
        assert_eq!(q("spaceDelimited", false, &a), "color=blue black brown");
        assert_eq!(q("pipeDelimited", false, &a), "color=blue|black|brown");
        assert_eq!(
            q("deepObject", true, &o),
            "color[B]=150&color[G]=200&color[R]=100"
        );
    }
}
