//! The handshake era's HTTP sessions: `Mcp-Session-Id` → session, with limits and expiry.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use fastmcp_core::{CancelReason, Session};
use indexmap::IndexMap;
use tokio::time::Instant;

use super::auth::Owner;
use super::events::{EventStore, SseStream};
use crate::lock::{lock, read, write};
use crate::service::Pipeline;
use crate::session::Endpoint;

/// How many finished SSE streams a session remembers for `Last-Event-ID`.
const STREAMS_KEPT: usize = 64;
/// What marks the name of a session's standalone (GET) stream, after its last `.`.
const STANDALONE: &str = "g";

/// Whether `stream` names a session's standalone (GET) stream, of any replica.
pub(crate) fn is_standalone(stream: &str) -> bool {
    stream
        .rsplit_once('.')
        .is_some_and(|(_, last)| last.starts_with(STANDALONE))
}

/// A session's SSE streams remembered for resumption, by id, oldest first.
type StreamsKept = IndexMap<String, Arc<SseStream>>;

pub(crate) struct HttpSession {
    pub(crate) id: Arc<str>,
    pub(crate) endpoint: Arc<Endpoint>,
    /// The identity that opened it (see [`Owner`]).
    pub(crate) owner: Owner,
    last_active: Mutex<Instant>,
    /// When its shared record's idle time was last started again (see `shared_sessions`).
    pub(crate) shared_touch: Mutex<Instant>,
    pub(crate) get_stream: Mutex<Option<Arc<SseStream>>>,
    /// Its SSE streams remembered for resumption, by id (made with the first: an idle
    /// session that answered in JSON holds no table).
    streams: Mutex<Option<Box<StreamsKept>>>,
    counter: AtomicU64,
    /// Part of its stream ids, unique among replicas that share an event store.
    tag: Arc<str>,
}

impl HttpSession {
    pub(crate) fn touch(&self) {
        *lock(&self.last_active) = Instant::now();
    }

    fn idle_for(&self) -> Duration {
        lock(&self.last_active).elapsed()
    }

    /// Whether a client is reading the session's GET stream (which keeps it alive).
    pub(crate) fn listening(&self) -> bool {
        let s = lock(&self.get_stream).clone();
        s.is_some_and(|s| s.is_attached())
    }

    /// A new SSE stream of this session, remembered for resumption (`budget`: see
    /// [`SseStream`]).
    pub(crate) fn new_stream(
        &self,
        store: Option<Arc<dyn EventStore>>,
        budget: Option<usize>,
    ) -> Arc<SseStream> {
        self.make_stream("", store, budget)
    }

    /// A stream named `{session}.{tag}{kind}{n}`: `kind` is [`STANDALONE`] for the GET
    /// stream, empty for a request's.
    fn make_stream(
        &self,
        kind: &str,
        store: Option<Arc<dyn EventStore>>,
        budget: Option<usize>,
    ) -> Arc<SseStream> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let name = format!("{}.{}{kind}{n}", &self.id[..12], self.tag);
        let s = SseStream::new(name, store, budget);
        let mut streams = lock(&self.streams);
        let map = streams.get_or_insert_with(Box::default);
        if map.len() >= STREAMS_KEPT {
            map.shift_remove_index(0);
        }
        map.insert(s.id.clone(), s.clone());
        s
    }

    pub(crate) fn stream(&self, id: &str) -> Option<Arc<SseStream>> {
        lock(&self.streams).as_ref()?.get(id).cloned()
    }

    /// The session's standalone (GET) stream, created on first use; it never waits on its
    /// reader: past `budget` bytes waiting, its response is detached.
    pub(crate) fn standalone(
        &self,
        store: Option<Arc<dyn EventStore>>,
        budget: usize,
    ) -> Arc<SseStream> {
        if let Some(s) = lock(&self.get_stream).clone() {
            return s;
        }
        let s = self.make_stream(STANDALONE, store, Some(budget));
        self.get_stream
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get_or_insert(s)
            .clone()
    }

    async fn end(&self, reason: CancelReason) {
        self.endpoint.cancel_all(reason);
        self.endpoint.close();
        let streams: Vec<_> = lock(&self.streams)
            .as_ref()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        for s in streams {
            s.finish().await;
            // Shared with other replicas (a tag): another one may resume it; the store's
            // retention forgets it.
            if self.tag.is_empty() {
                s.forget().await;
            }
        }
    }
}

/// Why a session could not be made.
pub(crate) struct Full;

pub(crate) struct Sessions {
    /// Looked up on every request of a session: hashed with foldhash. Its keys are the
    /// server's own random ids, so a client cannot choose keys that collide.
    map: RwLock<HashMap<Arc<str>, Arc<HttpSession>, foldhash::fast::RandomState>>,
    max: usize,
    idle: Duration,
    /// Put in the ids of the sessions' streams (the replica's name when replicas share
    /// an event store; else nothing).
    tag: Arc<str>,
}

/// A new unguessable session id: a random (version 4) UUID as 32 hex digits, visible
/// ASCII as `Mcp-Session-Id` requires.
pub(crate) fn new_session_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl Sessions {
    pub(crate) fn new(max: usize, idle: Duration, tag: &str) -> Self {
        Sessions {
            map: RwLock::new(HashMap::default()),
            max,
            idle,
            tag: tag.into(),
        }
    }

    /// A new session, opened by a client at `peer`.
    pub(crate) fn create(
        &self,
        pipeline: &Arc<Pipeline>,
        peer: Option<SocketAddr>,
        owner: Owner,
    ) -> Result<Arc<HttpSession>, Full> {
        let id: Arc<str> = new_session_id().into();
        let session = Session::handshake(Some(id.clone()));
        super::remote::record(&session, peer);
        self.insert(pipeline, id, session, owner)
    }

    /// Session `id`, created by another replica, kept here too (the one already kept, if
    /// any).
    pub(crate) fn adopt(
        &self,
        pipeline: &Arc<Pipeline>,
        id: &str,
        owner: Owner,
    ) -> Result<Arc<HttpSession>, Full> {
        if let Some(s) = self.get(id) {
            return Ok(s);
        }
        let id: Arc<str> = id.into();
        let session = Session::handshake(Some(id.clone()));
        self.insert(pipeline, id, session, owner)
    }

    fn insert(
        &self,
        pipeline: &Arc<Pipeline>,
        id: Arc<str>,
        session: Arc<Session>,
        owner: Owner,
    ) -> Result<Arc<HttpSession>, Full> {
        let mut map = write(&self.map);
        if let Some(s) = map.get(&id) {
            return Ok(s.clone());
        }
        if map.len() >= self.max {
            return Err(Full);
        }
        let s = Arc::new(HttpSession {
            id: id.clone(),
            endpoint: Endpoint::for_session(pipeline.clone(), session),
            owner,
            last_active: Mutex::new(Instant::now()),
            shared_touch: Mutex::new(Instant::now()),
            get_stream: Mutex::new(None),
            streams: Mutex::new(None),
            counter: AtomicU64::new(0),
            tag: self.tag.clone(),
        });
        map.insert(id, s.clone());
        Ok(s)
    }

    /// Session `id` if it is kept here (its idle time is not reset).
    pub(crate) fn peek(&self, id: &str) -> Option<Arc<HttpSession>> {
        read(&self.map).get(id).cloned()
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<HttpSession>> {
        let s = read(&self.map).get(id).cloned();
        if let Some(s) = &s {
            s.touch();
        }
        s
    }

    pub(crate) async fn remove(&self, id: &str, reason: CancelReason) -> bool {
        let s = write(&self.map).remove(id);
        match s {
            Some(s) => {
                s.end(reason).await;
                true
            }
            None => false,
        }
    }

    pub(crate) fn all(&self) -> Vec<Arc<HttpSession>> {
        read(&self.map).values().cloned().collect()
    }

    /// End sessions idle for longer than the limit.
    pub(crate) async fn reap(&self) {
        let idle: Vec<_> = self
            .all()
            .into_iter()
            .filter(|s| s.idle_for() > self.idle && s.endpoint.in_flight() == 0 && !s.listening())
            .map(|s| s.id.clone())
            .collect();
        for id in idle {
            self.remove(&id, CancelReason::SessionClosed).await;
        }
    }
}
