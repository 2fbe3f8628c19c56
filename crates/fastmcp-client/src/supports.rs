//! [`Supports`]: the callbacks a handler implements, as the capabilities to declare.

use fastmcp_protocol::{
    ClientCapabilities, ElicitationCapability, RootsCapability, SamplingCapability,
};
use serde_json::Map;

/// Which server-to-client requests a [`ClientHandler`](crate::ClientHandler) answers; its
/// [`capabilities`](Supports::capabilities) are what to return from
/// [`ClientHandler::capabilities`](crate::ClientHandler::capabilities).
///
/// ```
/// use fastmcp_client::Supports;
/// let caps = Supports { elicitation: true, ..Supports::NONE }.capabilities();
/// assert!(caps.elicitation.is_some());
/// assert!(caps.sampling.is_none() && caps.roots.is_none());
/// ```
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Supports {
    /// `elicitation/create`, form and URL modes ([`ClientHandler::elicit`](crate::ClientHandler::elicit)).
    pub elicitation: bool,
    /// `sampling/createMessage` ([`ClientHandler::sample`](crate::ClientHandler::sample)).
    pub sampling: bool,
    /// `roots/list`, with list-changed notifications
    /// ([`ClientHandler::list_roots`](crate::ClientHandler::list_roots)).
    pub roots: bool,
}

impl Supports {
    /// Nothing.
    pub const NONE: Supports = Supports {
        elicitation: false,
        sampling: false,
        roots: false,
    };

    /// The capabilities to declare.
    pub fn capabilities(self) -> ClientCapabilities {
        ClientCapabilities {
            elicitation: self.elicitation.then(|| ElicitationCapability {
                form: Some(Map::new()),
                url: Some(Map::new()),
            }),
            sampling: self.sampling.then(SamplingCapability::default),
            roots: self.roots.then_some(RootsCapability {
                list_changed: Some(true),
            }),
            ..Default::default()
        }
    }
}
