//! The list of checks, in the order they run, with what each verifies (for `--list`
//! and for the skips when an era's first check fails).

/// One check of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInfo {
    /// The id used in reports.
    pub id: &'static str,
    /// What it verifies.
    pub description: &'static str,
}

const fn c(id: &'static str, description: &'static str) -> CheckInfo {
    CheckInfo { id, description }
}

/// Every check, in run order. `lifecycle.initialize` opens the handshake era and
/// `lifecycle.discover` the stateless one; the others run in both where they apply.
pub const CATALOGUE: &[CheckInfo] = &[
    c("lifecycle.initialize", "initialize (2025-11-25) gives a valid InitializeResult; then notifications/initialized"),
    c("lifecycle.discover", "server/discover (2026-07-28) gives a valid DiscoverResult listing 2026-07-28"),
    c("lifecycle.version-negotiation", "initialize with an unknown version is answered with a version the server supports"),
    c("ping", "ping gives an empty result (handshake era)"),
    c("tools.list", "every page of tools/list is valid; nextCursor followed, loops detected"),
    c("tools.call.valid", "each tool called with minimal valid arguments gives a valid CallToolResult (structuredContent matching outputSchema)"),
    c("tools.call.invalid", "arguments violating the input schema give -32602 or isError"),
    c("tools.call.unknown", "an unknown tool name is an error (-32602)"),
    c("resources.list", "every page of resources/list is valid"),
    c("resources.templates.list", "every page of resources/templates/list is valid"),
    c("resources.read", "each listed resource reads as a valid ReadResourceResult"),
    c("resources.read.unknown", "an unknown URI is an error (-32002 in 2025-11-25)"),
    c("resources.subscribe", "resources/subscribe and unsubscribe give empty results (when declared)"),
    c("prompts.list", "every page of prompts/list is valid"),
    c("prompts.get", "each prompt (required arguments filled) gives a valid GetPromptResult"),
    c("completion.complete", "completion/complete gives a valid CompleteResult (when declared)"),
    c("logging.setLevel", "logging/setLevel gives an empty result, an invalid level -32602 (when declared)"),
    c("jsonrpc.unknown-method", "an unknown method is error -32601"),
    c("jsonrpc.invalid-request", "a request without method is -32600, or at least the server keeps serving"),
    c("cancellation", "after notifications/cancelled for an in-flight request the server keeps serving"),
    c("jsonrpc.ids", "responses carry their request's id exactly (string and numeric ids)"),
    c("http.notification-202", "a notification POST is answered 202 with no body"),
    c("http.session-id", "later requests need the issued Mcp-Session-Id (400 without); an unknown one is 404"),
    c("http.accept-header", "a POST whose Accept lacks text/event-stream is 406"),
    c("http.get-without-session", "a GET without a session opens no stream (400/405) on a server with sessions"),
    c("http.protocol-version-header", "an unsupported MCP-Protocol-Version is 400"),
    c("http.delete-session", "DELETE ends the session; its id is then 404"),
    c("jsonrpc.framing", "every line, body and event received is well-formed JSON-RPC 2.0"),
];

/// The ids after an era's opening check (skipped when it fails).
pub(crate) fn after_opening() -> impl Iterator<Item = &'static str> {
    CATALOGUE
        .iter()
        .map(|c| c.id)
        .filter(|id| !matches!(*id, "lifecycle.initialize" | "lifecycle.discover"))
}
