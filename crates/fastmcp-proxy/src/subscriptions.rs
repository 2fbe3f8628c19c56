//! Resource subscriptions passed upstream: the first client that subscribes to a resource
//! subscribes the proxy's own connection, the last that unsubscribes unsubscribes it, so
//! the upstream server's `resources/updated` reach the clients that asked for them
//! (handshake era: `resources/subscribe` and `resources/unsubscribe`; in the stateless era
//! the `resourceSubscriptions` of a `subscriptions/listen`, for as long as it lasts). A
//! client's
//! `notifications/roots/list_changed` goes on to its upstream connection, if it has one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::SubscribeRequestParams;
use fastmcp_server::{CallNext, McpRequest, Middleware, Namespace};
use serde_json::value::RawValue;

use crate::Inner;

/// The middleware that subscribes upstream (added by [`crate::Proxy::into_server`] and
/// [`crate::proxy_config`]; add [`crate::Proxy::subscriptions`] yourself when you add the
/// proxy with `Server::provider`).
pub struct UpstreamSubscriptions {
    proxy: Arc<Inner>,
    namespace: Option<Namespace>,
    counts: Mutex<HashMap<String, usize>>,
}

impl UpstreamSubscriptions {
    pub(crate) fn new(proxy: Arc<Inner>, namespace: Option<Namespace>) -> Self {
        UpstreamSubscriptions {
            proxy,
            namespace,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Count one more (or one fewer) subscriber of `uri`; whether that crossed zero.
    fn count(&self, uri: &str, on: bool) -> bool {
        let mut counts = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        let n = counts.entry(uri.to_owned()).or_default();
        let crossed = if on {
            *n += 1;
            *n == 1
        } else {
            let was = *n;
            *n = n.saturating_sub(1);
            was == 1
        };
        if *n == 0 {
            counts.remove(uri);
        }
        crossed
    }

    async fn upstream(&self, uri: &str, on: bool) -> Result<(), Error> {
        let c = self.proxy.shared.client().await?;
        let subscribable = c.server_capabilities().resources.and_then(|r| r.subscribe);
        if subscribable != Some(true) {
            return Ok(());
        }
        match on {
            true => c.subscribe(uri).await,
            false => c.unsubscribe(uri).await,
        }
    }
}

impl UpstreamSubscriptions {
    /// The upstream URI of `uri`, if it is this proxy's.
    fn upstream_uri(&self, uri: String) -> Option<String> {
        match &self.namespace {
            None => Some(uri),
            Some(ns) => ns.strip_uri(&uri),
        }
    }

    /// A stateless-era listen: its resources subscribed upstream while it lasts.
    async fn listen(&self, req: McpRequest, next: CallNext) -> Result<Box<RawValue>, Error> {
        let uris: Vec<String> = req
            .params()
            .and_then(|p| {
                serde_json::from_str::<fastmcp_protocol::SubscriptionsListenRequestParams>(p.get())
                    .ok()
            })
            .and_then(|p| p.notifications.resource_subscriptions)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|u| self.upstream_uri(u))
            .collect();
        for uri in &uris {
            self.track(uri, true).await;
        }
        let out = next.run(req).await;
        for uri in &uris {
            self.track(uri, false).await;
        }
        out
    }

    /// Count a subscriber in or out, subscribing upstream when the count crosses zero.
    async fn track(&self, uri: &str, on: bool) {
        if self.count(uri, on) {
            if let Err(e) = self.upstream(uri, on).await {
                tracing::warn!("proxy: upstream subscription to {uri}: {}", e.message());
            }
        }
    }
}

impl Middleware for UpstreamSubscriptions {
    fn on_notification(
        &self,
        note: fastmcp_server::McpNotification,
    ) -> Option<fastmcp_server::McpNotification> {
        if note.method() == "notifications/roots/list_changed" {
            if let Some(c) = self.proxy.connected_for(note.session()) {
                tokio::spawn(async move {
                    let empty = serde_json::json!({});
                    if let Err(e) = c.notify("notifications/roots/list_changed", empty).await {
                        tracing::debug!("proxy: roots/list_changed upstream: {}", e.message());
                    }
                });
            }
        }
        Some(note)
    }

    fn on_request(
        &self,
        req: McpRequest,
        next: CallNext,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let on = match req.method() {
            "resources/subscribe" => true,
            "resources/unsubscribe" => false,
            "subscriptions/listen" => return Box::pin(self.listen(req, next)),
            _ => return next.run(req),
        };
        let uri = req
            .params()
            .and_then(|p| serde_json::from_str::<SubscribeRequestParams>(p.get()).ok())
            .map(|p| p.uri);
        let upstream_uri = uri.and_then(|u| self.upstream_uri(u));
        Box::pin(async move {
            // The server's own rules (limits) first: a refused subscription goes nowhere.
            let out = next.run(req).await?;
            if let Some(uri) = upstream_uri {
                self.track(&uri, on).await;
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_cross_zero_once_each_way() {
        let proxy = crate::Proxy::new(|b: fastmcp_client::ClientBuilder| async move {
            let _ = b;
            Err(fastmcp_core::Error::internal("never connected"))
        });
        let s = super::UpstreamSubscriptions::new(proxy.inner.clone(), None);
        assert!(s.count("a://x", true));
        assert!(!s.count("a://x", true));
        assert!(!s.count("a://x", false));
        assert!(s.count("a://x", false));
        assert!(!s.count("a://x", false), "never below zero");
        assert!(s.count("a://x", true));
    }
}
