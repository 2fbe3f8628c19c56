//! The operations of an OpenAPI 3.0 or 3.1 document: method, path, names, tags, every
//! parameter (path-level ones merged in), the JSON request body and the JSON schema of
//! the success response, with `$ref`s resolved.

use serde_json::Value;

use crate::refs::resolve;

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
    /// In a cookie.
    Cookie,
}

impl Location {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "path" => Location::Path,
            "query" => Location::Query,
            "header" => Location::Header,
            "cookie" => Location::Cookie,
            _ => return None,
        })
    }

    /// Its name in a document (`path`, `query`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) required: bool,
    pub(crate) schema: Value,
    pub(crate) style: String,
    pub(crate) explode: bool,
    pub(crate) description: Option<String>,
}

/// One operation.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) operation_id: Option<String>,
    pub(crate) summary: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) params: Vec<Param>,
    /// The JSON request body's schema, and whether it is required.
    pub(crate) body: Option<(Value, bool)>,
    /// The schema of the first 2xx JSON response.
    pub(crate) output: Option<Value>,
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document's operations (an operation that cannot be read is left out, with a
/// warning naming it).
pub(crate) fn operations(doc: &Value) -> Result<Vec<Operation>, String> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !(version.starts_with("3.0") || version.starts_with("3.1")) {
        return Err(format!(
            "not an OpenAPI 3.0 or 3.1 document (openapi: {version:?})"
        ));
    }
    let Some(paths) = doc.get("paths") else {
        return Ok(vec![]); // 3.1 allows a document of webhooks or components only
    };
    let paths = paths.as_object().ok_or("`paths` is not an object")?;
    let mut out = vec![];
    for (path, item) in paths {
        let item = resolve(doc, item).map_err(|e| format!("{path}: {e}"))?;
        let shared = item.get("parameters").cloned().unwrap_or(Value::Null);
        for m in METHODS {
            let Some(op) = item.get(m) else { continue };
            match operation(m, path, op, &shared) {
                Ok(o) => out.push(o),
                Err(e) => tracing::warn!("OpenAPI: {} {path} left out: {e}", m.to_uppercase()),
            }
        }
    }
    Ok(out)
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn operation(method: &str, path: &str, op: &Value, shared: &Value) -> Result<Operation, String> {
    if !op.is_object() {
        return Err("not an object".into());
    }
    let mut params: Vec<Param> = vec![];
    for p in shared.as_array().into_iter().flatten().chain(
        op.get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten(),
    ) {
        let p = param(p)?;
        // An operation's parameter replaces the path's of the same name and place.
        params.retain(|q| !(q.name == p.name && q.location == p.location));
        params.push(p);
    }
    let body = match op.get("requestBody") {
        Some(b) => json_schema(b.get("content"))
            .map(|s| (s, b.get("required") == Some(&Value::Bool(true)))),
        None => None,
    };
    let output = op
        .get("responses")
        .and_then(Value::as_object)
        .and_then(|rs| {
            rs.iter()
                .find(|(code, _)| code.starts_with('2'))
                .map(|(_, r)| r)
        })
        .and_then(|r| json_schema(r.get("content")));
    let tags = op
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    Ok(Operation {
        method: method.to_uppercase(),
        path: path.to_owned(),
        operation_id: string(op, "operationId"),
        summary: string(op, "summary"),
        description: string(op, "description"),
        tags: tags.filter_map(Value::as_str).map(str::to_owned).collect(),
        params,
        body,
        output,
    })
}

/// The schema of the JSON media type of a `content` map (`application/json`, or any
/// `+json` type).
fn json_schema(content: Option<&Value>) -> Option<Value> {
    let content = content?.as_object()?;
    let (_, media) = content
        .iter()
        .find(|(t, _)| *t == "application/json" || t.ends_with("+json"))?;
    Some(
        media
            .get("schema")
            .cloned()
            .unwrap_or(Value::Object(Default::default())),
    )
}

fn param(p: &Value) -> Result<Param, String> {
    let name = string(p, "name").ok_or("a parameter without a name")?;
    let loc = string(p, "in").unwrap_or_default();
    let location =
        Location::parse(&loc).ok_or_else(|| format!("parameter {name}: bad `in` {loc:?}"))?;
    let style = string(p, "style").unwrap_or_else(|| {
        match location {
            Location::Path | Location::Header => "simple",
            Location::Query | Location::Cookie => "form",
        }
        .to_owned()
    });
    let explode = p
        .get("explode")
        .and_then(Value::as_bool)
        .unwrap_or(style == "form");
    let schema = p
        .get("schema")
        .cloned()
        .or_else(|| json_schema(p.get("content")))
        .unwrap_or(Value::Object(Default::default()));
    Ok(Param {
        required: location == Location::Path || p.get("required") == Some(&Value::Bool(true)),
        description: string(p, "description"),
        name,
        location,
        schema,
        style,
        explode,
    })
}
