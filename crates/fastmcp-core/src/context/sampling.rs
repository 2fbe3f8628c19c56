//! Sampling: asking the client's model for a completion.

use fastmcp_protocol::{CreateMessageRequestParams, CreateMessageResult};
use serde_json::json;

use super::{Context, Keyed};
use crate::Error;

impl Context {
    /// Ask the client's model for a completion.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.sample_with(None, params).await
    }

    pub(super) async fn sample_with(
        &self,
        key: Option<&str>,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        let caps = self.client_capabilities();
        self.require(caps.sampling.is_some(), json!({ "sampling": {} }))?;
        if params.tools.is_some() || params.tool_choice.is_some() {
            let tools_ok = caps.sampling.as_ref().is_some_and(|s| s.tools.is_some());
            self.require(tools_ok, json!({ "sampling": { "tools": {} } }))?;
        }
        let params = serde_json::to_value(params).map_err(|e| Error::internal(e.to_string()))?;
        let v = self
            .ask(key, "sample", "sampling/createMessage", params)
            .await?;
        serde_json::from_value(v).map_err(|e| Error::internal(format!("bad sampling result: {e}")))
    }

    /// Ask the client's model to answer a prompt; returns the text of its reply.
    pub async fn sample_text(&self, prompt: &str, max_tokens: u32) -> Result<String, Error> {
        let params: CreateMessageRequestParams = serde_json::from_value(json!({
            "messages": [{ "role": "user", "content": { "type": "text", "text": prompt } }],
            "maxTokens": max_tokens
        }))
        .map_err(|e| Error::internal(e.to_string()))?;
        let result = self.sample(params).await?;
        let v = serde_json::to_value(&result).map_err(|e| Error::internal(e.to_string()))?;
        let content = &v["content"];
        let text = if content.is_array() {
            &content[0]["text"]
        } else {
            &content["text"]
        };
        Ok(text.as_str().unwrap_or_default().to_owned())
    }
}

impl Keyed<'_> {
    /// [`Context::sample`] under this key.
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Error> {
        self.ctx.sample_with(Some(self.key), params).await
    }
}
