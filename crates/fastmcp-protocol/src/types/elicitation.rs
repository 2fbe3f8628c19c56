//! Elicitation (`elicitation/create`): the server asks the user for input, by a form
//! (2025-06-18 and later) or by sending them to a URL (2025-11-25 and later).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{tag, JsonObject, Meta, TaskMetadata};

/// Params of a form-mode elicitation: a message and a flat object schema to fill in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestFormParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// `"form"`, or absent (form is the default mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<tag::Form>,
    /// The message to present to the user.
    pub message: String,
    /// A restricted JSON Schema: an object with primitive-typed properties
    /// (see [`RequestedSchema`](super::RequestedSchema) for a typed builder).
    pub requested_schema: Value,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

/// Params of a URL-mode elicitation: the user is sent to a URL (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ElicitRequestUrlParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Always `"url"`.
    pub mode: tag::Url,
    /// The message explaining why the interaction is needed.
    pub message: String,
    /// The URL the user should navigate to.
    pub url: String,
    /// The id of the elicitation, unique within the server's context (2025-11-25; not in 2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elicitation_id: Option<String>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
}

impl ElicitRequestUrlParams {
    /// A URL-mode elicitation: `message` tells the user why, `url` is where to go,
    /// `elicitation_id` names it in `notifications/elicitation/complete`.
    ///
    /// ```
    /// use fastmcp_protocol::ElicitRequestUrlParams;
    /// let p = ElicitRequestUrlParams::new("Sign in", "https://example.com/auth", "e1");
    /// let v = serde_json::to_value(&p).unwrap();
    /// assert_eq!(v["mode"], "url");
    /// assert_eq!(v["elicitationId"], "e1");
    /// ```
    pub fn new(
        message: impl Into<String>,
        url: impl Into<String>,
        elicitation_id: impl Into<String>,
    ) -> Self {
        ElicitRequestUrlParams {
            message: message.into(),
            url: url.into(),
            elicitation_id: Some(elicitation_id.into()),
            ..Default::default()
        }
    }
}

/// Params of `elicitation/create`: form mode or URL mode, chosen by `mode`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ElicitRequestParams {
    /// Form mode (`mode` absent or `"form"`).
    Form(ElicitRequestFormParams),
    /// URL mode (`mode: "url"`).
    Url(ElicitRequestUrlParams),
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Value::deserialize(d)?;
        match v.get("mode") {
            None => super::from_value(v).map(ElicitRequestParams::Form),
            Some(Value::String(m)) if m == "form" => {
                super::from_value(v).map(ElicitRequestParams::Form)
            }
            Some(Value::String(m)) if m == "url" => {
                super::from_value(v).map(ElicitRequestParams::Url)
            }
            Some(Value::String(m)) => Err(D::Error::unknown_variant(m, &["form", "url"])),
            Some(_) => Err(D::Error::custom("`mode` must be a string")),
        }
    }
}

impl Default for ElicitRequestParams {
    fn default() -> Self {
        ElicitRequestParams::Form(ElicitRequestFormParams::default())
    }
}

impl ElicitRequestParams {
    /// A form-mode request (mode left implicit).
    pub fn form(message: impl Into<String>, requested_schema: Value) -> Self {
        ElicitRequestParams::Form(ElicitRequestFormParams {
            message: message.into(),
            requested_schema,
            ..Default::default()
        })
    }

    /// A URL-mode request.
    pub fn url(message: impl Into<String>, url: impl Into<String>) -> Self {
        ElicitRequestParams::Url(ElicitRequestUrlParams {
            message: message.into(),
            url: url.into(),
            ..Default::default()
        })
    }

    /// The message to present to the user.
    pub fn message(&self) -> &str {
        match self {
            ElicitRequestParams::Form(f) => &f.message,
            ElicitRequestParams::Url(u) => &u.message,
        }
    }
}

impl From<ElicitRequestFormParams> for ElicitRequestParams {
    fn from(v: ElicitRequestFormParams) -> Self {
        ElicitRequestParams::Form(v)
    }
}

impl From<ElicitRequestUrlParams> for ElicitRequestParams {
    fn from(v: ElicitRequestUrlParams) -> Self {
        ElicitRequestParams::Url(v)
    }
}

/// The user's action in response to an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ElicitAction {
    /// The user submitted the form or confirmed the action.
    Accept,
    /// The user explicitly declined.
    Decline,
    /// The user dismissed without an explicit choice.
    #[default]
    Cancel,
}

/// The client's answer to `elicitation/create`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ElicitResult {
    /// The user's action.
    pub action: ElicitAction,
    /// The submitted form data, present only when `action` is accept in form mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<JsonObject>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl ElicitResult {
    /// An accepted elicitation with form data (`None` for URL mode).
    pub fn accept(content: Option<JsonObject>) -> Self {
        ElicitResult {
            action: ElicitAction::Accept,
            content,
            meta: None,
        }
    }

    /// A declined elicitation.
    pub fn decline() -> Self {
        ElicitResult {
            action: ElicitAction::Decline,
            ..Default::default()
        }
    }

    /// A cancelled elicitation.
    pub fn cancel() -> Self {
        ElicitResult::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn mode_selects_the_variant() {
        let p: ElicitRequestParams = serde_json::from_value(
            json!({"message":"m","requestedSchema":{"type":"object","properties":{}}}),
        )
        .unwrap();
        assert!(matches!(&p, ElicitRequestParams::Form(f) if f.mode.is_none()));
        let p: ElicitRequestParams =
            serde_json::from_value(json!({"mode":"url","message":"m","url":"https://x"})).unwrap();
        assert!(matches!(p, ElicitRequestParams::Url(_)));
        assert!(
            serde_json::from_value::<ElicitRequestParams>(json!({"mode":"x","message":"m"}))
                .is_err()
        );
    }
}
