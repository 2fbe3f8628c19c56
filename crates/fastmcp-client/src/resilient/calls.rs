//! The requests of a [`Resilient`] client, each marked safe to retry or not.

use std::collections::HashMap;

use fastmcp_core::Error;
use fastmcp_protocol::{
    CallToolResult, GetPromptResult, Prompt, ReadResourceResult, Resource, ResourceTemplate, Tool,
};
use serde_json::Value;

use super::Resilient;

impl Resilient {
    /// The server's tools (retried).
    pub async fn list_tools(&self) -> Result<Vec<Tool>, Error> {
        self.run(true, |c| Box::pin(async move { c.list_tools().await }))
            .await
    }

    /// The server's resources (retried).
    pub async fn list_resources(&self) -> Result<Vec<Resource>, Error> {
        self.run(true, |c| Box::pin(async move { c.list_resources().await }))
            .await
    }

    /// The server's resource templates (retried).
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, Error> {
        self.run(true, |c| {
            Box::pin(async move { c.list_resource_templates().await })
        })
        .await
    }

    /// The server's prompts (retried).
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, Error> {
        self.run(true, |c| Box::pin(async move { c.list_prompts().await }))
            .await
    }

    /// Read a resource (retried).
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, Error> {
        let uri = uri.to_owned();
        self.run(true, move |c| {
            let uri = uri.clone();
            Box::pin(async move { c.read_resource(&uri).await })
        })
        .await
    }

    /// Get a prompt (retried).
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: HashMap<String, String>,
    ) -> Result<GetPromptResult, Error> {
        let name = name.to_owned();
        self.run(true, move |c| {
            let (name, arguments) = (name.clone(), arguments.clone());
            Box::pin(async move { c.get_prompt(&name, arguments).await })
        })
        .await
    }

    /// Ping (retried).
    pub async fn ping(&self) -> Result<(), Error> {
        self.run(true, |c| Box::pin(async move { c.ping().await }))
            .await
    }

    /// Call a tool. After a lost connection it is called again only when its annotations
    /// say it is idempotent (`idempotentHint: true`, as the tool list says); otherwise the
    /// error is returned, since the first call may have run.
    pub async fn call_tool(&self, name: &str, arguments: Value) -> Result<CallToolResult, Error> {
        let retry = self.idempotent(name).await;
        let name = name.to_owned();
        self.run(retry, move |c| {
            let (name, arguments) = (name.clone(), arguments.clone());
            Box::pin(async move { c.call_tool(&name, arguments).await })
        })
        .await
    }

    /// Whether the tool says it is idempotent (a list that cannot be read: no).
    async fn idempotent(&self, name: &str) -> bool {
        let Ok(tools) = self.list_tools().await else {
            return false;
        };
        tools
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| t.annotations.as_ref())
            .and_then(|a| a.idempotent_hint)
            .unwrap_or(false)
    }
}
