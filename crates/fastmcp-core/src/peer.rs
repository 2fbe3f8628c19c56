//! The other side of a connection, as a handler sees it.

use std::future::Future;
use std::pin::Pin;

use serde_json::value::RawValue;

use crate::{Context, Error};

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends messages to the peer of a request: notifications (progress, logs) and, in the
/// handshake era, server-to-client requests (sampling, elicitation, roots).
///
/// The server gives each request a peer bound to it, so that what a handler sends goes
/// on that request's stream (HTTP) or on the connection (stdio).
pub trait Peer: Send + Sync + 'static {
    /// Send a notification.
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>>;

    /// Send a request and wait for its result.
    fn request(
        &self,
        method: &str,
        params: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>>;
}

/// A peer that drops every message: for tests and for contexts with no connection.
#[derive(Clone, Copy, Debug, Default)]
pub struct NullPeer;

impl Peer for NullPeer {
    fn notify(&self, _: &str, _: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(async { Ok(()) })
    }

    fn request(
        &self,
        method: &str,
        _: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let m = method.to_owned();
        Box::pin(async move { Err(Error::transport(format!("no peer to send {m} to"))) })
    }
}

/// Runs an MCP method on the server a handler belongs to (for `ctx.call_tool`,
/// `ctx.read_resource`, `ctx.get_prompt`).
pub trait Dispatch: Send + Sync + 'static {
    /// Run `method` with `params` as a nested request of `ctx`.
    fn dispatch<'a>(
        &'a self,
        ctx: &'a Context,
        method: &'a str,
        params: Box<RawValue>,
    ) -> BoxFuture<'a, Result<Box<RawValue>, Error>>;
}

/// Make a future `'static`-boxed; shorthand used by generated code.
pub fn boxed<'a, T>(fut: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(fut)
}

/// Wrap a plain closure as a notification sink, for tests.
pub struct FnPeer<F>(pub F);

impl<F> Peer for FnPeer<F>
where
    F: Fn(&str, &RawValue) + Send + Sync + 'static,
{
    fn notify(&self, method: &str, params: Box<RawValue>) -> BoxFuture<'_, Result<(), Error>> {
        (self.0)(method, &params);
        Box::pin(async { Ok(()) })
    }

    fn request(
        &self,
        method: &str,
        _: Box<RawValue>,
    ) -> BoxFuture<'_, Result<Box<RawValue>, Error>> {
        let m = method.to_owned();
        Box::pin(async move { Err(Error::transport(format!("no peer to send {m} to"))) })
    }
}

impl std::fmt::Debug for dyn Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Peer")
    }
}
