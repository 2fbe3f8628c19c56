//! The client's network address, as the accept loop of `serve_http` (or axum's
//! `into_make_service_with_connect_info`) leaves it on each request: what the transports
//! record on the sessions they make ([`fastmcp_core::Session::set_remote_addr`]).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::Extensions;
use fastmcp_core::Session;

/// The peer's address of a request, when the server that accepted it recorded one.
pub(crate) fn of(ext: &Extensions) -> Option<SocketAddr> {
    ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0)
}

/// Record `addr` (when known) on `session`.
pub(crate) fn record(session: &Session, addr: Option<SocketAddr>) {
    if let Some(a) = addr {
        session.set_remote_addr(a);
    }
}

/// An extractor of [`of`]; never rejects.
pub(crate) struct RemoteAddr(pub(crate) Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for RemoteAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(RemoteAddr(of(&parts.extensions)))
    }
}
