//! Extensions (`capabilities.extensions`, SEP-1724): what a server adds to the protocol,
//! negotiated in both eras.
//!
//! An [`Extension`] has an identifier (`vendor/name`), the settings the server declares
//! for it (under `capabilities.extensions[id]` of `initialize` and `server/discover`),
//! the methods it adds and, if it serves components, a provider. Add it with
//! [`crate::Server::extension`]. What a client supports is in its own
//! `capabilities.extensions` ([`client_declares`]). The methods of the protocol come
//! first: an extension cannot replace one.
//!
//! ```
//! use fastmcp_core::{BoxFuture, Context, Error};
//! use fastmcp_server::{Extension, Server};
//! use serde_json::value::RawValue;
//!
//! /// `example/echo`: answers `echo/say` with its params.
//! struct Echo;
//!
//! impl Extension for Echo {
//!     fn id(&self) -> &str {
//!         "example/echo"
//!     }
//!     fn methods(&self) -> Vec<String> {
//!         vec!["echo/say".into()]
//!     }
//!     fn handle(
//!         &self,
//!         _ctx: Context,
//!         _method: String,
//!         params: Option<Box<RawValue>>,
//!     ) -> BoxFuture<'static, Result<serde_json::Value, Error>> {
//!         Box::pin(async move {
//!             let p = params.map(|p| p.get().to_owned()).unwrap_or_else(|| "{}".into());
//!             serde_json::from_str(&p).map_err(|e| Error::invalid_params(e.to_string()))
//!         })
//!     }
//! }
//!
//! let server = Server::new("demo", "1.0.0").extension(Echo);
//! # let _ = server;
//! ```

use std::sync::Arc;

use fastmcp_core::{BoxFuture, Context, Error};
use fastmcp_protocol::{ClientCapabilities, JsonObject};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::provider::Provider;

/// An extension of the protocol a server offers. See the module docs of
/// `fastmcp_server::extensions`.
pub trait Extension: Send + Sync + 'static {
    /// The identifier (`vendor/name`, e.g. `io.modelcontextprotocol/skills`).
    fn id(&self) -> &str;

    /// The settings declared under `capabilities.extensions[id]` (default `{}`).
    fn settings(&self) -> JsonObject {
        JsonObject::new()
    }

    /// The methods it adds.
    fn methods(&self) -> Vec<String> {
        vec![]
    }

    /// Answer one of [`Extension::methods`], for the request of `ctx`.
    fn handle(
        &self,
        ctx: Context,
        method: String,
        params: Option<Box<RawValue>>,
    ) -> BoxFuture<'static, Result<Value, Error>> {
        let _ = (ctx, params);
        Box::pin(async move { Err(Error::method_not_found(&method)) })
    }

    /// The components it serves, if any (added after the server's other providers).
    fn provider(&self) -> Option<Arc<dyn Provider>> {
        None
    }
}

/// Whether a client declared the extension `id` (and its settings, if it did).
///
/// ```
/// use fastmcp_protocol::ClientCapabilities;
/// let caps: ClientCapabilities = serde_json::from_value(serde_json::json!({
///     "extensions": { "io.modelcontextprotocol/ui": { "mimeTypes": ["text/html;profile=mcp-app"] } }
/// })).unwrap();
/// let ui = fastmcp_server::client_declares(&caps, "io.modelcontextprotocol/ui").unwrap();
/// assert_eq!(ui["mimeTypes"][0], "text/html;profile=mcp-app");
/// ```
pub fn client_declares<'c>(caps: &'c ClientCapabilities, id: &str) -> Option<&'c JsonObject> {
    caps.extensions.as_ref()?.get(id)
}

/// The extensions of a server.
#[derive(Clone, Default)]
pub struct Extensions(Vec<Arc<dyn Extension>>);

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|e| e.id()))
            .finish()
    }
}

impl Extensions {
    pub(crate) fn add(&mut self, e: Arc<dyn Extension>) {
        self.0.push(e);
    }

    /// The extension that adds `method`.
    pub(crate) fn for_method(&self, method: &str) -> Option<&Arc<dyn Extension>> {
        self.0
            .iter()
            .find(|e| e.methods().iter().any(|m| m == method))
    }

    /// Declare every extension in `into` (`capabilities.extensions`).
    pub(crate) fn declare(
        &self,
        into: &mut Option<std::collections::BTreeMap<String, JsonObject>>,
    ) {
        if self.0.is_empty() {
            return;
        }
        let map = into.get_or_insert_with(Default::default);
        for e in &self.0 {
            map.insert(e.id().to_owned(), e.settings());
        }
    }

    /// The identifiers, in the order added.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|e| e.id())
    }
}
