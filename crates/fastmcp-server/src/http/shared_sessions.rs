//! Streamable HTTP sessions served by several replicas (with a [`SessionStore`]): a session
//! saved when `initialize` succeeds, loaded by a replica that does not know it yet; the
//! client's answers to server-to-client requests routed to the replica that asked (its name
//! is in the request id), the client's notifications passed to every replica, a deletion
//! and a new log level announced to all.

use std::sync::Arc;

use fastmcp_core::CancelReason;
use fastmcp_protocol::{LoggingLevel, Message, RequestId};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::auth::Owner;
use super::session_store::{SessionRecord, SessionStore};
use super::sessions::HttpSession;
use super::HttpState;

/// A message between replicas about one session.
#[derive(Serialize, Deserialize)]
struct Note {
    session: String,
    /// The replica that sent it (it does not act on its own notes).
    from: String,
    /// A message of the client (a response, or a notification) to act on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<Box<RawValue>>,
    /// The client deleted the session.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deleted: bool,
    /// The session's new log level.
    #[serde(default, rename = "logLevel", skip_serializing_if = "Option::is_none")]
    log_level: Option<LoggingLevel>,
}

impl Note {
    /// A note from this replica about `session`, saying nothing yet.
    fn about(st: &HttpState, session: &str) -> Note {
        Note {
            session: session.to_owned(),
            from: st.replica.to_string(),
            message: None,
            deleted: false,
            log_level: None,
        }
    }
}

fn store(st: &HttpState) -> Option<&Arc<dyn SessionStore>> {
    st.opts.session_store.as_ref()
}

/// The prefix of this replica's server-to-client request ids: `{replica}:`.
pub(crate) fn id_prefix(st: &HttpState) -> Option<String> {
    store(st).map(|_| format!("{}:", st.replica))
}

/// The replica a request id names (`{replica}:{n}`), if it is not this one.
fn replica_of<'a>(st: &HttpState, id: &'a RequestId) -> Option<&'a str> {
    let RequestId::String(s) = id else {
        return None;
    };
    let (replica, _) = s.split_once(':')?;
    (replica != &*st.replica).then_some(replica)
}

fn record_of(s: &HttpSession) -> Option<SessionRecord> {
    let session = &s.endpoint.session;
    Some(SessionRecord {
        id: s.id.to_string(),
        protocol_version: session.protocol_version()?.as_str().to_owned(),
        client_info: session.client_info()?,
        capabilities: session.client_capabilities(),
        log_level: session.log_level(),
        owner: s.owner.parts(),
    })
}

/// Save a session that `initialize` just created.
pub(crate) async fn save(st: &HttpState, s: &HttpSession) {
    let (Some(store), Some(rec)) = (store(st), record_of(s)) else {
        return;
    };
    if let Err(e) = store.save(&rec, st.opts.session_idle).await {
        tracing::warn!("session {}: cannot share it with other replicas: {e}", s.id);
    }
}

/// A session kept here is used: its shared record's idle time starts again (at most every
/// tenth of the idle timeout, in the background), so that a session busy on one replica
/// does not expire for the others.
pub(crate) fn touch(st: &HttpState, s: &HttpSession) {
    let Some(store) = store(st).cloned() else {
        return;
    };
    let idle = st.opts.session_idle;
    {
        let mut last = crate::lock::lock(&s.shared_touch);
        if last.elapsed() < idle / 10 {
            return;
        }
        *last = tokio::time::Instant::now();
    }
    let id = s.id.to_string();
    st.shared.connections.spawn(async move {
        if let Err(e) = store.load(&id, idle).await {
            tracing::debug!("session {id}: cannot refresh its shared record: {e}");
        }
    });
}

/// A session another replica created, loaded and kept here too.
pub(crate) async fn adopt(st: &HttpState, id: &str) -> Option<Arc<HttpSession>> {
    let store = store(st)?;
    let rec = match store.load(id, st.opts.session_idle).await {
        Ok(r) => r?,
        Err(e) => {
            tracing::warn!("session {id}: cannot load it: {e}");
            return None;
        }
    };
    let version = rec.protocol_version.parse().ok()?;
    let s = st
        .sessions
        .adopt(&st.shared.pipeline, &rec.id, Owner::from_parts(rec.owner))
        .ok()?;
    s.endpoint
        .session
        .initialize(version, rec.client_info, rec.capabilities);
    if let Some(level) = rec.log_level {
        s.endpoint.session.set_log_level(level);
    }
    s.endpoint.set_id_prefix(id_prefix(st));
    super::keepalive::watch(st, &s);
    Some(s)
}

/// A message of the client that is not a request: acted on here; an answer to another
/// replica's request goes there, a notification to every replica.
pub(crate) async fn route(st: &HttpState, s: &HttpSession, m: Message) {
    let Some(store) = store(st) else {
        return s.endpoint.on_other(m);
    };
    let to = match &m {
        Message::Response(r) => Some(replica_of(st, &r.id)),
        Message::Error(e) => Some(e.id.as_ref().and_then(|id| replica_of(st, id))),
        _ => None,
    };
    let note = |m: &Message| Note {
        message: RawValue::from_string(m.to_json()).ok(),
        ..Note::about(st, &s.id)
    };
    let (target, n) = match to {
        // An answer to this replica's own request (or to none).
        Some(None) => return s.endpoint.on_other(m),
        Some(Some(replica)) => (Some(replica.to_owned()), note(&m)),
        None => {
            let n = note(&m);
            s.endpoint.on_other(m);
            (None, n)
        }
    };
    send(store.as_ref(), target.as_deref(), &n).await;
}

/// After `logging/setLevel`: the record and every replica learn the level.
pub(crate) async fn level_changed(st: &HttpState, s: &HttpSession) {
    let Some(store) = store(st) else { return };
    save(st, s).await;
    let n = Note {
        log_level: s.endpoint.session.log_level(),
        ..Note::about(st, &s.id)
    };
    send(store.as_ref(), None, &n).await;
}

/// The client deleted session `id`: forgotten by the store and every replica.
pub(crate) async fn deleted(st: &HttpState, id: &str) {
    let Some(store) = store(st) else {
        return;
    };
    if let Err(e) = store.remove(id).await {
        tracing::warn!("session {id}: cannot remove it from the store: {e}");
    }
    let n = Note {
        deleted: true,
        ..Note::about(st, id)
    };
    send(store.as_ref(), None, &n).await;
}

async fn send(store: &dyn SessionStore, to: Option<&str>, n: &Note) {
    let m = fastmcp_protocol::jsonrpc::to_raw(n);
    if let Err(e) = store.send(to, m).await {
        tracing::warn!(
            "session {}: cannot reach the other replicas: {e}",
            n.session
        );
    }
}

/// Act on what other replicas send about sessions held here, until the server stops.
pub(crate) async fn follow_inbox(st: HttpState) {
    let Some(store) = store(&st).cloned() else {
        return;
    };
    let mut inbox = match store.inbox(&st.replica).await {
        Ok(rx) => rx,
        Err(e) => {
            tracing::warn!("cannot follow the other replicas: {e}");
            return;
        }
    };
    // Saying it is alive: a replica that resumes one of this replica's streams stops
    // waiting for it once it is not.
    let mut beat = tokio::time::interval(super::shared_streams::BEAT);
    loop {
        let m = tokio::select! {
            _ = st.shared.shutdown.cancelled() => return,
            _ = beat.tick() => {
                let ttl = super::shared_streams::BEAT_TTL;
                if let Err(e) = store.beat(&st.replica, ttl).await {
                    tracing::debug!("cannot tell the other replicas this one is alive: {e}");
                }
                continue;
            }
            m = inbox.recv() => match m {
                Some(m) => m,
                None => return,
            },
        };
        let Ok(n) = serde_json::from_slice::<Note>(&m) else {
            continue;
        };
        if n.from == *st.replica {
            continue;
        }
        if n.deleted {
            st.sessions
                .remove(&n.session, CancelReason::SessionClosed)
                .await;
            continue;
        }
        let Some(s) = st.sessions.peek(&n.session) else {
            continue;
        };
        if let Some(level) = n.log_level {
            s.endpoint.session.set_log_level(level);
        }
        if let Some(Ok(msg)) = n.message.map(|m| Message::parse(m.get().as_bytes())) {
            s.endpoint.on_other(msg);
        }
    }
}
