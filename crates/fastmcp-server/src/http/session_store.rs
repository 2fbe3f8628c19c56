//! Handshake-era sessions shared by replicas: the [`SessionStore`] trait.
//!
//! Without a store, a Streamable HTTP session lives in the process that answered its
//! `initialize`, and replicas behind a load balancer need session affinity. With one
//! ([`crate::HttpOptions::session_store`]), a session's record (negotiated version, client
//! info and capabilities, log level, owner) is saved when it is created, and a replica that
//! gets a request for a session it does not know loads it and serves it. What cannot be a
//! record travels between replicas as messages ([`SessionStore::send`]): the client's
//! answer to a server-to-client request (elicitation, sampling, roots) reaches the replica
//! whose handler waits for it, and the client's notifications (`notifications/cancelled`)
//! reach every replica serving the session.
//!
//! The stateless era (2026-07-28) needs none of this: every request carries what the
//! server needs.

use std::time::Duration;

use bytes::Bytes;
use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::{ClientCapabilities, Implementation, LoggingLevel};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::mpsc;

/// What a replica needs to serve a session another one created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// The `Mcp-Session-Id`.
    pub id: String,
    /// The negotiated protocol version.
    pub protocol_version: String,
    /// The client, as `initialize` named it.
    pub client_info: Implementation,
    /// The client's capabilities, as `initialize` declared them.
    #[serde(default)]
    pub capabilities: ClientCapabilities,
    /// The level set with `logging/setLevel`, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_level: Option<LoggingLevel>,
    /// The identity that opened it (subject, client id), when the endpoint requires auth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<(Option<String>, Option<String>)>,
}

/// Where sessions are shared. See the module documentation.
pub trait SessionStore: Send + Sync + 'static {
    /// Save (or replace) a session's record, kept for `idle` after its last use.
    fn save(&self, record: &SessionRecord, idle: Duration) -> BoxFuture<'_, Result<(), Error>>;

    /// A session's record (its idle time starts again), if it exists.
    fn load(&self, id: &str, idle: Duration)
        -> BoxFuture<'_, Result<Option<SessionRecord>, Error>>;

    /// Forget a session (the client deleted it).
    fn remove(&self, id: &str) -> BoxFuture<'_, Result<(), Error>>;

    /// Send `message` to the replica named `to`, or to every replica (`None`).
    fn send(&self, to: Option<&str>, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>>;

    /// Replica `me` is alive, for `ttl` from now (replicas say so every second).
    fn beat(&self, me: &str, ttl: Duration) -> BoxFuture<'_, Result<(), Error>>;

    /// Whether replica `replica` said it was alive within its last `ttl`.
    fn alive(&self, replica: &str) -> BoxFuture<'_, Result<bool, Error>>;

    /// The messages sent to replica `me` or to every replica (JSON), from now on.
    fn inbox(&self, me: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>>;
}

/// A shared store is a store (an `Arc<dyn SessionStore>` from
/// [`crate::session_store_from_url`] too).
impl<T: SessionStore + ?Sized> SessionStore for std::sync::Arc<T> {
    fn save(&self, record: &SessionRecord, idle: Duration) -> BoxFuture<'_, Result<(), Error>> {
        (**self).save(record, idle)
    }

    fn load(
        &self,
        id: &str,
        idle: Duration,
    ) -> BoxFuture<'_, Result<Option<SessionRecord>, Error>> {
        (**self).load(id, idle)
    }

    fn remove(&self, id: &str) -> BoxFuture<'_, Result<(), Error>> {
        (**self).remove(id)
    }

    fn send(&self, to: Option<&str>, message: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        (**self).send(to, message)
    }

    fn beat(&self, me: &str, ttl: Duration) -> BoxFuture<'_, Result<(), Error>> {
        (**self).beat(me, ttl)
    }

    fn alive(&self, replica: &str) -> BoxFuture<'_, Result<bool, Error>> {
        (**self).alive(replica)
    }

    fn inbox(&self, me: &str) -> BoxFuture<'_, Result<mpsc::Receiver<Bytes>, Error>> {
        (**self).inbox(me)
    }
}
