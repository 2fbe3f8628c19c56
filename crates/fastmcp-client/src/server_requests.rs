//! The server's requests to the client: answered through the handler, only for the
//! capabilities the client declared, and at most [`ClientBuilder::max_server_requests`]
//! of them at once.
//!
//! [`ClientBuilder::max_server_requests`]: crate::ClientBuilder::max_server_requests

use std::sync::Arc;

use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::{to_raw, ErrorResponse, Request, Response};
use fastmcp_protocol::{ClientCapabilities, Message};
use serde_json::value::RawValue;
use tokio::sync::Semaphore;

use crate::connection::Wire;
use crate::handler::ClientHandler;

/// The default most server requests handled at once.
pub const DEFAULT_MAX_SERVER_REQUESTS: usize = 64;

/// Who answers the server's requests, and how many at once.
pub(crate) struct ServerRequests {
    pub(crate) handler: Arc<dyn ClientHandler>,
    pub(crate) capabilities: ClientCapabilities,
    permits: Arc<Semaphore>,
    limit: usize,
}

impl ServerRequests {
    pub(crate) fn new(
        handler: Arc<dyn ClientHandler>,
        capabilities: ClientCapabilities,
        limit: usize,
    ) -> Arc<Self> {
        let limit = limit.max(1);
        Arc::new(ServerRequests {
            handler,
            capabilities,
            permits: Arc::new(Semaphore::new(limit)),
            limit,
        })
    }

    /// Answer `r` in a task of its own, or, when `limit` are already being answered, at
    /// once with an error (sent before the next inbound message is read, so a server that
    /// does not read its answers stalls on its own writes instead of growing the client).
    pub(crate) async fn dispatch(self: &Arc<Self>, wire: &Arc<Wire>, r: Request) {
        let Ok(permit) = self.permits.clone().try_acquire_owned() else {
            let e = Error::limit_exceeded(format!(
                "client busy: already answering {} server requests (the client's \
                 max_server_requests); {} refused",
                self.limit, r.method
            ))
            .with_data(serde_json::json!({ "maxServerRequests": self.limit }));
            tracing::debug!("{}", e.message());
            let _ = wire.send(reply(r.id, Err(e))).await;
            return;
        };
        let (w, s) = (wire.clone(), self.clone());
        tokio::spawn(async move {
            let a = answer(&*s.handler, &s.capabilities, &r.method, r.params.as_deref()).await;
            let _ = w.send(reply(r.id, a)).await;
            drop(permit);
        });
    }
}

fn reply(id: fastmcp_protocol::RequestId, a: Result<Box<RawValue>, Error>) -> Message {
    match a {
        Ok(result) => Message::Response(Response { id, result }),
        Err(e) => Message::Error(ErrorResponse {
            id: Some(id),
            error: e.to_error_object(),
        }),
    }
}

/// Run a server-to-client request through the handler (also used for MRTR rounds). A
/// request for a capability the client did not declare is refused with "method not
/// found", whatever the handler would say.
pub(crate) async fn answer(
    h: &dyn ClientHandler,
    caps: &ClientCapabilities,
    method: &str,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    let text = params.map_or("{}", RawValue::get);
    let bad = |e: serde_json::Error| Error::invalid_params(e.to_string());
    let declared = match method {
        "elicitation/create" => caps.elicitation.is_some(),
        "sampling/createMessage" => caps.sampling.is_some(),
        "roots/list" => caps.roots.is_some(),
        _ => true,
    };
    if !declared {
        return Err(
            Error::method_not_found(method).with_data(serde_json::json!({
                "reason": "the client did not declare this capability"
            })),
        );
    }
    match method {
        "elicitation/create" => Ok(to_raw(
            &h.elicit(serde_json::from_str(text).map_err(bad)?).await?,
        )),
        "sampling/createMessage" => Ok(to_raw(
            &h.sample(serde_json::from_str(text).map_err(bad)?).await?,
        )),
        "roots/list" => Ok(to_raw(&h.list_roots().await?)),
        "ping" => Ok(to_raw(&serde_json::json!({}))),
        other => Err(Error::method_not_found(other)),
    }
}
