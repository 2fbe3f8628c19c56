//! Multi-round-trip requests (2026-07-28): a server that needs input from the client answers
//! with an [`InputRequiredResult`]; the client retries the request with `inputResponses`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ListRootsRequestParams, ListRootsResult, Meta, ResultType,
};

/// The method name of a sampling input request.
pub const METHOD_SAMPLING_CREATE_MESSAGE: &str = "sampling/createMessage";
/// The method name of an elicitation input request.
pub const METHOD_ELICITATION_CREATE: &str = "elicitation/create";
/// The method name of a roots input request.
pub const METHOD_ROOTS_LIST: &str = "roots/list";

/// A request the server needs the client to fulfil, written `{"method": ..., "params": ...}`.
#[derive(Debug, Clone, PartialEq)]
pub enum InputRequest {
    /// `sampling/createMessage`.
    Sampling(CreateMessageRequestParams),
    /// `elicitation/create`.
    Elicitation(ElicitRequestParams),
    /// `roots/list`; the params are optional.
    ListRoots(Option<ListRootsRequestParams>),
}

impl InputRequest {
    /// The method name.
    pub const fn method(&self) -> &'static str {
        match self {
            InputRequest::Sampling(_) => METHOD_SAMPLING_CREATE_MESSAGE,
            InputRequest::Elicitation(_) => METHOD_ELICITATION_CREATE,
            InputRequest::ListRoots(_) => METHOD_ROOTS_LIST,
        }
    }
}

impl Serialize for InputRequest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let has_params = !matches!(self, InputRequest::ListRoots(None));
        let mut st = s.serialize_struct("InputRequest", 1 + usize::from(has_params))?;
        st.serialize_field("method", self.method())?;
        match self {
            InputRequest::Sampling(p) => st.serialize_field("params", p)?,
            InputRequest::Elicitation(p) => st.serialize_field("params", p)?,
            InputRequest::ListRoots(Some(p)) => st.serialize_field("params", p)?,
            InputRequest::ListRoots(None) => {}
        }
        st.end()
    }
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Wire {
            method: String,
            #[serde(default)]
            params: Option<Value>,
        }
        let w = Wire::deserialize(d)?;
        let params = || {
            w.params
                .clone()
                .ok_or_else(|| D::Error::missing_field("params"))
        };
        match w.method.as_str() {
            METHOD_SAMPLING_CREATE_MESSAGE => {
                super::from_value(params()?).map(InputRequest::Sampling)
            }
            METHOD_ELICITATION_CREATE => {
                super::from_value(params()?).map(InputRequest::Elicitation)
            }
            METHOD_ROOTS_LIST => match w.params {
                Some(p) => super::from_value(p).map(|p| InputRequest::ListRoots(Some(p))),
                None => Ok(InputRequest::ListRoots(None)),
            },
            other => Err(D::Error::unknown_variant(
                other,
                &[
                    METHOD_SAMPLING_CREATE_MESSAGE,
                    METHOD_ELICITATION_CREATE,
                    METHOD_ROOTS_LIST,
                ],
            )),
        }
    }
}

impl From<CreateMessageRequestParams> for InputRequest {
    fn from(p: CreateMessageRequestParams) -> Self {
        InputRequest::Sampling(p)
    }
}

impl From<ElicitRequestParams> for InputRequest {
    fn from(p: ElicitRequestParams) -> Self {
        InputRequest::Elicitation(p)
    }
}

/// The input requests of an [`InputRequiredResult`], by a key the server chooses.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one [`InputRequest`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum InputResponse {
    /// The answer to an elicitation (has `action`).
    Elicitation(ElicitResult),
    /// The answer to `roots/list` (has `roots`).
    ListRoots(ListRootsResult),
    /// The answer to a sampling request (has `role`, `model`, `content`).
    Sampling(CreateMessageResult),
}

impl<'de> Deserialize<'de> for InputResponse {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = Value::deserialize(d)?;
        let Some(obj) = v.as_object() else {
            return Err(D::Error::custom("an input response must be an object"));
        };
        if obj.contains_key("action") {
            super::from_value(v).map(InputResponse::Elicitation)
        } else if obj.contains_key("roots") {
            super::from_value(v).map(InputResponse::ListRoots)
        } else if obj.contains_key("role") || obj.contains_key("model") {
            super::from_value(v).map(InputResponse::Sampling)
        } else {
            Err(D::Error::custom(
                "an input response must have `action` (elicitation), `roots` (roots) \
                 or `role`/`model` (sampling)",
            ))
        }
    }
}

impl InputResponse {
    /// The elicitation answer, if this is one.
    pub fn as_elicitation(&self) -> Option<&ElicitResult> {
        match self {
            InputResponse::Elicitation(r) => Some(r),
            _ => None,
        }
    }

    /// The sampling answer, if this is one.
    pub fn as_sampling(&self) -> Option<&CreateMessageResult> {
        match self {
            InputResponse::Sampling(r) => Some(r),
            _ => None,
        }
    }

    /// The roots answer, if this is one.
    pub fn as_list_roots(&self) -> Option<&ListRootsResult> {
        match self {
            InputResponse::ListRoots(r) => Some(r),
            _ => None,
        }
    }
}

impl From<ElicitResult> for InputResponse {
    fn from(r: ElicitResult) -> Self {
        InputResponse::Elicitation(r)
    }
}

impl From<CreateMessageResult> for InputResponse {
    fn from(r: CreateMessageResult) -> Self {
        InputResponse::Sampling(r)
    }
}

impl From<ListRootsResult> for InputResponse {
    fn from(r: ListRootsResult) -> Self {
        InputResponse::ListRoots(r)
    }
}

/// The client's answers, keyed like the [`InputRequests`] they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// The result telling the client that more input is needed before the request can complete.
/// At least one of `inputRequests` or `requestState` must be present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// Always [`ResultType::InputRequired`].
    pub result_type: ResultType,
    /// What the client must provide, by key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque state the client echoes back on the retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Reserved metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Default for InputRequiredResult {
    fn default() -> Self {
        InputRequiredResult {
            result_type: ResultType::InputRequired,
            input_requests: None,
            request_state: None,
            meta: None,
        }
    }
}

impl InputRequiredResult {
    /// A result asking for these inputs.
    pub fn new(input_requests: InputRequests) -> Self {
        InputRequiredResult {
            input_requests: Some(input_requests),
            ..Default::default()
        }
    }

    /// Attach opaque request state.
    pub fn with_request_state(mut self, state: impl Into<String>) -> Self {
        self.request_state = Some(state.into());
        self
    }
}

/// Params of a retried request carrying input responses (the common part).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct InputResponseRequestParams {
    /// Request metadata.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    /// Responses to the input requests of the earlier result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// The opaque state of the earlier result, echoed back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn responses_are_told_apart_by_their_fields() {
        let r: InputResponses = serde_json::from_value(json!({
            "a": {"action": "decline"},
            "b": {"roots": []},
            "c": {"role": "assistant", "model": "m", "content": {"type": "text", "text": "x"}},
        }))
        .unwrap();
        assert!(matches!(r["a"], InputResponse::Elicitation(_)));
        assert!(matches!(r["b"], InputResponse::ListRoots(_)));
        assert!(matches!(r["c"], InputResponse::Sampling(_)));
        assert!(serde_json::from_value::<InputResponse>(json!({"x": 1})).is_err());
    }

    #[test]
    fn requests_are_tagged_by_method() {
        let r = InputRequest::ListRoots(None);
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"method": "roots/list"})
        );
        let back: InputRequest = serde_json::from_value(json!({"method": "roots/list"})).unwrap();
        assert_eq!(back, r);
        let e: InputRequest = serde_json::from_value(json!({
            "method": "elicitation/create",
            "params": {"mode": "url", "message": "m", "url": "https://x"}
        }))
        .unwrap();
        assert!(matches!(
            e,
            InputRequest::Elicitation(ElicitRequestParams::Url(_))
        ));
        assert!(serde_json::from_value::<InputRequest>(json!({"method": "ping"})).is_err());
        assert!(
            serde_json::from_value::<InputRequest>(json!({"method": "elicitation/create"}))
                .is_err()
        );
    }

    #[test]
    fn input_required_result_defaults_to_input_required() {
        let r = InputRequiredResult::default().with_request_state("s");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"resultType": "input_required", "requestState": "s"})
        );
    }
}
