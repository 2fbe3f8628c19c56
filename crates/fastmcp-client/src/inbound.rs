//! The client's reading side: every inbound message goes to the request it answers, to
//! the handler, or to the server-request limiter; when the transport ends, every request
//! waiting for an answer fails and later ones fail at once.

use std::sync::Arc;

use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::Notification;
use fastmcp_protocol::{Message, ProgressNotificationParams, RequestId};
use fastmcp_transport::Inbound;
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::mpsc::Receiver;

use crate::connection::Wire;
use crate::server_requests::ServerRequests;

pub(crate) async fn read_loop(
    wire: Arc<Wire>,
    mut inbound: Receiver<Inbound>,
    requests: Arc<ServerRequests>,
) {
    while let Some(frame) = inbound.recv().await {
        let Ok(bytes) = frame else { continue };
        if Message::is_batch(&bytes) {
            let texts: Vec<Box<RawValue>> = serde_json::from_slice(&bytes).unwrap_or_default();
            for t in texts {
                one(&wire, &requests, t.get().as_bytes()).await;
            }
        } else {
            one(&wire, &requests, &bytes).await;
        }
    }
    wire.transport_ended();
}

async fn one(wire: &Arc<Wire>, requests: &Arc<ServerRequests>, bytes: &[u8]) {
    let m = match Message::parse(bytes) {
        Ok(m) => m,
        Err(_) => return malformed_reply(wire, bytes),
    };
    match m {
        Message::Response(r) => wire.reply(r.id, Ok(r.result)),
        Message::Error(e) => {
            if let Some(id) = e.id {
                wire.reply(id, Err(Error::from_error_object(e.error)));
            }
        }
        Message::Notification(n) => notification(wire, requests, n),
        Message::Request(r) => requests.dispatch(wire, r).await,
    }
}

/// An inbound message that is not valid JSON-RPC but looks like the answer to one of our
/// requests (no `method`, an `id` we are waiting for, a `result` or an `error`, e.g. both):
/// that request fails with a clear error instead of waiting for an answer that will not
/// come.
fn malformed_reply(wire: &Wire, bytes: &[u8]) {
    let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(bytes) else {
        tracing::debug!("dropping an inbound message that is not JSON-RPC");
        return;
    };
    if o.contains_key("method") || !(o.contains_key("result") || o.contains_key("error")) {
        tracing::debug!("dropping an invalid inbound message");
        return;
    }
    let Some(Ok(id)) = o
        .get("id")
        .map(|v| serde_json::from_value::<RequestId>(v.clone()))
    else {
        return;
    };
    let what = if o.contains_key("result") && o.contains_key("error") {
        "carries both result and error"
    } else {
        "is not a valid JSON-RPC response"
    };
    wire.reply(
        id.clone(),
        Err(Error::transport(format!(
            "invalid answer from the server: the response to request {id} {what}"
        ))),
    );
}

fn notification(wire: &Wire, requests: &ServerRequests, n: Notification) {
    let h = &*requests.handler;
    let p = n.params.as_deref();
    match &*n.method {
        "notifications/progress" => {
            if let Some(Ok(v)) =
                p.map(|p| serde_json::from_str::<ProgressNotificationParams>(p.get()))
            {
                wire.progress_seen(&v.progress_token);
                match wire.progress_callback(&v.progress_token) {
                    Some(f) => f(v),
                    None => h.on_progress(v),
                }
            }
        }
        "notifications/message" => {
            if let Some(Ok(v)) = p.map(|p| serde_json::from_str(p.get())) {
                h.on_log(v);
            }
        }
        other => h.on_notification(other, p),
    }
}
