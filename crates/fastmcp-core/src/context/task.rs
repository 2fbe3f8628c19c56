//! The task side of a call (the tasks extension).

use super::Context;
use crate::peer::BoxFuture;
use crate::Error;

/// The task side of a call that may run as a task (tasks extension); the server sets it on
/// the context of such calls.
pub trait TaskControl: Send + Sync + 'static {
    /// The task id, once the call runs as a task.
    fn task_id(&self) -> Option<String>;

    /// Make the call a task from here on: the client gets a `CreateTaskResult` and the
    /// handler goes on in the background. Does nothing when it already is one.
    fn detach(&self) -> BoxFuture<'_, Result<(), Error>>;

    /// Set the task's status message (what `tasks/get` shows as `statusMessage`).
    fn set_status_message(&self, message: String) -> BoxFuture<'_, Result<(), Error>>;
}

impl Context {
    /// The id of the task this call runs as, if it runs as one.
    pub fn task_id(&self) -> Option<String> {
        self.inner.task.as_ref().and_then(|t| t.task_id())
    }

    /// Go on as a task: the client gets a `CreateTaskResult` now and polls `tasks/get`
    /// for the rest, which runs in the background. Input asked for before this point was
    /// a synchronous exchange of the request (multi-round-trip); input asked for after it
    /// makes the task `input_required` until the client answers with `tasks/update`.
    ///
    /// Only tools with [`TaskStart::OnDetach`](crate::TaskStart::OnDetach) choose the
    /// moment; for the others the call is a task from the start and this does nothing.
    /// When the call cannot be a task (the client did not declare the tasks extension, the
    /// tool forbids tasks, a nested or handshake-era call) it does nothing either: the
    /// handler simply goes on synchronously.
    ///
    /// Handlers are replayed on every input round (stateless era), so code before the
    /// call runs again when the task resumes; `detach` is then a no-op.
    pub async fn detach(&self) -> Result<(), Error> {
        match &self.inner.task {
            Some(t) => t.detach().await,
            None => Ok(()),
        }
    }

    /// Set the status message of the task this call runs as (`statusMessage` on
    /// `tasks/get`); does nothing outside a task.
    pub async fn set_task_status(&self, message: &str) -> Result<(), Error> {
        match &self.inner.task {
            Some(t) if t.task_id().is_some() => t.set_status_message(message.to_owned()).await,
            _ => Ok(()),
        }
    }
}
