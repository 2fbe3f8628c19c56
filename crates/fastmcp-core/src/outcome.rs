//! The four-valued result of running a handler.

use std::fmt;

use crate::Error;

/// Why a request was cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CancelReason {
    /// The client sent `notifications/cancelled` (with its reason, if any).
    Requested(Option<String>),
    /// The request's budget ran out.
    Timeout,
    /// The connection or session ended.
    SessionClosed,
    /// The server is shutting down.
    Shutdown,
    /// The parent request ended (for spawned children).
    ParentEnded,
}

impl fmt::Display for CancelReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CancelReason::Requested(Some(r)) => write!(f, "cancelled by the client: {r}"),
            CancelReason::Requested(None) => f.write_str("cancelled by the client"),
            CancelReason::Timeout => f.write_str("timed out"),
            CancelReason::SessionClosed => f.write_str("session closed"),
            CancelReason::Shutdown => f.write_str("server shutting down"),
            CancelReason::ParentEnded => f.write_str("parent request ended"),
        }
    }
}

impl CancelReason {
    /// The error a cancellation of this reason maps to.
    pub fn to_error(&self) -> Error {
        match self {
            CancelReason::Timeout => Error::timeout(),
            other => Error::new(crate::ErrorKind::Cancelled, other.to_string()),
        }
    }
}

/// How a handler ended: it returned `Ok` or `Err`, it was cancelled, or it panicked.
///
/// ```
/// use fastmcp_core::{Outcome, Error};
/// let o: Outcome<i32> = Ok::<_, Error>(3).into();
/// assert!(o.is_ok());
/// let back: Result<i32, Error> = o.into_result();
/// assert_eq!(back.unwrap(), 3);
/// ```
#[derive(Debug)]
pub enum Outcome<T, E = Error> {
    /// Success.
    Ok(T),
    /// Failure the handler reported.
    Err(E),
    /// Cancelled before it finished.
    Cancelled(CancelReason),
    /// The handler panicked; the payload's message.
    Panicked(String),
}

impl<T, E> Outcome<T, E> {
    /// Whether this is `Ok`.
    pub fn is_ok(&self) -> bool {
        matches!(self, Outcome::Ok(_))
    }

    /// Whether this is `Cancelled`.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Outcome::Cancelled(_))
    }

    /// Whether this is `Panicked`.
    pub fn is_panicked(&self) -> bool {
        matches!(self, Outcome::Panicked(_))
    }

    /// Map the success value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U, E> {
        match self {
            Outcome::Ok(t) => Outcome::Ok(f(t)),
            Outcome::Err(e) => Outcome::Err(e),
            Outcome::Cancelled(r) => Outcome::Cancelled(r),
            Outcome::Panicked(p) => Outcome::Panicked(p),
        }
    }
}

impl<T> Outcome<T, Error> {
    /// Collapse into a `Result`: cancellation and panics become errors.
    pub fn into_result(self) -> Result<T, Error> {
        match self {
            Outcome::Ok(t) => Ok(t),
            Outcome::Err(e) => Err(e),
            Outcome::Cancelled(r) => Err(r.to_error()),
            Outcome::Panicked(msg) => Err(Error::internal(format!("handler panicked: {msg}"))),
        }
    }
}

impl<T, E> From<Result<T, E>> for Outcome<T, E> {
    fn from(r: Result<T, E>) -> Self {
        match r {
            Ok(t) => Outcome::Ok(t),
            Err(e) => Outcome::Err(e),
        }
    }
}

/// The message of a panic payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}
