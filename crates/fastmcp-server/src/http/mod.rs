//! HTTP transports: Streamable HTTP (both eras on one endpoint), legacy HTTP+SSE
//! (2024-11-05) and WebSocket, each as an axum `Router` to serve alone or nest into an
//! application, and all of them on one router.

// Early returns of ready-made HTTP responses are the idiom of axum handlers.
#![allow(clippy::result_large_err)]

mod accept;
mod auth;
mod body;
mod events;
mod guard;
mod headers;
mod heads;
mod host;
mod keepalive;
mod legacy_sse;
mod metrics;
mod options;
#[cfg(feature = "redis")]
mod redis_events;
#[cfg(feature = "redis")]
mod redis_sessions;
mod remote;
mod reply;
mod serve;
mod session_methods;
mod session_store;
mod sessions;
mod shared_sessions;
mod shared_streams;
mod side_wake;
mod streamable;
#[cfg(feature = "websocket")]
mod websocket;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use fastmcp_core::CancelReason;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_http::cors::CorsLayer;

pub use events::{EventStore, LiveEvent, MemoryEventStore};
pub use headers::encode_header_value;
pub use options::HttpOptions;
#[cfg(feature = "redis")]
pub use redis_events::RedisEventStore;
#[cfg(feature = "redis")]
pub use redis_sessions::RedisSessionStore;
pub use session_store::{SessionRecord, SessionStore};

use crate::lock::lock;
use crate::session::event_messages;
use crate::shared::Shared;
use sessions::Sessions;

/// The state of a Streamable HTTP endpoint, shared by its requests: cloned for each, it
/// is one reference count (its fields cloned one by one were six, the cancellation
/// token's under a lock shared by every connection).
#[derive(Clone)]
pub(crate) struct HttpState(Arc<EndpointState>);

impl std::ops::Deref for HttpState {
    type Target = EndpointState;

    fn deref(&self) -> &EndpointState {
        &self.0
    }
}

/// What [`HttpState`] shares.
pub(crate) struct EndpointState {
    pub(crate) shared: Arc<Shared>,
    pub(crate) opts: Arc<HttpOptions>,
    pub(crate) sessions: Arc<Sessions>,
    /// Cancelled when the shutdown grace is over: request streams still open end then.
    pub(crate) drained: CancellationToken,
    /// The requests of this router that run on after their first poll, and the writers
    /// of their SSE answers (all of them also tracked as the server's tasks).
    pub(crate) requests: TaskTracker,
    /// This router's name among replicas that share sessions.
    pub(crate) replica: Arc<str>,
}

/// The POST of the Streamable HTTP endpoint, served by [`accept`] without the router (no
/// routing, extractors or layers per request) when nothing else must run before it: no
/// auth, no CORS. Every check of the endpoint still runs in [`streamable::post_parts`].
#[derive(Clone)]
pub(crate) struct FastPost {
    pub(crate) st: HttpState,
    pub(crate) path: Arc<str>,
}

/// What [`accept`] serves: every HTTP transport's router, and the Streamable HTTP POST to
/// answer without it where it can be.
#[derive(Clone)]
pub(crate) struct Served {
    pub(crate) router: axum::Router,
    pub(crate) fast: Option<FastPost>,
}

/// The Streamable HTTP router. Spawns the session housekeeping task (server events to GET
/// streams, idle expiry, shutdown), so call it inside a tokio runtime.
pub(crate) fn streamable_router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    streamable_routes(streamable_state(shared, opts))
}

/// The state of a Streamable HTTP endpoint, its housekeeping tasks started.
fn streamable_state(shared: Arc<Shared>, opts: HttpOptions) -> HttpState {
    let replica: Arc<str> = uuid::Uuid::new_v4().simple().to_string()[..10].into();
    let tag = match opts.session_store {
        Some(_) => format!("{replica}."),
        None => String::new(),
    };
    let st = HttpState(Arc::new(EndpointState {
        sessions: Arc::new(Sessions::new(opts.max_sessions, opts.session_idle, &tag)),
        opts: Arc::new(opts),
        drained: CancellationToken::new(),
        requests: TaskTracker::new(),
        shared,
        replica,
    }));
    st.shared.connections.spawn(housekeeping(st.clone()));
    if st.opts.session_store.is_some() {
        st.shared
            .connections
            .spawn(shared_sessions::follow_inbox(st.clone()));
    }
    // Not tracked: it only sleeps out the grace and cancels a token, and a tracked sleep
    // would hold an idle server's shutdown for the whole grace.
    tokio::spawn(drain_deadline(st.clone()));
    st
}

fn streamable_routes(st: HttpState) -> axum::Router {
    let path = st.opts.path.clone();
    let cors = st.opts.cors;
    let auth = st.opts.auth.clone();
    let r = axum::Router::new()
        .route(
            &path,
            post(streamable::post)
                .get(session_methods::get)
                .delete(session_methods::delete),
        )
        .with_state(st);
    let r = auth::protect(r, auth.as_ref());
    if cors {
        r.layer(
            CorsLayer::very_permissive()
                .expose_headers([axum::http::HeaderName::from_static("mcp-session-id")]),
        )
    } else {
        r
    }
}

/// The legacy HTTP+SSE router: `GET` on the SSE path, `POST` on the messages path (see
/// [`HttpOptions::legacy_paths`]).
pub(crate) fn legacy_sse_router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    legacy_sse::router(shared, opts)
}

/// The WebSocket router (`GET` [`HttpOptions::websocket_path`]).
#[cfg(feature = "websocket")]
pub(crate) fn websocket_router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    websocket::router(shared, opts)
}

/// Every HTTP transport on one router: Streamable HTTP, legacy HTTP+SSE and WebSocket (with
/// the `websocket` feature). Their paths must differ.
pub(crate) fn combined_router(shared: Arc<Shared>, opts: HttpOptions) -> axum::Router {
    combined(shared, opts).router
}

/// [`combined_router`], and the Streamable HTTP POST to serve without it where it can be.
pub(crate) fn combined(shared: Arc<Shared>, opts: HttpOptions) -> Served {
    let st = streamable_state(shared.clone(), opts.clone());
    let fast = (st.opts.auth.is_none() && !st.opts.cors).then(|| FastPost {
        path: st.opts.path.as_str().into(),
        st: st.clone(),
    });
    let r = streamable_routes(st).merge(legacy_sse::router(shared.clone(), opts.clone()));
    #[cfg(feature = "websocket")]
    let r = r.merge(websocket::router(shared.clone(), opts.clone()));
    let r = match &opts.routes {
        Some(extra) => r.merge(extra.clone()),
        None => r,
    };
    let router = with_metadata(r.merge(metrics::router(&shared, &opts)), &opts);
    Served { router, fast }
}

/// `router` with the protected resource metadata routes, when the options require auth.
pub(crate) fn with_metadata(router: axum::Router, opts: &HttpOptions) -> axum::Router {
    match &opts.auth {
        Some(rs) => router.merge(auth::metadata_router(rs)),
        None => router,
    }
}

/// At shutdown, request streams keep going for the grace period so that calls in flight
/// deliver their answers; then they end.
async fn drain_deadline(st: HttpState) {
    st.shared.shutdown.cancelled().await;
    tokio::time::sleep(st.shared.rt.config.shutdown_grace).await;
    st.drained.cancel();
}

async fn housekeeping(st: HttpState) {
    let mut events = st.shared.rt.changes.subscribe();
    let period = Duration::from_secs(30)
        .min(st.opts.session_idle)
        .max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(period);
    loop {
        tokio::select! {
            _ = st.shared.shutdown.cancelled() => break,
            _ = tick.tick() => st.sessions.reap().await,
            ev = events.recv() => {
                if ev == Err(RecvError::Closed) {
                    break;
                }
                for s in st.sessions.all() {
                    let Some(stream) = lock(&s.get_stream).clone() else {
                        continue;
                    };
                    for m in event_messages(&s.endpoint, &ev) {
                        stream.emit(m).await;
                    }
                }
            }
        }
    }
    // Shutdown: requests in flight get the grace period and their answers go out on their
    // streams; once they are all answered, or at its end (`drained`), every session ends,
    // cancelling what still runs.
    st.requests.close();
    tokio::select! {
        _ = st.drained.cancelled() => {}
        _ = st.requests.wait() => {}
    }
    for s in st.sessions.all() {
        st.sessions.remove(&s.id, CancelReason::Shutdown).await;
    }
}
