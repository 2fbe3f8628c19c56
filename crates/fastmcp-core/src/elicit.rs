//! Typed elicitation: a form schema generated from a Rust type, and its answer.

use fastmcp_protocol::{ElicitAction, ElicitResult};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Error;

/// The user's answer to a typed elicitation.
#[derive(Debug, Clone, PartialEq)]
pub enum Elicited<T> {
    /// The user submitted the form.
    Accept(T),
    /// The user declined.
    Decline,
    /// The user dismissed the request.
    Cancel,
}

impl<T: DeserializeOwned> Elicited<T> {
    /// Read an elicitation result as `T`.
    pub fn from_result(r: ElicitResult) -> Result<Self, Error> {
        match r.action {
            ElicitAction::Accept => {
                let content = Value::Object(r.content.unwrap_or_default());
                serde_json::from_value(content)
                    .map(Elicited::Accept)
                    .map_err(|e| {
                        Error::invalid_params(format!("elicited content does not match: {e}"))
                    })
            }
            ElicitAction::Decline => Ok(Elicited::Decline),
            ElicitAction::Cancel => Ok(Elicited::Cancel),
        }
    }
}

/// The flat object schema of `T` as elicitation wants it: `type`, `properties`, `required`,
/// with `$ref`s to enums inlined and schemars' extra keys removed.
pub fn elicitation_schema<T: schemars::JsonSchema>() -> Value {
    let schema = crate::schema::schema_for::<T>();
    let mut out = serde_json::Map::new();
    out.insert("type".into(), "object".into());
    if let Some(p) = schema.get("properties") {
        out.insert("properties".into(), p.clone());
    }
    if let Some(r) = schema.get("required") {
        out.insert("required".into(), r.clone());
    }
    Value::Object(out)
}
