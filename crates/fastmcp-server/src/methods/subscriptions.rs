//! `resources/subscribe` and `resources/unsubscribe` (handshake era), and
//! `subscriptions/listen` (2026-07-28): a long-lived request on which the server delivers
//! the notifications the client opted in to, each tagged with the subscription id.

use fastmcp_core::{CancelReason, Error};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    ResultType, SubscribeRequestParams, SubscriptionFilter, SubscriptionsListenRequestParams,
    META_SUBSCRIPTION_ID,
};
use serde_json::value::RawValue;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::lifecycle::ping;
use crate::call::{parse, raw, Call};
use crate::changes::ServerEvent;
use crate::runtime::Runtime;

pub(crate) fn subscribe(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
    on: bool,
) -> Result<Box<RawValue>, Error> {
    let p: SubscribeRequestParams = parse(params)?;
    if on {
        let max = rt.config.limits.max_subscriptions_per_session;
        if !call.session.subscribe_within(&p.uri, max) {
            return Err(Error::limit_exceeded(format!(
                "Too many subscriptions: a session may subscribe to {max} resources; \
                 unsubscribe from one first"
            )));
        }
    } else {
        call.session.unsubscribe(&p.uri);
    }
    ping(call)
}

pub(crate) async fn listen(
    rt: &Runtime,
    call: &Call,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    if !call.stateless() {
        return Err(Error::method_not_found("subscriptions/listen"));
    }
    let p: SubscriptionsListenRequestParams = parse(params)?;
    let k = rt.kinds();
    let want = p.notifications;
    let resources = k.resources || k.templates;
    let agreed = SubscriptionFilter {
        tools_list_changed: want.tools_list_changed.filter(|b| *b && k.tools),
        prompts_list_changed: want.prompts_list_changed.filter(|b| *b && k.prompts),
        resources_list_changed: want.resources_list_changed.filter(|b| *b && resources),
        resource_subscriptions: want.resource_subscriptions.filter(|_| resources),
    };
    let mut events = rt.changes.subscribe();
    let meta = json!({ META_SUBSCRIPTION_ID: call.id });
    call.peer
        .notify(
            "notifications/subscriptions/acknowledged",
            to_raw(&json!({ "_meta": meta, "notifications": agreed })),
        )
        .await?;
    let reason = loop {
        let ev = tokio::select! {
            r = call.scope.cancelled() => break r,
            _ = rt.shutdown.cancelled() => break CancelReason::Shutdown,
            ev = events.recv() => ev,
        };
        let events = match ev {
            Ok(ev) => vec![ev],
            // Fell behind: what it skipped may have changed anything it listens to.
            Err(RecvError::Lagged(_)) => {
                let subscribed = agreed.resource_subscriptions.clone().unwrap_or_default();
                rt.missed(subscribed)
            }
            Err(RecvError::Closed) => break CancelReason::Shutdown,
        };
        for (method, mut params) in events.into_iter().filter_map(|ev| deliver(&agreed, ev)) {
            params["_meta"] = meta.clone();
            call.peer.notify(method, to_raw(&params)).await?;
        }
    };
    match reason {
        CancelReason::Shutdown => raw(&json!({
            "resultType": ResultType::Complete,
            "_meta": { META_SUBSCRIPTION_ID: call.id },
        })),
        other => Err(other.to_error()),
    }
}

fn deliver(f: &SubscriptionFilter, ev: ServerEvent) -> Option<(&'static str, Value)> {
    let on = |b: Option<bool>| b == Some(true);
    match ev {
        ServerEvent::ToolsChanged if on(f.tools_list_changed) => {
            Some(("notifications/tools/list_changed", json!({})))
        }
        ServerEvent::PromptsChanged if on(f.prompts_list_changed) => {
            Some(("notifications/prompts/list_changed", json!({})))
        }
        ServerEvent::ResourcesChanged if on(f.resources_list_changed) => {
            Some(("notifications/resources/list_changed", json!({})))
        }
        ServerEvent::ResourceUpdated(uri)
            if f.resource_subscriptions
                .as_ref()
                .is_some_and(|s| s.contains(&uri)) =>
        {
            Some(("notifications/resources/updated", json!({ "uri": uri })))
        }
        _ => None,
    }
}
