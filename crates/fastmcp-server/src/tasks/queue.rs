//! Where tasks wait for worker processes: the [`TaskQueue`] trait.
//!
//! With a queue ([`crate::Server::task_queue`]), a server does not run the tasks it
//! creates: it stores the record, pushes the task's id and answers `CreateTaskResult`.
//! Worker processes ([`crate::Server::run_worker`]) built from the same tool code take the
//! ids, run the handlers and record the outcomes in the shared [`crate::TaskStore`].
//!
//! Delivery is at least once, with a visibility timeout: a taken task belongs to its
//! worker while the worker keeps it ([`TaskQueue::keep`], a heartbeat); a task whose
//! worker stopped keeping it (it died, or hung) is delivered again, with its attempt
//! counted, and failed with a clear error once [`TaskQueue::max_attempts`] is passed. A
//! worker whose keep fails (another worker has taken the task over) cancels its run, so a
//! task never runs twice at once; its outcome is recorded once (a compare-and-set on the
//! record that leaves an ended task alone).
//!
//! The queue also carries what a running task sends to the client waiting for it
//! (progress, logs, status changes) from the worker to the replica holding that client's
//! stream: [`TaskQueue::publish`] and [`TaskQueue::follow`].

use std::time::Duration;

use bytes::Bytes;

use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

/// A task taken from the queue by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The task's id (its record is in the task store).
    pub task_id: String,
    /// The queue's id of this entry (what [`TaskQueue::keep`] and [`TaskQueue::done`]
    /// name).
    pub entry: String,
    /// How many times the task has been delivered, this time included (1 the first time).
    pub attempt: u32,
}

/// A queue of task ids consumed by worker processes. See the module documentation.
pub trait TaskQueue: Send + Sync + 'static {
    /// Queue `task_id`. When this returns, the task will be delivered (the queue keeps it
    /// until a worker has finished it).
    fn push(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>>;

    /// The next task for `worker`: one whose previous worker stopped keeping it for
    /// longer than [`TaskQueue::visibility_timeout`], else a new one, waiting at most
    /// `wait` for one to arrive (`Ok(None)`: none came).
    fn take(&self, worker: &str, wait: Duration) -> BoxFuture<'_, Result<Option<Delivery>, Error>>;

    /// `worker` still runs `delivery`: it stays invisible to other workers for another
    /// visibility timeout. `Ok(false)`: another worker has taken it over (stop running it).
    fn keep(&self, worker: &str, delivery: &Delivery) -> BoxFuture<'_, Result<bool, Error>>;

    /// The task of `delivery` is finished (its outcome is recorded): forget it.
    fn done(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>>;

    /// Give `delivery` back unfinished (a worker shutting down): it is delivered again at
    /// once, and this attempt does not count.
    fn release(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>>;

    /// How long a taken task stays invisible without a [`TaskQueue::keep`].
    fn visibility_timeout(&self) -> Duration;

    /// How many deliveries a task gets before it is failed (default 3).
    fn max_attempts(&self) -> u32 {
        3
    }

    /// Send `message` (a JSON-RPC notification of the task's run, or a status change) to
    /// whoever follows `task_id`, on any replica. Nobody following: it is dropped.
    fn publish(&self, task_id: &str, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>>;

    /// The messages published for `task_id` from now on (JSON), until the receiver is
    /// dropped.
    fn follow(&self, task_id: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>>;
}

impl<T: TaskQueue + ?Sized> TaskQueue for std::sync::Arc<T> {
    fn push(&self, task_id: &str) -> BoxFuture<'_, Result<(), Error>> {
        (**self).push(task_id)
    }

    fn take(&self, worker: &str, wait: Duration) -> BoxFuture<'_, Result<Option<Delivery>, Error>> {
        (**self).take(worker, wait)
    }

    fn keep(&self, worker: &str, delivery: &Delivery) -> BoxFuture<'_, Result<bool, Error>> {
        (**self).keep(worker, delivery)
    }

    fn done(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>> {
        (**self).done(delivery)
    }

    fn release(&self, delivery: &Delivery) -> BoxFuture<'_, Result<(), Error>> {
        (**self).release(delivery)
    }

    fn visibility_timeout(&self) -> Duration {
        (**self).visibility_timeout()
    }

    fn max_attempts(&self) -> u32 {
        (**self).max_attempts()
    }

    fn publish(&self, task_id: &str, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        (**self).publish(task_id, message)
    }

    fn follow(&self, task_id: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>> {
        (**self).follow(task_id)
    }
}
