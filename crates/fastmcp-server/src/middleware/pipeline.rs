//! A server's request pipeline assembled from what its builder was given: each run of
//! consecutive middleware becomes one [`Chain`], and `tower` layers wrap what lies
//! inside them.

use std::any::TypeId;
use std::sync::atomic::AtomicU16;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use fastmcp_core::{BoxFuture, Error};
use serde_json::value::RawValue;
use tower::util::BoxCloneSyncService;
use tower::{Service, ServiceExt};

use super::{CallNext, Chain, Inner, Link, Middleware};
use crate::service::{BoxMcpService, Entry, LayerFn, McpRequest, McpService};

/// A [`Chain`] as a service, for a `tower` layer to wrap.
#[derive(Clone)]
struct ChainService(Arc<Chain>);

impl Service<McpRequest> for ChainService {
    type Response = Box<RawValue>;
    type Error = Error;
    type Future = BoxFuture<'static, Result<Box<RawValue>, Error>>;

    fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: McpRequest) -> Self::Future {
        CallNext::start(self.0.clone()).run(req)
    }
}

/// One layer of a server's pipeline, as added to its builder.
pub(crate) enum PipelineLayer {
    Tower(LayerFn),
    /// A middleware, and its concrete type.
    Middleware(Arc<dyn Middleware>, TypeId),
}

/// What the pipeline is built into, from the inside out.
enum Built {
    Method(McpService),
    Service(BoxMcpService),
    Chain(Arc<Chain>),
}

impl Built {
    fn into_service(self) -> BoxMcpService {
        match self {
            Built::Method(m) => BoxCloneSyncService::new(m),
            Built::Service(s) => s,
            Built::Chain(c) => BoxCloneSyncService::new(ChainService(c)),
        }
    }

    /// `middleware` (outermost first) around this.
    fn wrapped_in(self, middleware: Vec<(Arc<dyn Middleware>, TypeId)>) -> Built {
        if middleware.is_empty() {
            return self;
        }
        let inner = match self {
            Built::Method(m) => Inner::Method(m),
            other => Inner::Service(other.into_service()),
        };
        let links = middleware.into_iter().map(|(middleware, type_id)| Link {
            middleware,
            type_id,
            defaults: AtomicU16::new(0),
        });
        Built::Chain(Arc::new(Chain {
            links: links.collect(),
            inner,
        }))
    }
}

/// The pipeline of `layers` (`layers[0]` outermost) around `method`: each run of
/// consecutive middleware becomes one [`Chain`]. `None` without layers.
pub(crate) fn build(layers: Vec<PipelineLayer>, method: McpService) -> Option<Entry> {
    if layers.is_empty() {
        return None;
    }
    let mut built = Built::Method(method);
    let mut run: Vec<(Arc<dyn Middleware>, TypeId)> = vec![];
    for layer in layers.into_iter().rev() {
        match layer {
            PipelineLayer::Middleware(m, t) => run.insert(0, (m, t)),
            PipelineLayer::Tower(wrap) => {
                let inner = built.wrapped_in(std::mem::take(&mut run)).into_service();
                built = Built::Service(wrap(inner));
            }
        }
    }
    Some(match built.wrapped_in(run) {
        Built::Chain(c) => Box::new(move |req| CallNext::start(c.clone()).run(req)),
        other => {
            let s = other.into_service();
            Box::new(move |req| Box::pin(s.clone().oneshot(req)))
        }
    })
}
