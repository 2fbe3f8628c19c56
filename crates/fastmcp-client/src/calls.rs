//! Tool calls, prompts, resources, completion and the log level.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use fastmcp_core::Error;
use fastmcp_protocol::{
    CallToolResult, CompleteResult, GetPromptResult, LoggingLevel, ProgressNotificationParams,
    ReadResourceResult, RequestId,
};
use serde::Serialize;
use serde_json::{json, Value};

use crate::client::Client;

impl Client {
    /// Call a tool.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<CallToolResult, Error> {
        self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Call a tool, receiving its progress notifications in `on_progress` (this call's own
    /// progress token; other calls' progress still goes to the handler).
    pub async fn call_tool_with_progress(
        &self,
        name: &str,
        arguments: impl Serialize,
        on_progress: impl Fn(ProgressNotificationParams) + Send + Sync + 'static,
    ) -> Result<CallToolResult, Error> {
        let params = json!({ "name": name, "arguments": arguments });
        let v = self
            .request_with_progress("tools/call", params, self.inner.timeouts.idle, on_progress)
            .await?;
        serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad tools/call result: {e}")))
    }

    /// Send any request with a progress token of its own, its progress notifications going
    /// to `on_progress`, and return the raw JSON result (`params` must be an object or
    /// null; `timeout` as in [`Client::request_value`]).
    ///
    /// ```no_run
    /// # async fn f(client: fastmcp_client::Client) -> Result<(), fastmcp_core::Error> {
    /// let params = serde_json::json!({ "name": "slow_report", "arguments": {} });
    /// let result = client
    ///     .request_with_progress("tools/call", params, None, |p| println!("{}", p.progress))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn request_with_progress(
        &self,
        method: &str,
        mut params: Value,
        timeout: Option<std::time::Duration>,
        on_progress: impl Fn(ProgressNotificationParams) + Send + Sync + 'static,
    ) -> Result<Value, Error> {
        let token = RequestId::String(
            format!(
                "progress-{}",
                self.inner.progress_seq.fetch_add(1, Ordering::Relaxed)
            )
            .into(),
        );
        let _guard = self
            .inner
            .wire
            .on_progress(token.clone(), Arc::new(on_progress));
        if params.is_null() {
            params = json!({});
        }
        let Some(p) = params.as_object_mut() else {
            return Err(Error::invalid_params(format!(
                "{method}: params must be an object"
            )));
        };
        let meta = p.entry("_meta").or_insert_with(|| json!({}));
        match meta.as_object_mut() {
            Some(m) => {
                m.insert("progressToken".into(), json!(token));
            }
            None => *meta = json!({ "progressToken": token }),
        }
        self.request_value(method, params, timeout).await
    }

    /// Read a resource.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        self.request("resources/read", json!({ "uri": uri })).await
    }

    /// Subscribe to a resource's updates (handshake era).
    pub async fn subscribe(&self, uri: &str) -> Result<(), Error> {
        self.request::<Value>("resources/subscribe", json!({ "uri": uri }))
            .await?;
        self.remember_subscription(uri, true);
        Ok(())
    }

    /// Unsubscribe (handshake era).
    pub async fn unsubscribe(&self, uri: &str) -> Result<(), Error> {
        self.request::<Value>("resources/unsubscribe", json!({ "uri": uri }))
            .await?;
        self.remember_subscription(uri, false);
        Ok(())
    }

    /// Render a prompt.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: impl Serialize,
    ) -> Result<GetPromptResult, Error> {
        self.request(
            "prompts/get",
            json!({ "name": name, "arguments": arguments }),
        )
        .await
    }

    /// Complete a prompt argument.
    pub async fn complete_prompt(
        &self,
        prompt: &str,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        self.request(
            "completion/complete",
            json!({ "ref": { "type": "ref/prompt", "name": prompt }, "argument": { "name": argument, "value": value } }),
        )
        .await
    }

    /// Complete a resource template variable.
    pub async fn complete_resource(
        &self,
        template: &str,
        argument: &str,
        value: &str,
    ) -> Result<CompleteResult, Error> {
        self.request(
            "completion/complete",
            json!({ "ref": { "type": "ref/resource", "uri": template }, "argument": { "name": argument, "value": value } }),
        )
        .await
    }

    /// Set the server's log level (handshake era).
    pub async fn set_log_level(&self, level: LoggingLevel) -> Result<(), Error> {
        self.request::<Value>("logging/setLevel", json!({ "level": level }))
            .await?;
        self.remember_log_level(level);
        Ok(())
    }
}
