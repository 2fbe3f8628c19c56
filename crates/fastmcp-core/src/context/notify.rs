//! Notifications to the client: progress, logging and list changes.

use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    ElicitationCompleteNotificationParams, Era, LoggingLevel, ProgressNotificationParams,
    ProgressToken, ProtocolVersion,
};
use serde::Serialize;
use serde_json::json;

use super::Context;
use crate::Error;

impl Context {
    /// Send a notification to the client.
    pub async fn notify(&self, method: &str, params: impl Serialize) -> Result<(), Error> {
        self.inner.peer.notify(method, to_raw(&params)).await
    }

    /// Report progress, when the client asked for it with a progress token.
    pub async fn report_progress(
        &self,
        progress: f64,
        total: Option<f64>,
        message: Option<&str>,
    ) -> Result<(), Error> {
        let Some(token) = &self.inner.progress_token else {
            return Ok(());
        };
        let p = ProgressNotificationParams {
            progress_token: token.clone(),
            progress,
            total,
            message: message.map(str::to_owned),
            meta: None,
        };
        self.notify("notifications/progress", p).await
    }

    /// Whether progress reports go anywhere.
    pub fn progress_token(&self) -> Option<&ProgressToken> {
        self.inner.progress_token.as_ref()
    }

    /// Send a log message, if the client's level lets it through.
    pub async fn log(
        &self,
        level: LoggingLevel,
        logger: Option<&str>,
        data: impl Serialize,
    ) -> Result<(), Error> {
        if !self.inner.session.wants_log(level) {
            return Ok(());
        }
        let mut p = json!({ "level": level, "data": data });
        if let Some(l) = logger {
            p["logger"] = json!(l);
        }
        self.notify("notifications/message", p).await
    }

    /// Log at debug level.
    pub async fn debug(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Debug, None, message).await
    }

    /// Log at info level.
    pub async fn info(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Info, None, message).await
    }

    /// Log at warning level.
    pub async fn warning(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Warning, None, message).await
    }

    /// Log at error level.
    pub async fn error(&self, message: impl Serialize) -> Result<(), Error> {
        self.log(LoggingLevel::Error, None, message).await
    }

    /// Tell the client that the URL-mode elicitation `elicitation_id` is complete
    /// (`notifications/elicitation/complete`), so that it may retry what needed it. Only
    /// handshake-era sessions of 2025-11-25 and later have this notification; elsewhere
    /// it does nothing.
    ///
    /// ```
    /// # async fn f(ctx: fastmcp_core::Context) -> Result<(), fastmcp_core::Error> {
    /// ctx.elicitation_complete("calendar-1").await?;
    /// # Ok(()) }
    /// ```
    pub async fn elicitation_complete(&self, elicitation_id: &str) -> Result<(), Error> {
        let session = self.session();
        let handshake = session.era() == Era::Handshake;
        if !handshake || session.protocol_version() < Some(ProtocolVersion::V2025_11_25) {
            return Ok(());
        }
        let p = ElicitationCompleteNotificationParams {
            meta: None,
            elicitation_id: elicitation_id.to_owned(),
        };
        self.notify("notifications/elicitation/complete", p).await
    }

    /// Tell the client the tool list changed.
    pub async fn send_tool_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/tools/list_changed", json!({}))
            .await
    }

    /// Tell the client the resource list changed.
    pub async fn send_resource_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/resources/list_changed", json!({}))
            .await
    }

    /// Tell the client the prompt list changed.
    pub async fn send_prompt_list_changed(&self) -> Result<(), Error> {
        self.notify("notifications/prompts/list_changed", json!({}))
            .await
    }
}
