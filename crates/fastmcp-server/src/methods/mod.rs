//! The MCP methods, one module each, over the shared [`Call`] type; [`dispatch`] routes a
//! request to its method.

mod completion;
mod extension;
mod lifecycle;
mod prompts;
mod resources;
mod stamp;
mod subscriptions;
mod tools;

use std::sync::Arc;

use fastmcp_core::{Error, ErrorKind};
use serde_json::value::RawValue;

use crate::call::Call;
use crate::runtime::Runtime;
use crate::tasks;

pub(crate) use lifecycle::capabilities;

/// Methods of the handshake era only.
const HANDSHAKE_ONLY: [&str; 6] = [
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
    "notifications/initialized",
];

/// Run a request's method. In the stateless era a missing resource is -32602 (earlier
/// versions use -32002).
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
pub(crate) fn dispatch<'a>(
    rt: &'a Arc<Runtime>,
    call: &'a Call,
    method: &'a str,
    params: Option<Box<RawValue>>,
) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + 'a {
    async move {
        match route(rt, call, method, params).await {
            Err(e) if e.kind() == ErrorKind::ResourceNotFound && call.stateless() => {
                let data = e.data().cloned();
                let e = Error::invalid_params(e.message().to_owned());
                Err(match data {
                    Some(d) => e.with_data(d),
                    None => e,
                })
            }
            other => other,
        }
    }
}

/// The method's handler. An `async` block, as [`crate::service::Pipeline::call`] is.
#[allow(clippy::manual_async_fn)] // an `async fn` keeps its arguments twice
fn route<'a>(
    rt: &'a Arc<Runtime>,
    call: &'a Call,
    method: &'a str,
    owned: Option<Box<RawValue>>,
) -> impl std::future::Future<Output = Result<Box<RawValue>, Error>> + Send + 'a {
    async move {
        if !call.stateless()
            && call.session.protocol_version().is_none()
            && !matches!(method, "initialize" | "ping" | "server/discover")
        {
            return Err(Error::invalid_request(format!(
                "Received {method} before initialization"
            )));
        }
        if call.stateless() && HANDSHAKE_ONLY.contains(&method) {
            return Err(Error::method_not_found(method));
        }
        let params = owned.as_deref();
        match method {
            "initialize" => lifecycle::initialize(rt, call, params),
            "ping" => lifecycle::ping(call),
            "server/discover" => lifecycle::discover(rt),
            "logging/setLevel" => lifecycle::set_level(call, params),
            "tools/list" => tools::list(rt, call, params).await,
            // The params are handed over: the arguments stay where they are in them.
            "tools/call" => tools::call_tool(rt, call, owned).await,
            "resources/list" => resources::list(rt, call, params).await,
            "resources/templates/list" => resources::list_templates(rt, call, params).await,
            "resources/read" => resources::read(rt, call, params).await,
            "resources/subscribe" => subscriptions::subscribe(rt, call, params, true),
            "resources/unsubscribe" => subscriptions::subscribe(rt, call, params, false),
            "prompts/list" => prompts::list(rt, call, params).await,
            "prompts/get" => prompts::get(rt, call, params).await,
            // Boxed, as the tasks' below: the largest of these futures sets the size of
            // every request's, and these two are neither small nor frequent.
            "completion/complete" => Box::pin(completion::complete(rt, call, params)).await,
            "subscriptions/listen" => Box::pin(subscriptions::listen(rt, call, params)).await,
            "tasks/get" | "tasks/update" | "tasks/cancel" | "tasks/result" | "tasks/list" => {
                // Boxed: the tasks' futures (6 KB) would otherwise make every request's that
                // large, to be moved and allocated whenever the pipeline boxes it.
                Box::pin(tasks::dispatch(rt, call, method, params)).await
            }
            other => match rt.config.extensions.for_method(other) {
                Some(ext) => extension::handle(rt, call, ext.clone(), other, params).await,
                None => Err(Error::method_not_found(other)),
            },
        }
    }
}
