//! Method names: those of the specification are read off the wire without a copy.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A method name. A message read off the wire names one of the specification's methods
/// without a copy of its own (the name borrowed from [`METHODS`]); any other name is owned.
///
/// ```
/// use fastmcp_protocol::jsonrpc::{Message, Method};
/// let m = Message::parse(br#"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#).unwrap();
/// assert!(matches!(m, Message::Request(r) if matches!(r.method, Method::Borrowed("tools/call"))));
/// let m = Message::parse(br#"{"jsonrpc":"2.0","id":1,"method":"x/y"}"#).unwrap();
/// assert!(matches!(m, Message::Request(r) if r.method == "x/y"));
/// ```
pub type Method = Cow<'static, str>;

/// The methods of every version of the specification (requests and notifications, of
/// both directions; the tasks extension's): a message naming one of them is read without
/// copying its name.
pub const METHODS: &[&str] = &[
    // The most frequent first: a name is looked for in order.
    "tools/call",
    "notifications/progress",
    "resources/read",
    "prompts/get",
    "tools/list",
    "ping",
    "notifications/cancelled",
    "notifications/message",
    "resources/list",
    "resources/templates/list",
    "prompts/list",
    "completion/complete",
    "initialize",
    "notifications/initialized",
    "server/discover",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
    "subscriptions/listen",
    "tasks/get",
    "tasks/update",
    "tasks/cancel",
    "tasks/result",
    "tasks/list",
    "sampling/createMessage",
    "elicitation/create",
    "roots/list",
    "notifications/tools/list_changed",
    "notifications/resources/list_changed",
    "notifications/resources/updated",
    "notifications/prompts/list_changed",
    "notifications/roots/list_changed",
    "notifications/tasks/status",
    "notifications/elicitation/complete",
    "notifications/subscriptions/acknowledged",
];

/// `name` as a [`Method`]: borrowed from [`METHODS`] when it is one of them.
pub fn method(name: &str) -> Method {
    // Compared by length first: most lengths hold one or two names.
    match METHODS
        .iter()
        .find(|m| m.len() == name.len() && **m == name)
    {
        Some(m) => Cow::Borrowed(m),
        None => Cow::Owned(name.to_owned()),
    }
}

/// `method` as it appears in a message: a string, read without a copy when it is one of
/// [`METHODS`].
pub(crate) struct MethodField(pub(crate) Method);

impl<'de> Deserialize<'de> for MethodField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = MethodField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<MethodField, E> {
                Ok(MethodField(method(v)))
            }
        }
        d.deserialize_str(V)
    }
}
