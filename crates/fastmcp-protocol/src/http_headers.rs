//! The request headers of 2026-07-28 Streamable HTTP, as rules on plain strings: which
//! methods carry `Mcp-Name`, how header values are encoded (the `=?base64?...?=`
//! sentinel), and the `x-mcp-header` annotations of tool input schemas that mirror
//! arguments into `Mcp-Param-*` headers. Used by both the client and the server; no I/O.
//!
//! ```
//! use fastmcp_protocol::http_headers::{decode_header_value, encode_header_value};
//! assert_eq!(encode_header_value("us-west1"), "us-west1");
//! let encoded = encode_header_value("Hello, 世界");
//! assert_eq!(encoded, "=?base64?SGVsbG8sIOS4lueVjA==?=");
//! assert_eq!(decode_header_value(&encoded).as_deref(), Some("Hello, 世界"));
//! ```

use std::collections::HashSet;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::Value;

/// Header: the protocol version of the request.
pub const PROTOCOL_VERSION: &str = "mcp-protocol-version";
/// Header: the JSON-RPC method of the request (2026-07-28).
pub const METHOD: &str = "mcp-method";
/// Header: the tool, prompt, resource URI or task the request names (2026-07-28).
pub const NAME: &str = "mcp-name";
/// Header: the session id (handshake era).
pub const SESSION_ID: &str = "mcp-session-id";
/// The prefix of the headers that mirror annotated tool arguments (lower case).
pub const PARAM_PREFIX: &str = "mcp-param-";

const SENTINEL_START: &str = "=?base64?";
const SENTINEL_END: &str = "?=";

/// Whether a value must be sent base64-encoded: it is empty, is not printable ASCII, has
/// a leading or trailing space, or looks like the sentinel itself.
pub fn needs_encoding(v: &str) -> bool {
    let sentinel = v.starts_with(SENTINEL_START) && v.ends_with(SENTINEL_END);
    v.is_empty()
        || sentinel
        || v.starts_with(' ')
        || v.ends_with(' ')
        || !v.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// Encode a value for a header: as it is when it is plain, else `=?base64?...?=`.
///
/// ```
/// use fastmcp_protocol::http_headers::encode_header_value;
/// assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
/// ```
pub fn encode_header_value(v: &str) -> String {
    if needs_encoding(v) {
        format!("{SENTINEL_START}{}{SENTINEL_END}", STANDARD.encode(v))
    } else {
        v.to_owned()
    }
}

/// Decode a header value, unwrapping the base64 sentinel; `None` when the sentinel holds
/// no valid base64 of UTF-8 text.
///
/// ```
/// use fastmcp_protocol::http_headers::decode_header_value;
/// assert_eq!(decode_header_value("=?base64?aGVsbG8=?=").as_deref(), Some("hello"));
/// assert_eq!(decode_header_value("plain").as_deref(), Some("plain"));
/// assert_eq!(decode_header_value("=?base64?!!?="), None);
/// ```
pub fn decode_header_value(raw: &str) -> Option<String> {
    match raw
        .strip_prefix(SENTINEL_START)
        .and_then(|r| r.strip_suffix(SENTINEL_END))
    {
        Some(b64) => String::from_utf8(STANDARD.decode(b64).ok()?).ok(),
        None => Some(raw.to_owned()),
    }
}

/// Whether requests of `method` carry `Mcp-Name` (SEP-2243; SEP-2663 adds the tasks
/// extension's methods, named by their task id).
pub fn method_has_name(method: &str) -> bool {
    name_param(method).is_some()
}

/// The member of `params` that `Mcp-Name` repeats for `method`, if it has one.
///
/// ```
/// use fastmcp_protocol::http_headers::name_param;
/// assert_eq!(name_param("resources/read"), Some("uri"));
/// assert_eq!(name_param("tasks/get"), Some("taskId"));
/// assert_eq!(name_param("tools/list"), None);
/// ```
pub fn name_param(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        "tasks/get" | "tasks/update" | "tasks/cancel" => Some("taskId"),
        _ => None,
    }
}

/// Whether `name` is an RFC 9110 token (the allowed form of a header name).
pub fn is_token(name: &str) -> bool {
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    !name.is_empty() && name.bytes().all(ok)
}

/// The (lower-case) header that mirrors the argument annotated `x-mcp-header: name`.
///
/// ```
/// assert_eq!(fastmcp_protocol::http_headers::param_header("Region"), "mcp-param-region");
/// ```
pub fn param_header(name: &str) -> String {
    format!("{PARAM_PREFIX}{}", name.to_ascii_lowercase())
}

/// The text of a `Mcp-Param-*` value before encoding: strings as they are, numbers in
/// decimal, booleans as `true`/`false`; `None` for other values.
pub fn param_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a decoded `Mcp-Param-*` value stands for the argument `body` (numbers are
/// compared as numbers, so `42.0` matches `42`).
///
/// ```
/// use fastmcp_protocol::http_headers::param_matches;
/// use serde_json::json;
/// assert!(param_matches(&json!(42), "42.0"));
/// assert!(param_matches(&json!(true), "true"));
/// assert!(!param_matches(&json!("eu"), "us"));
/// ```
pub fn param_matches(body: &Value, decoded: &str) -> bool {
    match body {
        Value::String(s) => s == decoded,
        Value::Bool(b) => decoded == b.to_string(),
        Value::Number(n) => decoded
            .parse::<f64>()
            .ok()
            .zip(n.as_f64())
            .is_some_and(|(a, b)| a == b),
        _ => false,
    }
}

/// One `x-mcp-header` annotation: the header name it gives and the path of the argument
/// (the `properties` keys from the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The name as written in the schema (`Region` for `Mcp-Param-Region`).
    pub name: String,
    /// The property keys from the root schema to the annotated property.
    pub path: Vec<String>,
}

impl Annotation {
    /// The argument this annotation mirrors, found in a tool call's `arguments`.
    pub fn value<'a>(&self, arguments: &'a Value) -> Option<&'a Value> {
        self.path.iter().try_fold(arguments, |v, k| v.get(k))
    }
}

/// Every `x-mcp-header` annotation reachable from the root through `properties` alone.
///
/// ```
/// use fastmcp_protocol::http_headers::annotations;
/// use serde_json::json;
/// let schema = json!({"properties": {"o": {"properties": {"r": {"x-mcp-header": "R"}}}}});
/// let found = annotations(&schema);
/// assert_eq!((found[0].name.as_str(), found[0].path.len()), ("R", 2));
/// ```
pub fn annotations(schema: &Value) -> Vec<Annotation> {
    let mut out = vec![];
    collect(schema, &mut vec![], &mut out);
    out
}

fn collect(schema: &Value, path: &mut Vec<String>, out: &mut Vec<Annotation>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, sub) in props {
        path.push(k.clone());
        if let Some(name) = sub.get("x-mcp-header").and_then(Value::as_str) {
            out.push(Annotation {
                name: name.to_owned(),
                path: path.clone(),
            });
        }
        collect(sub, path, out);
        path.pop();
    }
}

/// Check the `x-mcp-header` annotations of a tool's input schema against the rules of
/// 2026-07-28 (Streamable HTTP, "custom headers from tool parameters"); a client must
/// exclude a tool whose schema breaks one. An annotation must sit on a property reached
/// from the root through `properties` keys alone (not under `items`, `$defs`, `allOf`,
/// ...); name a header with a non-empty RFC 9110 token, unique within the tool ignoring
/// case; and be on a property of type `string`, `integer` or `boolean` (`null` may be
/// added to the type list).
///
/// ```
/// use fastmcp_protocol::http_headers::check_header_annotations;
/// use serde_json::json;
/// let ok = json!({"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}});
/// assert!(check_header_annotations(&ok).is_ok());
/// let bad = json!({"type": "object", "properties": {"score": {"type": "number", "x-mcp-header": "Score"}}});
/// assert!(check_header_annotations(&bad).is_err());
/// ```
pub fn check_header_annotations(schema: &Value) -> Result<(), String> {
    let mut seen = HashSet::new();
    check_node(schema, true, false, "#", &mut seen)
}

/// `chain`: the root or a property reached through `properties` alone; `property`: a
/// property of such a schema (where an annotation may stand).
fn check_node(
    v: &Value,
    chain: bool,
    property: bool,
    path: &str,
    seen: &mut HashSet<String>,
) -> Result<(), String> {
    match v {
        Value::Object(o) => {
            if let Some(h) = o.get("x-mcp-header") {
                check_annotation(o, h, property, path, seen)?;
            }
            for (k, sub) in o {
                match k.as_str() {
                    "x-mcp-header" | "const" | "enum" | "default" | "examples" => {}
                    "properties" if sub.is_object() => {
                        for (name, p) in sub.as_object().into_iter().flatten() {
                            let at = format!("{path}/properties/{name}");
                            check_node(p, chain, chain, &at, seen)?;
                        }
                    }
                    _ => check_node(sub, false, false, &format!("{path}/{k}"), seen)?,
                }
            }
            Ok(())
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_node(x, false, false, &format!("{path}/{i}"), seen)),
        _ => Ok(()),
    }
}

fn check_annotation(
    o: &serde_json::Map<String, Value>,
    h: &Value,
    property: bool,
    path: &str,
    seen: &mut HashSet<String>,
) -> Result<(), String> {
    if !property {
        return Err(format!(
            "x-mcp-header at {path} is not on a property reached through `properties`"
        ));
    }
    let name = h
        .as_str()
        .ok_or_else(|| format!("x-mcp-header at {path} is not a string"))?;
    if !is_token(name) {
        return Err(format!(
            "x-mcp-header {name:?} at {path} is not an HTTP token"
        ));
    }
    if !seen.insert(name.to_ascii_lowercase()) {
        return Err(format!(
            "x-mcp-header {name:?} at {path} is used twice (case-insensitively)"
        ));
    }
    let permitted = |t: &Value| matches!(t.as_str(), Some("string" | "integer" | "boolean"));
    let typed = match o.get("type") {
        Some(Value::Array(ts)) => {
            ts.iter().any(permitted)
                && ts
                    .iter()
                    .all(|t| permitted(t) || t.as_str() == Some("null"))
        }
        Some(t) => permitted(t),
        None => false,
    };
    if !typed {
        return Err(format!(
            "x-mcp-header {name:?} at {path} is on a property that is not of type string, integer or boolean"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_follow_the_sentinel_rule() {
        assert_eq!(encode_header_value("get_weather"), "get_weather");
        assert_eq!(
            encode_header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            encode_header_value("line1\nline2"),
            "=?base64?bGluZTEKbGluZTI=?="
        );
        assert_eq!(
            encode_header_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
        assert_eq!(encode_header_value(""), "=?base64??=");
        for v in [
            "us-west1",
            "Hello, 世界",
            " padded ",
            "line1\nline2",
            "=?base64?literal?=",
            "",
        ] {
            assert_eq!(decode_header_value(&encode_header_value(v)).unwrap(), v);
        }
        assert_eq!(decode_header_value("=?base64?/w==?="), None, "not UTF-8");
    }

    #[test]
    fn names_and_params() {
        assert!(method_has_name("tools/call") && method_has_name("tasks/cancel"));
        assert!(!method_has_name("initialize"));
        assert!(is_token("X-Region_1") && !is_token("My Region") && !is_token(""));
        assert!(!is_token("Région") && !is_token("a:b"));
        assert_eq!(param_text(&json!(42)), Some("42".into()));
        assert_eq!(param_text(&json!(true)), Some("true".into()));
        assert_eq!(param_text(&json!(null)), None);
        assert!(param_matches(&json!(1.5), "1.50"));
        assert!(!param_matches(&json!(null), "null"));
    }

    #[test]
    fn invalid_annotations_are_refused() {
        let tool = |props: Value| json!({"type": "object", "properties": props});
        let ok = [
            tool(json!({"region": {"type": "string", "x-mcp-header": "Region"}})),
            tool(
                json!({"n": {"type": "integer", "x-mcp-header": "N"}, "b": {"type": "boolean", "x-mcp-header": "B"}}),
            ),
            tool(json!({"opt": {"type": ["string", "null"], "x-mcp-header": "Opt"}})),
            tool(
                json!({"o": {"type": "object", "properties": {"r": {"type": "string", "x-mcp-header": "R"}}}}),
            ),
            tool(json!({"x-mcp-header": {"type": "string"}})),
            tool(
                json!({"d": {"type": "object", "default": {"x-mcp-header": "Data, not an annotation"}}}),
            ),
            json!({"type": "object"}),
        ];
        for s in &ok {
            assert_eq!(check_header_annotations(s), Ok(()), "{s}");
        }
        let bad = [
            tool(json!({"v": {"type": "string", "x-mcp-header": ""}})),
            tool(json!({"v": {"type": "object", "x-mcp-header": "Data"}})),
            tool(
                json!({"v": {"type": "array", "items": {"type": "string"}, "x-mcp-header": "Items"}}),
            ),
            tool(json!({"v": {"type": "null", "x-mcp-header": "Nil"}})),
            tool(json!({"v": {"type": "number", "x-mcp-header": "Score"}})),
            tool(json!({"v": {"x-mcp-header": "Untyped"}})),
            tool(
                json!({"a": {"type": "string", "x-mcp-header": "Region"}, "b": {"type": "string", "x-mcp-header": "Region"}}),
            ),
            tool(
                json!({"a": {"type": "string", "x-mcp-header": "MyField"}, "b": {"type": "string", "x-mcp-header": "myfield"}}),
            ),
            tool(json!({"v": {"type": "string", "x-mcp-header": "My Region"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Region:Primary"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Région"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": "Region\t1"}})),
            tool(json!({"v": {"type": "string", "x-mcp-header": 7}})),
            tool(
                json!({"list": {"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}}}),
            ),
            json!({"type": "object", "$defs": {"r": {"type": "string", "x-mcp-header": "R"}}}),
            json!({"type": "object", "allOf": [{"properties": {"r": {"type": "string", "x-mcp-header": "R"}}}]}),
            json!({"type": "object", "x-mcp-header": "Root"}),
        ];
        for s in &bad {
            assert!(check_header_annotations(s).is_err(), "{s}");
        }
    }

    #[test]
    fn annotations_are_found_through_properties_only() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "opts": {"type": "object", "properties": {"n": {"type": "integer", "x-mcp-header": "N"}}},
            "list": {"type": "array", "items": {"x-mcp-header": "Nope"}},
            "q": {"type": "string"}
        }});
        let mut out = annotations(&schema);
        out.sort_by(|a, b| a.name.cmp(&b.name));
        let got: Vec<_> = out
            .iter()
            .map(|a| (a.name.as_str(), a.path.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("N", vec!["opts".to_owned(), "n".to_owned()]),
                ("Region", vec!["region".to_owned()]),
            ]
        );
        let args = json!({"opts": {"n": 3}});
        assert_eq!(out[0].value(&args), Some(&json!(3)));
        assert_eq!(out[1].value(&args), None);
        assert_eq!(param_header("Region"), "mcp-param-region");
    }
}
