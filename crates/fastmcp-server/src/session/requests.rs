//! The requests of one connection: tracked (the session ends after them), and run in place
//! in a box that is kept from one request to the next.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use fastmcp_core::Scope;
use fastmcp_protocol::jsonrpc::Request;
use fastmcp_protocol::Message;
use tokio_util::task::task_tracker::TaskTrackerToken;
use tokio_util::task::TaskTracker;

use super::endpoint::Endpoint;
use super::sink::Sink;

/// A request's run, boxed where it stays while it runs, and its place in the tracker
/// (beside the box, not around the future: wrapping the future would move its some KB
/// once more per request). Polled once it has finished, it stays finished: `Ready(None)`,
/// nothing to send.
pub(crate) struct Run<F> {
    run: Pin<Box<F>>,
    done: bool,
    _tracked: TaskTrackerToken,
}

impl<F: Future<Output = Option<Message>>> Future for Run<F> {
    type Output = Option<Message>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Message>> {
        if self.done {
            return Poll::Ready(None);
        }
        let out = ready!(self.run.as_mut().poll(cx));
        self.done = true;
        Poll::Ready(out)
    }
}

/// What makes the future of one request's run.
type StartRun<F> = fn(Arc<Endpoint>, Request, Arc<Scope>, Arc<dyn Sink>) -> F;

/// The requests of one connection. A request's future (the whole way from the endpoint to
/// the handler, some KB) is built in a box; one that finishes on its first poll leaves the
/// box behind for the next, so a connection answering in place allocates it once, not
/// once per request. A request that waits takes its box into its own task.
pub(crate) struct Requests<F> {
    /// Every request of the connection (those running in tasks of their own too).
    pub(crate) tracker: TaskTracker,
    run: StartRun<F>,
    spare: Option<Pin<Box<F>>>,
}

/// The requests of a new connection.
pub(crate) fn requests() -> Requests<impl Future<Output = Option<Message>> + Send + 'static> {
    Requests {
        tracker: TaskTracker::new(),
        run: Endpoint::run,
        spare: None,
    }
}

impl<F: Future<Output = Option<Message>>> Requests<F> {
    /// The run of request `r`, in the spare box if there is one.
    pub(crate) fn start(
        &mut self,
        ep: Arc<Endpoint>,
        r: Request,
        scope: Arc<Scope>,
        sink: Arc<dyn Sink>,
    ) -> Run<F> {
        let run = match self.spare.take() {
            // The finished future it held is dropped as the new one takes its place.
            Some(mut b) => {
                b.as_mut().set((self.run)(ep, r, scope, sink));
                b
            }
            None => Box::pin((self.run)(ep, r, scope, sink)),
        };
        Run {
            run,
            done: false,
            _tracked: self.tracker.token(),
        }
    }

    /// Keep the box of a request that has finished for the next one.
    pub(crate) fn finished(&mut self, run: Run<F>) {
        if run.done {
            self.spare = Some(run.run);
        }
    }
}
