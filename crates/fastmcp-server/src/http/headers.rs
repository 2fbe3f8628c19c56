//! 2026-07-28 request metadata headers: `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`
//! and `Mcp-Param-*` must be present where required and match the body (-32020 otherwise).

use axum::http::HeaderMap;
/// Encode a value for a header (the client side of the rule); see
/// [`fastmcp_protocol::http_headers`].
pub use fastmcp_protocol::http_headers::encode_header_value;
use fastmcp_protocol::http_headers::{
    annotations, decode_header_value as decode_value, name_param, param_header, param_matches,
    METHOD, NAME, PROTOCOL_VERSION,
};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A header's value. Sent twice with different values it is a mismatch too: a
/// proxy that reads the other copy would route the request elsewhere.
fn header<'a>(h: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, String> {
    let mut all = h.get_all(name).iter();
    let Some(v) = all.next() else {
        return Ok(None);
    };
    if all.any(|other| other != v) {
        return Err(format!(
            "Header mismatch: {name} header is sent more than once with different values"
        ));
    }
    v.to_str()
        .map(Some)
        .map_err(|_| format!("{name} header has invalid characters"))
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
    match header(h, PROTOCOL_VERSION)? {
        None => return Err("Header mismatch: MCP-Protocol-Version header is missing".into()),
        Some(v) if v != body_version => {
            return Err(format!(
                "Header mismatch: MCP-Protocol-Version header value '{v}' does not match body value '{body_version}'"
            ))
        }
        Some(_) => {}
    }
    match header(h, METHOD)? {
        None => return Err("Header mismatch: Mcp-Method header is missing".into()),
        Some(v) if v != method => {
            return Err(format!(
            "Header mismatch: Mcp-Method header value '{v}' does not match body value '{method}'"
        ))
        }
        Some(_) => {}
    }
    let Some(member) = name_param(method) else {
        return Ok(());
    };
    let probe: Probe<'_> = params
        .and_then(|p| serde_json::from_str(p.get()).ok())
        .unwrap_or_default();
    let body_name = match member {
        "uri" => probe.uri,
        "taskId" => probe.task_id,
        _ => probe.name,
    };
    let Some(body_name) = body_name else {
        return Ok(()); // the router reports the missing param itself
    };
    let Some(raw) = header(h, NAME)? else {
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

fn check_params(h: &HeaderMap, schema: &Value, args: &Value) -> Result<(), String> {
    for a in annotations(schema) {
        let name = &a.name;
        let v = a.value(args).unwrap_or(&Value::Null);
        let got = header(h, &param_header(name))?;
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
                let same = param_matches(body, &decoded);
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
        let mut twice = ok.clone();
        twice.append("mcp-method", "tools/list".parse().unwrap());
        assert!(validate(&twice, "tools/call", Some(&p), "2026-07-28", None).is_err());
        let mut twice = ok.clone();
        twice.append("mcp-name", "other".parse().unwrap());
        assert!(validate(&twice, "tools/call", Some(&p), "2026-07-28", None).is_err());
        let mut same = ok.clone();
        same.append("mcp-name", "get_weather".parse().unwrap());
        assert!(validate(&same, "tools/call", Some(&p), "2026-07-28", None).is_ok());
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
