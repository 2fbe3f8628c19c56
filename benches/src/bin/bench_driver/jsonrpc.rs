//! Raw JSON-RPC: requests built from a suffix serialized once, responses read only far
//! enough to find their id, and the full checks of `initialize` and tool answers.

use anyhow::{anyhow, bail};
use serde::Deserialize;
use serde_json::{json, Value};

pub const PROTOCOL: &str = "2025-06-18";
pub const MESSAGE: &str = "hello";

pub fn initialize_body(id: u64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL,
            "capabilities": {},
            "clientInfo": { "name": "bench-driver", "version": "0" }
        }
    }))
    .expect("serializable")
}

pub const INITIALIZED: &[u8] = br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// The part of a request after its id: `,"method":...}`.
pub fn call_suffix(tool: &str, args: Value) -> Vec<u8> {
    let rest = json!({ "method": "tools/call", "params": { "name": tool, "arguments": args } });
    let mut s = serde_json::to_vec(&rest).expect("serializable");
    s[0] = b','; // `{"method"...` becomes `,"method"...`
    s
}

/// Append the request with `id` and `suffix` to `out`.
pub fn request(id: u64, suffix: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    out.extend_from_slice(id.to_string().as_bytes());
    out.extend_from_slice(suffix);
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    method: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    error: Option<Value>,
}

/// The id of a response; `None` for notifications and server requests.
pub fn response_id(line: &[u8]) -> anyhow::Result<Option<u64>> {
    let h: Head = serde_json::from_slice(line).map_err(|e| {
        let start: String = String::from_utf8_lossy(&line[..line.len().min(200)]).into();
        anyhow!("unparsable message ({e}): {start}")
    })?;
    if h.method.is_some() {
        return Ok(None);
    }
    if let Some(err) = h.error {
        bail!("error response: {err}");
    }
    match h.id {
        Some(Value::Number(n)) => Ok(n.as_u64()),
        Some(other) => bail!("unexpected id {other}"),
        None => Ok(None),
    }
}

pub fn check_init(v: &Value) -> anyhow::Result<()> {
    if v["result"]["protocolVersion"].is_string() {
        Ok(())
    } else {
        bail!("bad initialize response: {}", short(v))
    }
}

/// Check a `tools/call` result: one text block holding exactly `expected`.
pub fn check_echo(v: &Value, expected: &str) -> anyhow::Result<()> {
    let r = &v["result"];
    let block = &r["content"][0];
    if r["isError"] == json!(true) || block["type"] != "text" {
        bail!("bad tools/call response: {}", short(v));
    }
    match block["text"].as_str() {
        Some(t) if t == expected => Ok(()),
        Some(t) => bail!(
            "echo returned {} bytes ({}), expected {} bytes",
            t.len(),
            t.chars().take(40).collect::<String>(),
            expected.len()
        ),
        None => bail!("bad tools/call response: {}", short(v)),
    }
}

/// The start of a message, for error texts.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    s.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_makes_a_valid_request() {
        let mut buf = Vec::new();
        request(7, &call_suffix("echo", json!({"message": "hi"})), &mut buf);
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["id"], 7);
        assert_eq!(v["params"]["arguments"]["message"], "hi");
    }
}
