//! Tasks: tool calls that run in the background while the client polls.
//!
//! The tasks extension of 2026-07-28 (`io.modelcontextprotocol/tasks`, SEP-2663): a client
//! that declares the extension in a request's `clientCapabilities` may get a
//! `CreateTaskResult` (`resultType: "task"`) for a `tools/call` of a tool that supports
//! tasks; it then polls `tasks/get` (the result, the JSON-RPC error or the pending input
//! requests are inlined), answers input requests with `tasks/update` and may
//! `tasks/cancel`.
//!
//! A task runs its handler detached from the request that created it: in the server's
//! task tracker, in a cancellation scope of its own (cancelled by `tasks/cancel`, drained
//! and then cancelled at shutdown). Its state lives in a [`TaskStore`]. Input works as in
//! multi-round-trip requests: the handler asks (`ctx.elicit`, `ctx.sample`,
//! `ctx.list_roots`), the run ends with the unanswered requests, the task becomes
//! `input_required`; once `tasks/update` has answered every one of them the handler is
//! replayed with all the answers known so far.

mod access;
mod core;
mod extension;
mod link;
mod queue;
mod queued;
#[cfg(feature = "redis")]
mod redis_queue;
#[cfg(feature = "redis")]
mod redis_store;
mod runs;
mod slot;
pub(crate) mod state;
mod store;
mod wire;
mod worker;

use std::sync::Arc;

use fastmcp_core::Error;
use serde_json::value::RawValue;

pub use queue::{Delivery, TaskQueue};
#[cfg(feature = "redis")]
pub use redis_queue::RedisTaskQueue;
#[cfg(feature = "redis")]
pub use redis_store::RedisTaskStore;
pub use store::{MemoryTaskStore, TaskPage, TaskRecord, TaskRequest, TaskStore};
pub use worker::WorkerOptions;

pub(crate) use self::core::call_as_core_task;
pub(crate) use access::{core_tasks_allowed, declares_tasks, missing_tasks_extension};
pub(crate) use extension::call_as_task;
pub(crate) use worker::work;

use crate::call::Call;
use crate::runtime::Runtime;

/// The `tasks/*` methods: those of the extension in the stateless era, those of
/// 2025-11-25 in the handshake era (for a session that may use them).
pub(crate) async fn dispatch(
    rt: &Arc<Runtime>,
    call: &Call,
    method: &str,
    params: Option<&RawValue>,
) -> Result<Box<RawValue>, Error> {
    if call.stateless() {
        return match method {
            "tasks/get" => extension::get(rt, call, params).await,
            "tasks/update" => extension::update(rt, call, params).await,
            "tasks/cancel" => extension::cancel(rt, call, params).await,
            other => Err(Error::method_not_found(other)),
        };
    }
    if !core_tasks_allowed(rt, call) {
        return Err(Error::method_not_found(method));
    }
    match method {
        "tasks/get" => self::core::get(rt, call, params).await,
        "tasks/result" => self::core::result(rt, call, params).await,
        "tasks/list" => self::core::list(rt, call, params).await,
        "tasks/cancel" => self::core::cancel(rt, call, params).await,
        other => Err(Error::method_not_found(other)),
    }
}

/// Cancel this process's run of every task another replica announces as cancelled
/// ([`TaskStore::cancellations`]), until the server shuts down.
pub(crate) fn follow_cancellations(rt: &Arc<Runtime>) {
    let Some(mut ids) = rt.tasks.store.cancellations() else {
        return;
    };
    let rt = rt.clone();
    tokio::spawn(async move {
        loop {
            let id = tokio::select! {
                _ = rt.shutdown.cancelled() => return,
                id = ids.recv() => match id {
                    Some(id) => id,
                    None => return,
                },
            };
            if let Some(scope) = rt.tasks.scope_of(&id) {
                scope.cancel(fastmcp_core::CancelReason::Requested(Some(
                    "tasks/cancel on another replica".into(),
                )));
            }
        }
    });
}
