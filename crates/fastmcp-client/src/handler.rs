//! What a client does when the server asks something of it or tells it something.

use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitAction,
    ElicitRequestParams, ElicitResult, ListRootsResult, LoggingMessageNotificationParams,
    ProgressNotificationParams,
};
use serde_json::value::RawValue;

/// Answers the server's requests (sampling, elicitation, roots) and receives its
/// notifications. Every method has a default: elicitation is declined, sampling and roots
/// are refused, notifications are ignored. A request for a capability the client did not
/// declare never reaches the handler: it is refused with "method not found" (-32601).
///
/// A handler declares what it supports in [`ClientHandler::capabilities`] (nothing by
/// default): override it with every callback you implement, so the server neither asks
/// for what the client cannot do nor misses what it can.
///
/// ```
/// use fastmcp_client::ClientHandler;
/// use fastmcp_core::{BoxFuture, Error};
/// use fastmcp_protocol::{ClientCapabilities, ListRootsResult, RootsCapability};
///
/// struct Roots;
///
/// impl ClientHandler for Roots {
///     fn capabilities(&self) -> ClientCapabilities {
///         ClientCapabilities {
///             roots: Some(RootsCapability { list_changed: Some(false) }),
///             ..Default::default()
///         }
///     }
///
///     fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
///         Box::pin(async { Ok(ListRootsResult { roots: vec![], ..Default::default() }) })
///     }
/// }
/// ```
pub trait ClientHandler: Send + Sync + 'static {
    /// The capabilities the client declares with this handler: exactly those of the
    /// callbacks it implements (`elicitation` for [`ClientHandler::elicit`], `sampling`
    /// for [`ClientHandler::sample`], `roots` for [`ClientHandler::list_roots`]). The
    /// default declares none.
    fn capabilities(&self) -> ClientCapabilities {
        ClientCapabilities::default()
    }

    /// Answer an elicitation.
    fn elicit(&self, _params: ElicitRequestParams) -> BoxFuture<'_, Result<ElicitResult, Error>> {
        Box::pin(async {
            Ok(ElicitResult {
                action: ElicitAction::Decline,
                ..Default::default()
            })
        })
    }

    /// Answer a sampling request.
    fn sample(
        &self,
        _params: CreateMessageRequestParams,
    ) -> BoxFuture<'_, Result<CreateMessageResult, Error>> {
        Box::pin(async { Err(Error::method_not_found("sampling/createMessage")) })
    }

    /// List the client's roots.
    fn list_roots(&self) -> BoxFuture<'_, Result<ListRootsResult, Error>> {
        Box::pin(async { Err(Error::method_not_found("roots/list")) })
    }

    /// A progress notification.
    fn on_progress(&self, _params: ProgressNotificationParams) {}

    /// A log message.
    fn on_log(&self, _params: LoggingMessageNotificationParams) {}

    /// Any other notification (list_changed, resources/updated, ...).
    fn on_notification(&self, _method: &str, _params: Option<&RawValue>) {}
}

/// The handler that uses every default.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoHandler;

impl ClientHandler for NoHandler {}
