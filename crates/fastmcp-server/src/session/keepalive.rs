//! The ping keep-alive of one session: pings the client every interval and ends when it
//! has missed too many in a row (see [`crate::KeepAlive`]).

use std::future::Future;
use std::sync::Arc;

use fastmcp_protocol::Era;
use tokio::time::{Instant, MissedTickBehavior};

use super::endpoint::Endpoint;
use super::sink::Sink;
use crate::KeepAlive;

/// The future that ends when the session's client is gone: `max_missed` pings in a row
/// unanswered within the timeout, or its pings cannot be sent any more. Never ends without
/// a keep-alive. Pings go out only while `reachable` says a request can reach the client;
/// they start once the session is initialized (handshake era).
pub(crate) fn dead_peer(
    ep: &Arc<Endpoint>,
    sink: &Arc<dyn Sink>,
    reachable: impl Fn() -> bool + Send + 'static,
) -> impl Future<Output = ()> + Send + 'static {
    let ka = ep.pipeline.rt.config.keep_alive;
    let (ep, sink) = (ep.clone(), sink.clone());
    async move {
        let Some(ka) = ka.filter(|k| !k.interval.is_zero()) else {
            return std::future::pending().await;
        };
        watch(ep, sink, ka, reachable).await
    }
}

async fn watch(
    ep: Arc<Endpoint>,
    sink: Arc<dyn Sink>,
    ka: KeepAlive,
    reachable: impl Fn() -> bool,
) {
    let mut tick = tokio::time::interval_at(Instant::now() + ka.interval, ka.interval);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut missed = 0u32;
    loop {
        tick.tick().await;
        let s = &ep.session;
        if s.era() != Era::Handshake || s.protocol_version().is_none() || !reachable() {
            continue;
        }
        match tokio::time::timeout(ka.timeout, ep.ping(sink.clone())).await {
            Ok(Ok(())) => missed = 0,
            Ok(Err(())) => return,
            Err(_) => {
                missed += 1;
                tracing::debug!("the client missed {missed} ping(s) in a row");
                if missed >= ka.max_missed.max(1) {
                    tracing::info!("closing a session: its client missed {missed} pings in a row");
                    return;
                }
            }
        }
    }
}
