//! Tasks run by worker processes, seen from the server that creates them: the record is
//! stored and the id queued; what the worker sends on the task's channel (progress and
//! log notifications, status changes) reaches the client's stream.
//!
//! The channel carries JSON objects: a notification (`{"method", "params"}`) of the run,
//! or `{"status": …}` once the worker has changed the record.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use fastmcp_core::{Error, Peer};
use fastmcp_protocol::TaskStatus;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use super::queue::TaskQueue;
use super::slot::PeerSlot;
use super::store::TaskRecord;
use crate::runtime::Runtime;

/// One message on a task's channel.
#[derive(Deserialize)]
pub(crate) struct ChannelMessage {
    #[serde(default)]
    pub(crate) method: Option<String>,
    #[serde(default)]
    pub(crate) params: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) status: Option<TaskStatus>,
}

/// `{"status": status}`: the record changed.
pub(crate) fn status_changed(status: TaskStatus) -> Box<RawValue> {
    fastmcp_protocol::jsonrpc::to_raw(&serde_json::json!({ "status": status }))
}

/// Store `rec` and queue it for a worker. A 2025-11-25 task (`slot`: the creating
/// request's stream) has its channel followed from before the push, into `slot`.
pub(crate) async fn enqueue(
    rt: &Arc<Runtime>,
    queue: &Arc<dyn TaskQueue>,
    rec: &TaskRecord,
    slot: Option<Arc<PeerSlot>>,
) -> Result<(), Error> {
    let id = rec.task_id.clone();
    let follow = match &slot {
        Some(_) => Some(queue.follow(&id).await?),
        None => None,
    };
    rt.tasks.store.create(rec.clone()).await?;
    if let Err(e) = queue.push(&id).await {
        let _ = rt.tasks.store.delete(&id).await;
        return Err(e);
    }
    if let (Some(slot), Some(rx)) = (slot, follow) {
        rt.tasks.add_slot(&id, slot.clone());
        let rt2 = rt.clone();
        rt.tasks.tracker.spawn(async move {
            forward(&rt2, &id, rx, &slot).await;
            rt2.tasks.remove_slot(&id);
        });
    }
    Ok(())
}

/// Pass what the worker sends for task `id` to `to` until the task ends (or the server
/// stops, or the record is gone).
async fn forward(rt: &Runtime, id: &str, mut rx: mpsc::Receiver<Bytes>, to: &PeerSlot) {
    let mut check = tokio::time::interval(Duration::from_secs(5));
    check.tick().await;
    loop {
        let ended = tokio::select! {
            _ = rt.shutdown.cancelled() => return,
            m = rx.recv() => match m {
                Some(m) => pass(rt, id, &m, to).await,
                None => return,
            },
            // A status message can be lost (a dropped connection): look now and then.
            _ = check.tick() => match rt.tasks.store.get(id).await {
                Ok(Some(r)) => r.status.is_terminal(),
                Ok(None) => true,
                Err(_) => false,
            },
        };
        if ended {
            rt.tasks.changed.notify_waiters();
            return;
        }
    }
}

/// Deliver one channel message to `to`; whether the task has ended.
async fn pass(rt: &Runtime, id: &str, m: &[u8], to: &PeerSlot) -> bool {
    let Ok(m) = serde_json::from_slice::<ChannelMessage>(m) else {
        return false;
    };
    if let (Some(method), Some(params)) = (m.method, m.params) {
        let _ = to.notify(&method, params).await;
    }
    if m.status.is_none() {
        return false;
    }
    rt.tasks.changed.notify_waiters();
    match rt.tasks.store.get(id).await {
        Ok(Some(rec)) => {
            to.send_status(&rec).await;
            rec.status.is_terminal()
        }
        Ok(None) => true,
        Err(_) => false,
    }
}

/// For a `tasks/result` waiting on this replica for a task no local stream follows: the
/// task's channel (with a task queue).
pub(crate) async fn follow_remote(rt: &Runtime, id: &str) -> Option<mpsc::Receiver<Bytes>> {
    let queue = rt.tasks.queue.as_ref()?;
    if rt.tasks.slot(id).is_some() {
        return None;
    }
    queue.follow(id).await.ok()
}

/// The next message of an optional channel (never, without one).
pub(crate) async fn next(rx: &mut Option<mpsc::Receiver<Bytes>>) -> Option<Bytes> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Pass a channel message to `peer` (a `tasks/result` stream): its notification, if any.
pub(crate) async fn pass_to(peer: &Arc<dyn Peer>, m: &[u8]) {
    if let Ok(ChannelMessage {
        method: Some(method),
        params: Some(params),
        ..
    }) = serde_json::from_slice(m)
    {
        let _ = peer.notify(&method, params).await;
    }
}
