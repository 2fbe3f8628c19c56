//! What every transport of a started server shares: the request pipeline (and through it
//! the runtime data), the tracker of its connections, its shutdown.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use fastmcp_core::Error;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::middleware::Stats;
use crate::runtime::Runtime;
use crate::service::Pipeline;

/// A hook run at startup or shutdown.
pub(crate) type Hook =
    Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = Result<(), Error>> + Send>> + Send>;

/// A started server.
pub(crate) struct Shared {
    pub(crate) rt: Arc<Runtime>,
    pub(crate) pipeline: Arc<Pipeline>,
    /// Cancelled when the server shuts down.
    pub(crate) shutdown: CancellationToken,
    /// Every connection's task.
    pub(crate) connections: TaskTracker,
    pub(crate) shutdown_hooks: Mutex<Vec<Hook>>,
    /// The statistics installed with `Server::stats`.
    pub(crate) stats: Option<Stats>,
}

impl Shared {
    pub(crate) fn new(
        pipeline: Arc<Pipeline>,
        shutdown_hooks: Vec<Hook>,
        stats: Option<Stats>,
    ) -> Arc<Shared> {
        Arc::new(Shared {
            rt: pipeline.rt.clone(),
            shutdown: pipeline.rt.shutdown.clone(),
            pipeline,
            connections: TaskTracker::new(),
            shutdown_hooks: Mutex::new(shutdown_hooks),
            stats,
        })
    }
}
