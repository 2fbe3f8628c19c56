//! Changes that sessions forward to their clients (`list_changed`, `resources/updated`),
//! announced by providers through one [`ChangeNotifier`] per server.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::throttle::Throttle;

/// A change that sessions forward to their clients.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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

/// How many events a session may fall behind before it skips some. One that did hears
/// [`missed`] instead of what it skipped. The channel's slots are allocated (and written)
/// whole when the server is made: 1,024 of them were 56 KiB of every server's memory.
const BACKLOG: usize = 64;

/// The lists a server serves, by kind: which `list_changed` notifications it may send.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Lists {
    pub(crate) tools: bool,
    pub(crate) resources: bool,
    pub(crate) prompts: bool,
}

/// What stands for the events a listener skipped when it fell behind: every list the
/// server serves may have changed, and so may every resource in `subscribed` (a client
/// told of a change that did not happen reads again; one not told of a change that did
/// serves stale data).
pub(crate) fn missed(lists: Lists, subscribed: Vec<String>) -> Vec<ServerEvent> {
    let all = [
        (lists.tools, ServerEvent::ToolsChanged),
        (lists.resources, ServerEvent::ResourcesChanged),
        (lists.prompts, ServerEvent::PromptsChanged),
    ];
    let lists = all.into_iter().filter_map(|(on, ev)| on.then_some(ev));
    lists
        .chain(subscribed.into_iter().map(ServerEvent::ResourceUpdated))
        .collect()
}

/// Announces changes to every session of a server. Cheap to clone; a provider keeps one
/// (given in [`crate::Provider::attach`]) and calls it when its components change.
///
/// Once the server has started, repeats of the same change are coalesced (see
/// [`crate::Server::notification_debounce`]): a change goes out at once, repeats within the
/// window that follows go out once at its end, so the last change always reaches the
/// sessions. A notifier made with [`ChangeNotifier::new`] alone sends everything at once.
/// A session that falls behind (busy while more changes went out than it holds) is told
/// instead that every list the server serves, and every resource it subscribed to, may
/// have changed.
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
    /// Every change at once, never debounced: for what must not act on a stale view
    /// (caches). Made by the first such listener: most servers have none, and a channel's
    /// backlog is allocated whole when it is made.
    immediate: Arc<OnceLock<broadcast::Sender<ServerEvent>>>,
    /// Set when the server starts with a debounce window; its guard stops the throttle's
    /// task when the last clone of the notifier goes away.
    throttle: Arc<OnceLock<(Arc<Throttle<ServerEvent>>, DropGuard)>>,
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
            immediate: Arc::new(OnceLock::new()),
            throttle: Arc::new(OnceLock::new()),
        }
    }

    /// Coalesce repeats within `window` from now on (once; later calls change nothing). The
    /// throttle's task ends at `stop` or when the last clone of this notifier is dropped.
    pub(crate) fn debounce(&self, window: Duration, stop: &CancellationToken) {
        if window.is_zero() || self.throttle.get().is_some() {
            return;
        }
        let end = stop.child_token();
        let t = Throttle::start(window, self.tx.clone(), end.clone());
        let _ = self.throttle.set((t, end.drop_guard()));
    }

    /// Announce `event` (dropped when no session listens; held back when the same change
    /// went out within the debounce window, and sent at its end).
    pub fn send(&self, event: ServerEvent) {
        if let Some(immediate) = self.immediate.get().filter(|i| i.receiver_count() > 0) {
            let _ = immediate.send(event.clone());
        }
        let event = match self.throttle.get() {
            Some((t, _)) => t.offer(event),
            None => Some(event),
        };
        if let Some(ev) = event {
            let _ = self.tx.send(ev);
        }
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

    /// Listen to what is announced from now on (debounced, as sessions see it).
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.tx.subscribe()
    }

    /// Listen to every change from now on, as it happens, never debounced: for what must
    /// not serve a stale view in the meantime (a response cache).
    pub fn subscribe_immediate(&self) -> broadcast::Receiver<ServerEvent> {
        self.immediate
            .get_or_init(|| broadcast::channel(BACKLOG).0)
            .subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missed_stands_for_every_list_served_and_every_subscription() {
        let lists = Lists {
            tools: true,
            resources: true,
            prompts: false,
        };
        assert_eq!(
            missed(lists, vec!["file:///a".into()]),
            vec![
                ServerEvent::ToolsChanged,
                ServerEvent::ResourcesChanged,
                ServerEvent::ResourceUpdated("file:///a".into()),
            ]
        );
        assert_eq!(missed(Lists::default(), vec![]), vec![]);
    }

    #[test]
    fn an_immediate_listener_hears_every_clone_even_one_made_before_it() {
        let a = ChangeNotifier::new();
        let b = a.clone();
        b.tools_changed(); // nobody listens yet: dropped
        let mut rx = a.subscribe_immediate();
        b.resource_updated("file:///x");
        assert_eq!(
            rx.try_recv().unwrap(),
            ServerEvent::ResourceUpdated("file:///x".into())
        );
        assert!(rx.try_recv().is_err());
    }
}
