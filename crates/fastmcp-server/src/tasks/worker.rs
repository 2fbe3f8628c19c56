//! Worker processes: take tasks from the server's [`TaskQueue`], run their handlers, record
//! how they ended. See [`crate::Server::run_worker`].

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{BoxFuture, CancelReason, Error, Peer};
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::TaskStatus;
use serde_json::json;
use serde_json::value::RawValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use super::queue::{Delivery, TaskQueue};
use super::queued::status_changed;
use super::runs::{execute, replay, settle, settle_until};
use super::store::modify;
use crate::runtime::Runtime;

/// How a worker runs ([`crate::Server::run_worker`], [`crate::RunningServer::work`]).
///
/// ```
/// use fastmcp_server::WorkerOptions;
/// let opts = WorkerOptions::new().concurrency(32).name("worker-1");
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    concurrency: usize,
    name: Option<String>,
    wait: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 16,
            name: None,
            wait: Duration::from_secs(1),
        }
    }
}

impl WorkerOptions {
    /// 16 tasks at once, a random name.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many tasks this worker runs at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// The worker's name in the queue (unique among live workers; default: random). A
    /// worker restarted under its old name takes back what it held.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
}

/// Take and run tasks until `stop` is cancelled; then let the runs in flight finish
/// within the shutdown grace, and give the others back to the queue.
pub(crate) async fn work(
    rt: Arc<Runtime>,
    opts: WorkerOptions,
    stop: CancellationToken,
) -> Result<(), Error> {
    let queue = rt.tasks.queue.clone().ok_or_else(|| {
        Error::invalid_params("a worker needs a task queue: set Server::task_queue")
    })?;
    let name = opts
        .name
        .clone()
        .unwrap_or_else(|| format!("worker-{}", uuid::Uuid::new_v4()));
    let slots = Arc::new(Semaphore::new(opts.concurrency));
    let runs = TaskTracker::new();
    let abandon = CancellationToken::new();
    let mut pause = Duration::from_millis(100);
    loop {
        let permit = tokio::select! {
            _ = stop.cancelled() => break,
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        // Not raced against `stop`: a delivery taken must not be dropped on the floor.
        match queue.take(&name, opts.wait).await {
            Ok(Some(d)) if stop.is_cancelled() => {
                let _ = queue.release(&d).await;
            }
            Ok(Some(d)) => {
                pause = Duration::from_millis(100);
                let job = Job {
                    rt: rt.clone(),
                    queue: queue.clone(),
                    worker: name.clone(),
                    abandon: abandon.clone(),
                };
                runs.spawn(job.run(d, permit));
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!("worker {name}: cannot take a task: {e}");
                tokio::select! {
                    _ = stop.cancelled() => {}
                    _ = tokio::time::sleep(pause) => {}
                }
                pause = (pause * 2).min(Duration::from_secs(2));
            }
        }
    }
    runs.close();
    let grace = rt.config.shutdown_grace;
    if tokio::time::timeout(grace, runs.wait()).await.is_err() {
        abandon.cancel();
        runs.wait().await;
    }
    Ok(())
}

/// One delivery's run.
struct Job {
    rt: Arc<Runtime>,
    queue: Arc<dyn TaskQueue>,
    worker: String,
    abandon: CancellationToken,
}

impl Job {
    async fn run(self, d: Delivery, _slot: OwnedSemaphorePermit) {
        let id = d.task_id.clone();
        let rec = match self.rt.tasks.store.get(&id).await {
            Ok(r) => r,
            Err(e) => {
                // Left pending: delivered again after the visibility timeout.
                tracing::warn!("worker {}: cannot read task {id}: {e}", self.worker);
                return;
            }
        };
        let runnable = rec
            .as_ref()
            .is_some_and(|r| !r.status.is_terminal() && r.status != TaskStatus::InputRequired);
        let Some(rec) = rec.filter(|_| runnable) else {
            // Gone, ended (cancelled while queued), or waiting for the client's input.
            return self.finish(&d).await;
        };
        let max = self.queue.max_attempts();
        if d.attempt > max {
            self.give_up(&d, max).await;
            return self.finish(&d).await;
        }
        let peer = Arc::new(ChannelPeer {
            queue: self.queue.clone(),
            task_id: id.clone(),
        });
        let run = match replay(&self.rt, &rec, peer).await {
            Ok(run) => run,
            Err(end) => {
                settle(&self.rt, &id, "", end).await;
                self.announce(&id).await;
                return self.finish(&d).await;
            }
        };
        let scope = run.scope.clone();
        let name = run.tool.tool().name.clone();
        self.rt.tasks.started(&id, scope.clone());
        // Cancelled when another worker takes the task over (or this one must stop).
        let lost = self.abandon.child_token();
        let beat = tokio::spawn(heartbeat(
            self.queue.clone(),
            self.worker.clone(),
            d.clone(),
            scope.clone(),
            lost.clone(),
        ));
        let end = tokio::select! {
            end = execute(&self.rt, run) => Some(end),
            _ = self.abandon.cancelled() => None,
        };
        self.rt.tasks.ended(&id, &scope);
        match end {
            // Shutting down: another worker runs it from the start.
            None => {
                beat.abort();
                if let Err(e) = self.queue.release(&d).await {
                    tracing::warn!("worker {}: cannot give task {id} back: {e}", self.worker);
                }
            }
            // Another worker has taken it over: its outcome is that worker's to record.
            Some(_) if lost.is_cancelled() => beat.abort(),
            // Recorded even if the store is away for a while (the heartbeat keeps the
            // task ours meanwhile), so that a run that happened is not run again.
            Some(end) => {
                settle_until(&self.rt, &id, &name, end, Some(&lost)).await;
                self.announce(&id).await;
                self.finish(&d).await;
                beat.abort();
            }
        }
    }

    /// The task was delivered more often than allowed: each worker stopped before it ended.
    async fn give_up(&self, d: &Delivery, max: u32) {
        let message = format!(
            "The task was started {max} times and its worker stopped each time before it \
             finished; it will not be run again"
        );
        let r = modify(&*self.rt.tasks.store, &d.task_id, |r| {
            if r.status.is_terminal() {
                return false;
            }
            r.status = TaskStatus::Failed;
            r.status_message = Some(message.clone());
            r.error = Some(Error::internal(message.clone()).to_error_object());
            r.input_requests.clear();
            true
        })
        .await;
        if let Err(e) = r {
            tracing::warn!(
                "worker {}: cannot fail task {}: {e}",
                self.worker,
                d.task_id
            );
        }
        self.announce(&d.task_id).await;
    }

    /// Tell whoever follows the task that its record changed.
    async fn announce(&self, id: &str) {
        let status = match self.rt.tasks.store.get(id).await {
            Ok(Some(r)) => r.status,
            _ => TaskStatus::Failed,
        };
        let _ = self.queue.publish(id, status_changed(status)).await;
    }

    /// Acknowledge the delivery (trying for a while: else it is delivered again after the
    /// visibility timeout, found ended and acknowledged then).
    async fn finish(&self, d: &Delivery) {
        let mut pause = Duration::from_millis(50);
        for _ in 0..8 {
            match self.queue.done(d).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::debug!("worker {}: acknowledging {}: {e}", self.worker, d.task_id)
                }
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(1));
        }
        tracing::warn!(
            "worker {}: cannot acknowledge task {}",
            self.worker,
            d.task_id
        );
    }
}

/// Keep the delivery while the run lasts; when another worker has taken it over, stop
/// the run (a task never runs twice at once).
async fn heartbeat(
    queue: Arc<dyn TaskQueue>,
    worker: String,
    d: Delivery,
    scope: Arc<fastmcp_core::Scope>,
    lost: CancellationToken,
) {
    let every = (queue.visibility_timeout() / 3).max(Duration::from_millis(30));
    loop {
        tokio::time::sleep(every).await;
        match queue.keep(&worker, &d).await {
            Ok(true) => {}
            Ok(false) => {
                lost.cancel();
                scope.cancel(CancelReason::Requested(Some(
                    "another worker took this task over".into(),
                )));
                return;
            }
            // Redis away for a moment: keep trying.
            Err(e) => tracing::debug!("worker {worker}: heartbeat of {}: {e}", d.task_id),
        }
    }
}

/// The peer of a run on a worker: notifications go on the task's channel (to the client's
/// stream, on whichever replica holds it), lost when Redis cannot be reached; requests to
/// the client cannot be made.
struct ChannelPeer {
    queue: Arc<dyn TaskQueue>,
    task_id: String,
}

impl Peer for ChannelPeer {
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        let m = to_raw(&json!({ "method": method, "params": params }));
        Box::pin(async move {
            // Best effort, like a notification on a stream that closed: a handler does
            // not fail because Redis is away for a moment.
            if let Err(e) = self.queue.publish(&self.task_id, m).await {
                tracing::debug!("task {}: a notification was lost: {e}", self.task_id);
            }
            Ok(())
        })
    }

    fn request(
        &self,
        method: &str,
        _params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let m = method.to_owned();
        Box::pin(async move {
            Err(Error::invalid_request(format!(
                "a task run by a worker process cannot send {m} to the client in the \
                 2025-11-25 era; clients of the 2026-07-28 tasks extension answer input \
                 requests with tasks/update"
            )))
        })
    }
}
