//! The client handler of `conformance-client`: answers what a server asks of a user.
//!
//! Elicitation is accepted with the form's defaults (SEP-1034) and a plausible value for
//! every required field without one; sampling answers with a fixed assistant message;
//! roots are one folder. Notifications are written to stderr (the suite keeps it).

use fastmcp::client::ClientHandler;
use fastmcp::core::{BoxFuture, Error};
use fastmcp::protocol::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, JsonObject,
    ListRootsResult, LoggingMessageNotificationParams, ProgressNotificationParams,
};
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// Answers as a cooperative user would.
#[derive(Debug, Default, Clone, Copy)]
pub struct Handler;

impl ClientHandler for Handler {
    fn capabilities(&self) -> fastmcp::protocol::ClientCapabilities {
        fastmcp::client::Supports {
            elicitation: true,
            sampling: true,
            roots: true,
        }
        .capabilities()
    }

    fn elicit(&self, params: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        let result = match &params {
            ElicitRequestParams::Form(f) => {
                let content = fill_form(&f.requested_schema);
                eprintln!(
                    "conformance-client: elicitation {:?}: accept {}",
                    f.message,
                    Value::Object(content.clone())
                );
                ElicitResult::accept(Some(content))
            }
            ElicitRequestParams::Url(u) => {
                eprintln!("conformance-client: URL elicitation {:?}: accept", u.url);
                ElicitResult::accept(None)
            }
        };
        Box::pin(async move { Ok(result) })
    }

    fn sample(
        &self,
        p: CreateMessageRequestParams,
    ) -> BoxFuture<'_, Result<CreateMessageResult, Error>> {
        let n = p.messages.len();
        Box::pin(async move {
            serde_json::from_value(json!({
                "role": "assistant",
                "content": {"type": "text", "text": format!("A sampled answer to {n} message(s).")},
                "model": "conformance-client",
                "stopReason": "endTurn"
            }))
            .map_err(|e| Error::internal(e.to_string()))
        })
    }

    fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
        Box::pin(async {
            serde_json::from_value(json!({
                "roots": [{"uri": "file:///tmp/conformance-client", "name": "conformance-client"}]
            }))
            .map_err(|e| Error::internal(e.to_string()))
        })
    }

    fn on_progress(&self, p: ProgressNotificationParams) {
        eprintln!(
            "conformance-client: progress {}",
            serde_json::to_string(&p).unwrap_or_default()
        );
    }

    fn on_log(&self, p: LoggingMessageNotificationParams) {
        eprintln!(
            "conformance-client: log {}",
            serde_json::to_string(&p).unwrap_or_default()
        );
    }

    fn on_notification(&self, method: &str, params: Option<&RawValue>) {
        eprintln!(
            "conformance-client: notification {method} {}",
            params.map_or("", RawValue::get)
        );
    }
}

/// The content of an accepted form: each property's `default` when it has one (SEP-1034),
/// otherwise a value of its type for the required ones; optional properties without a
/// default are left out.
pub fn fill_form(schema: &Value) -> JsonObject {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = JsonObject::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (name, prop) in props {
        if let Some(d) = prop.get("default") {
            out.insert(name.clone(), d.clone());
        } else if required.contains(&name.as_str()) {
            out.insert(name.clone(), sample_value(prop));
        }
    }
    out
}

/// A value that satisfies a primitive property schema: the first enum member, the minimum
/// of a number, `true`, a string of the minimum length, ...
pub fn sample_value(prop: &Value) -> Value {
    if let Some(first) = prop
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(first) = prop
        .get("oneOf")
        .or_else(|| prop.get("anyOf"))
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .and_then(|c| c.get("const"))
    {
        return first.clone();
    }
    if let Some(c) = prop.get("const") {
        return c.clone();
    }
    match prop.get("type").and_then(Value::as_str) {
        Some("boolean") => json!(true),
        Some("integer") => json!(prop.get("minimum").and_then(Value::as_i64).unwrap_or(1)),
        Some("number") => json!(prop.get("minimum").and_then(Value::as_f64).unwrap_or(1.0)),
        Some("array") => match prop.get("items").and_then(|i| i.get("enum")) {
            Some(Value::Array(e)) if !e.is_empty() => json!([e[0].clone()]),
            _ => json!([]),
        },
        Some("object") => Value::Object(fill_form(prop)),
        Some("null") => Value::Null,
        _ => {
            let min = prop.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            match prop.get("format").and_then(Value::as_str) {
                Some("email") => json!("user@example.com"),
                Some("uri") => json!("https://example.com/"),
                Some("date") => json!("2025-01-01"),
                Some("date-time") => json!("2025-01-01T00:00:00Z"),
                _ => json!("x".repeat(min.max(4))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_the_form_and_required_fields_get_a_value() {
        let schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "default": "John Doe"},
                "age": {"type": "integer", "default": 30},
                "status": {"type": "string", "enum": ["a", "b"], "default": "b"},
                "confirmed": {"type": "boolean"},
                "nickname": {"type": "string"}
            },
            "required": ["confirmed"]
        });
        let c = fill_form(&schema);
        assert_eq!(c["name"], "John Doe");
        assert_eq!(c["age"], 30);
        assert_eq!(c["status"], "b");
        assert_eq!(c["confirmed"], true);
        assert!(!c.contains_key("nickname"));
    }
}
