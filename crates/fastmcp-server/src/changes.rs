//! Changes that sessions forward to their clients (`list_changed`, `resources/updated`),
//! announced by providers through one [`ChangeNotifier`] per server.

use tokio::sync::broadcast;

/// A change that sessions forward to their clients.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// The tool list changed.
    ToolsChanged,
    /// The resource or template list changed.
    ResourcesChanged,
    /// The prompt list changed.
    PromptsChanged,
    /// A resource's content changed.
    ResourceUpdated(String),
}

/// How many events a slow session may fall behind before it skips some (it then misses
/// only notifications whose effect a fresh list shows anyway).
const BACKLOG: usize = 1024;

/// Announces changes to every session of a server. Cheap to clone; a provider keeps one
/// (given in [`crate::Provider::attach`]) and calls it when its components change.
///
/// ```
/// use fastmcp_server::ChangeNotifier;
///
/// let changes = ChangeNotifier::new();
/// let mut rx = changes.subscribe();
/// changes.tools_changed();
/// assert!(rx.try_recv().is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct ChangeNotifier {
    tx: broadcast::Sender<ServerEvent>,
}

impl Default for ChangeNotifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChangeNotifier {
    /// A notifier nobody listens to yet.
    pub fn new() -> Self {
        ChangeNotifier {
            tx: broadcast::channel(BACKLOG).0,
        }
    }

    /// Announce `event` (dropped when no session listens).
    pub fn send(&self, event: ServerEvent) {
        let _ = self.tx.send(event);
    }

    /// The tool list changed.
    pub fn tools_changed(&self) {
        self.send(ServerEvent::ToolsChanged)
    }

    /// The resource or template list changed.
    pub fn resources_changed(&self) {
        self.send(ServerEvent::ResourcesChanged)
    }

    /// The prompt list changed.
    pub fn prompts_changed(&self) {
        self.send(ServerEvent::PromptsChanged)
    }

    /// The content of the resource at `uri` changed.
    pub fn resource_updated(&self, uri: impl Into<String>) {
        self.send(ServerEvent::ResourceUpdated(uri.into()))
    }

    /// Listen to what is announced from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.tx.subscribe()
    }
}
