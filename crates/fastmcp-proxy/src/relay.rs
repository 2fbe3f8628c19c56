//! The handler of an upstream connection: what the upstream server asks (elicitation,
//! sampling, roots) is asked of the client whose call it serves, its log messages go to
//! that client, its list changes and resource updates to every session of the proxy.

use std::sync::Arc;

use fastmcp_client::ClientHandler;
use fastmcp_core::{BoxFuture, Error, ErrorKind};
use fastmcp_protocol::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, ElicitationCapability, ListRootsResult, LoggingMessageNotificationParams,
    RootsCapability, SamplingCapability,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::callers::{Callers, Event, Picked};
use crate::catalog::Catalog;

pub(crate) struct Relay {
    pub(crate) callers: Arc<Callers>,
    catalog: Arc<Catalog>,
    capabilities: ClientCapabilities,
}

impl Relay {
    /// A relay that declares `capabilities` upstream (`None`: every one it can relay).
    pub(crate) fn new(
        callers: Arc<Callers>,
        catalog: Arc<Catalog>,
        capabilities: Option<ClientCapabilities>,
    ) -> Self {
        Relay {
            callers,
            catalog,
            capabilities: relayable(capabilities),
        }
    }

    /// Ask the caller's client `method`, and keep an input request of the stateless era
    /// for the call it ends.
    async fn ask<P: Serialize, T: DeserializeOwned>(&self, method: &str, p: P) -> Result<T, Error> {
        let Picked { ctx, held, .. } = self.callers.pick()?;
        let params = serde_json::to_value(p).map_err(|e| Error::internal(e.to_string()))?;
        match ctx.relay_request(method, params).await {
            Ok(v) => serde_json::from_value(v)
                .map_err(|e| Error::internal(format!("the client's {method} answer: {e}"))),
            Err(e) => {
                if e.kind() == ErrorKind::InputRequired {
                    held.hold(&e);
                }
                Err(e)
            }
        }
    }
}

/// What of `c` a proxy can relay (elicitation, sampling, roots), or all of it.
fn relayable(c: Option<ClientCapabilities>) -> ClientCapabilities {
    match c {
        Some(c) => ClientCapabilities {
            elicitation: c.elicitation,
            sampling: c.sampling,
            roots: c.roots.map(|_| RootsCapability { list_changed: None }),
            ..Default::default()
        },
        None => ClientCapabilities {
            elicitation: Some(ElicitationCapability {
                form: Some(Default::default()),
                url: Some(Default::default()),
            }),
            sampling: Some(SamplingCapability::default()),
            roots: Some(RootsCapability { list_changed: None }),
            ..Default::default()
        },
    }
}

impl ClientHandler for Relay {
    fn capabilities(&self) -> ClientCapabilities {
        self.capabilities.clone()
    }

    fn elicit(&self, params: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        Box::pin(self.ask("elicitation/create", params))
    }

    fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> BoxFuture<'_, Result<CreateMessageResult, Error>> {
        Box::pin(self.ask("sampling/createMessage", params))
    }

    fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
        Box::pin(self.ask("roots/list", serde_json::json!({})))
    }

    fn on_log(&self, params: LoggingMessageNotificationParams) {
        match self.callers.pick() {
            Ok(to) => {
                if to.events.try_send(Event::Log(params)).is_err() {
                    tracing::debug!("proxy: an upstream log message dropped (backlog full)");
                }
            }
            Err(e) => tracing::debug!("proxy: an upstream log message kept back: {}", e.message()),
        }
    }

    fn on_notification(&self, method: &str, params: Option<&RawValue>) {
        let params = params.and_then(|p| serde_json::from_str(p.get()).ok());
        self.catalog.upstream_said(method, params.as_ref());
    }
}
