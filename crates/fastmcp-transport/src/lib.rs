//! Transports of FastMCP for Rust. Every transport yields a [`Channel`]: framed inbound
//! messages (with framing errors reported, not hidden) and a sender for outbound ones.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod channel;
mod child;
mod lines;
pub mod memory;
pub mod stdio;

pub use channel::{Channel, FrameError, Inbound, Outbound};
pub use child::{ChildProcess, ChildTransport, StderrMode};
pub use lines::{line_channel, LineOptions, DEFAULT_MAX_MESSAGE_SIZE};
