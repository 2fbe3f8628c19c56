//! 2026-07-28 request metadata headers: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
//! and `Mcp-Param-*` must be present where required and match the body (-32020 otherwise).

use axum::http::HeaderMap;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Decode a header value, unwrapping the `=?base64?...?=` sentinel. `None` when the
/// value is not valid.
pub(crate) fn decode_value(raw: &str) -> Option<String> {
    match raw
        .strip_prefix("=?base64?")
        .and_then(|r| r.strip_suffix("?="))
    {
        Some(b64) => String::from_utf8(STANDARD.decode(b64).ok()?).ok(),
        None => Some(raw.to_owned()),
    }
}

/// Encode a value for a header (the client side of the rule).
pub fn encode_header_value(v: &str) -> String {
    let sentinel = v.starts_with("=?base64?") && v.ends_with("?=");
    let plain = v.bytes().all(|b| (0x20..=0x7e).contains(&b))
        && !v.starts_with(' ')
        && !v.ends_with(' ')
        && !sentinel;
    if plain && !v.is_empty() {
        v.to_owned()
    } else {
        format!("=?base64?{}?=", STANDARD.encode(v))
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, String> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(Some)
            .map_err(|_| format!("{name} header has invalid characters")),
    }
}

#[derive(Deserialize, Default)]
struct Probe<'a> {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
    #[serde(default, rename = "taskId")]
    task_id: Option<String>,
    #[serde(default, borrow)]
    arguments: Option<&'a RawValue>,
}

/// Check the headers of a stateless-era request against its body.
pub(crate) fn validate(
    h: &HeaderMap,
    method: &str,
    params: Option<&RawValue>,
    body_version: &str,
    tool_schema: Option<&Value>,
) -> Result<(), String> {
    match header(h, "mcp-protocol-version")? {
        None => return Err("Header mismatch: MCP-Protocol-Version header is missing".into()),
        Some(v) if v != body_version => {
            return Err(format!(
                "Header mismatch: MCP-Protocol-Version header value '{v}' does not match body value '{body_version}'"
            ))
        }
        Some(_) => {}
    }
    match header(h, "mcp-method")? {
        None => return Err("Header mismatch: Mcp-Method header is missing".into()),
        Some(v) if v != method => {
            return Err(format!(
            "Header mismatch: Mcp-Method header value '{v}' does not match body value '{method}'"
        ))
        }
        Some(_) => {}
    }
    // SEP-2243, and SEP-2663 for the tasks extension's methods (`Mcp-Name` is the task id).
    let needs_name = matches!(
        method,
        "tools/call"
            | "resources/read"
            | "prompts/get"
            | "tasks/get"
            | "tasks/update"
            | "tasks/cancel"
    );
    if !needs_name {
        return Ok(());
    }
    let probe: Probe<'_> = params
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .unwrap_or_default();
    let body_name = match method {
        "resources/read" => probe.uri,
        "tasks/get" | "tasks/update" | "tasks/cancel" => probe.task_id,
        _ => probe.name,
    };
    let Some(body_name) = body_name else {
        return Ok(()); // the router reports the missing param itself
    };
    let Some(raw) = header(h, "mcp-name")? else {
        return Err("Header mismatch: Mcp-Name header is missing".into());
    };
    let name = decode_value(raw).ok_or("Header mismatch: Mcp-Name header is not valid base64")?;
    if name != body_name {
        return Err(format!("Header mismatch: Mcp-Name header value '{name}' does not match body value '{body_name}'"));
    }
    if let (Some(schema), "tools/call") = (tool_schema, method) {
        let args: Value = probe
            .arguments
            .and_then(|a| serde_json::from_str(a.get()).ok())
            .unwrap_or(Value::Null);
        check_params(h, schema, &args)?;
    }
    Ok(())
}

/// Every `x-mcp-header` property reachable through `properties` alone, with its path.
fn annotated(schema: &Value, path: &mut Vec<String>, out: &mut Vec<(String, Vec<String>, Value)>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (k, sub) in props {
        path.push(k.clone());
        if let Some(name) = sub.get("x-mcp-header").and_then(Value::as_str) {
            out.push((name.to_owned(), path.clone(), sub.clone()));
        }
        annotated(sub, path, out);
        path.pop();
    }
}

fn check_params(h: &HeaderMap, schema: &Value, args: &Value) -> Result<(), String> {
    let mut found = vec![];
    annotated(schema, &mut vec![], &mut found);
    for (name, path, _) in found {
        let mut v = args;
        for p in &path {
            v = v.get(p).unwrap_or(&Value::Null);
        }
        let header_name = format!("mcp-param-{}", name.to_ascii_lowercase());
        let got = header(h, &header_name)?;
        match (v, got) {
            (Value::Null, None) => {}
            (Value::Null, Some(_)) => {
                return Err(format!(
                    "Header mismatch: Mcp-Param-{name} is set but the argument is absent"
                ))
            }
            (_, None) => {
                return Err(format!(
                    "Header mismatch: Mcp-Param-{name} header is missing"
                ))
            }
            (body, Some(raw)) => {
                let decoded = decode_value(raw).ok_or_else(|| {
                    format!("Header mismatch: Mcp-Param-{name} is not valid base64")
                })?;
                let same = match body {
                    Value::String(s) => *s == decoded,
                    Value::Bool(b) => decoded == b.to_string(),
                    Value::Number(n) => decoded
                        .parse::<f64>()
                        .ok()
                        .zip(n.as_f64())
                        .is_some_and(|(a, b)| a == b),
                    _ => false,
                };
                if !same {
                    return Err(format!(
                        "Header mismatch: Mcp-Param-{name} header value '{decoded}' does not match body value {body}"
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn hm(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        m
    }

    fn raw(v: Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&v).unwrap()
    }

    #[test]
    fn encoding_round_trips() {
        for v in [
            "us-west1",
            "Hello, 世界",
            " padded ",
            "line1\nline2",
            "=?base64?literal?=",
        ] {
            assert_eq!(decode_value(&encode_header_value(v)).unwrap(), v);
        }
        assert_eq!(
            encode_header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_header_value("us-west1"), "us-west1");
    }

    #[test]
    fn names_must_match() {
        let p = raw(json!({"name": "get_weather"}));
        let ok = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "get_weather"),
        ]);
        assert!(validate(&ok, "tools/call", Some(&p), "2026-07-28", None).is_ok());
        let b64 = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "=?base64?Z2V0X3dlYXRoZXI=?="),
        ]);
        assert!(validate(&b64, "tools/call", Some(&p), "2026-07-28", None).is_ok());
        let bad = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "other"),
        ]);
        assert!(validate(&bad, "tools/call", Some(&p), "2026-07-28", None).is_err());
        let missing = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
        ]);
        assert!(validate(&missing, "tools/call", Some(&p), "2026-07-28", None).is_err());
        let wrong_method = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/list"),
        ]);
        assert!(validate(&wrong_method, "tools/call", Some(&p), "2026-07-28", None).is_err());
        let wrong_version = hm(&[
            ("mcp-protocol-version", "2025-11-25"),
            ("mcp-method", "tools/list"),
        ]);
        assert!(validate(&wrong_version, "tools/list", None, "2026-07-28", None).is_err());
    }

    #[test]
    fn task_methods_name_the_task() {
        let p = raw(json!({"taskId": "t-1"}));
        let ok = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tasks/get"),
            ("mcp-name", "t-1"),
        ]);
        assert!(validate(&ok, "tasks/get", Some(&p), "2026-07-28", None).is_ok());
        let bad = hm(&[
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tasks/cancel"),
            ("mcp-name", "t-2"),
        ]);
        assert!(validate(&bad, "tasks/cancel", Some(&p), "2026-07-28", None).is_err());
    }

    #[test]
    fn param_headers_follow_the_schema() {
        let schema = json!({"type": "object", "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "n": {"type": "integer", "x-mcp-header": "N"},
            "q": {"type": "string"}
        }});
        let base = [
            ("mcp-protocol-version", "2026-07-28"),
            ("mcp-method", "tools/call"),
            ("mcp-name", "sql"),
        ];
        let p = raw(json!({"name": "sql", "arguments": {"region": "us-west1", "n": 42, "q": "x"}}));
        let mut ok = base.to_vec();
        ok.extend([("mcp-param-region", "us-west1"), ("mcp-param-n", "42.0")]);
        assert!(validate(
            &hm(&ok),
            "tools/call",
            Some(&p),
            "2026-07-28",
            Some(&schema)
        )
        .is_ok());
        let mut missing = base.to_vec();
        missing.push(("mcp-param-region", "us-west1"));
        assert!(validate(
            &hm(&missing),
            "tools/call",
            Some(&p),
            "2026-07-28",
            Some(&schema)
        )
        .is_err());
        let mut wrong = base.to_vec();
        wrong.extend([("mcp-param-region", "eu"), ("mcp-param-n", "42")]);
        assert!(validate(
            &hm(&wrong),
            "tools/call",
            Some(&p),
            "2026-07-28",
            Some(&schema)
        )
        .is_err());
        let absent = raw(json!({"name": "sql", "arguments": {"q": "x"}}));
        assert!(validate(
            &hm(&base),
            "tools/call",
            Some(&absent),
            "2026-07-28",
            Some(&schema)
        )
        .is_ok());
    }
}
