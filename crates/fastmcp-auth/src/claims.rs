//! Claims (of a JWT or of an introspection answer) to [`AuthInfo`].

use fastmcp_core::AuthInfo;
use serde_json::{Map, Value};

/// The identity these claims describe: `sub`; the client from `client_id`, `azp` or
/// `cid`; scopes from `scope` (space-separated) or `scp` (a string or an array); `aud` (a
/// string or an array); `iss`; `exp`; every claim kept as sent.
pub fn auth_info(claims: Map<String, Value>) -> AuthInfo {
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut who = AuthInfo::new();
    who.subject = text("sub");
    who.client_id = text("client_id")
        .or_else(|| text("azp"))
        .or_else(|| text("cid"));
    who.scopes = match claims.get("scope") {
        Some(Value::String(s)) => words(s),
        _ => claims.get("scp").map(strings_or_words).unwrap_or_default(),
    };
    who.audience = claims.get("aud").map(strings).unwrap_or_default();
    who.issuer = text("iss");
    who.expires_at = claims.get("exp").and_then(seconds);
    who.claims = claims;
    who
}

/// A time claim in seconds since the epoch (an integer, or a number with a fraction).
pub(crate) fn seconds(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

fn strings_or_words(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => words(s),
        other => strings(other),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn every_claim_maps() {
        let who = auth_info(map(json!({
            "sub": "alice", "azp": "app", "scope": "a b  c", "aud": "api",
            "iss": "https://idp", "exp": 1700000000, "x": 1
        })));
        assert_eq!(who.subject.as_deref(), Some("alice"));
        assert_eq!(who.client_id.as_deref(), Some("app"));
        assert_eq!(who.scopes, ["a", "b", "c"]);
        assert_eq!(who.audience, ["api"]);
        assert_eq!(who.issuer.as_deref(), Some("https://idp"));
        assert_eq!(who.expires_at, Some(1_700_000_000));
        assert_eq!(who.claim("x"), Some(&json!(1)));
    }

    #[test]
    fn alternatives() {
        let who = auth_info(map(json!({
            "client_id": "c1", "cid": "c3", "scp": ["r", "w"], "aud": ["a1", "a2"], "exp": 5.5
        })));
        assert_eq!(who.client_id.as_deref(), Some("c1"));
        assert_eq!(who.scopes, ["r", "w"]);
        assert_eq!(who.audience, ["a1", "a2"]);
        assert_eq!(who.expires_at, Some(5));
        let who = auth_info(map(json!({"cid": "c3", "scp": "x y", "aud": 7})));
        assert_eq!(who.client_id.as_deref(), Some("c3"));
        assert_eq!(who.scopes, ["x", "y"]);
        assert!(who.audience.is_empty());
    }
}
