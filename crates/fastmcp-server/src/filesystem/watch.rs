//! Watching the served directory (the `notify` crate): a file created, removed or renamed
//! changes the resource list (`notifications/resources/list_changed`), a file written is
//! an update of its resource (`notifications/resources/updated` to its subscribers).
//! Events are gathered for a moment so that a burst is announced once.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::Error;
use notify::event::{EventKind, ModifyKind};
use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::path::uri_path;
use crate::changes::ChangeNotifier;

/// How long events are gathered before they are announced.
const SETTLE: Duration = Duration::from_millis(50);
/// Events waiting to be gathered, at most this many (past it, the list is said to change).
const BACKLOG: usize = 4096;

/// A running watch; stops when dropped.
pub(crate) struct Watching {
    _watcher: notify::RecommendedWatcher,
}

/// Watch `root`: announce to `changes` with URIs `prefix` + path, and call `forget` when
/// the list changed. Call it inside a tokio runtime.
pub(crate) fn start(
    root: PathBuf,
    prefix: String,
    changes: ChangeNotifier,
    forget: impl Fn() + Send + 'static,
) -> Result<Watching, Error> {
    let (tx, mut rx) = mpsc::channel::<notify::Result<notify::Event>>(BACKLOG);
    let lagged = Arc::new(AtomicBool::new(false));
    let missed = lagged.clone();
    let mut watcher = notify::recommended_watcher(move |e| {
        if tx.try_send(e).is_err() {
            missed.store(true, Ordering::Relaxed);
        }
    })
    .map_err(|e| Error::internal(format!("cannot watch {}: {e}", root.display())))?;
    watcher
        .watch(&root, RecursiveMode::Recursive)
        .map_err(|e| Error::internal(format!("cannot watch {}: {e}", root.display())))?;
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            tokio::time::sleep(SETTLE).await;
            let mut batch = vec![first];
            while let Ok(e) = rx.try_recv() {
                batch.push(e);
            }
            let mut list_changed = lagged.swap(false, Ordering::Relaxed);
            let mut updated = BTreeSet::new();
            for e in batch {
                let Ok(e) = e else {
                    list_changed = true;
                    continue;
                };
                match e.kind {
                    EventKind::Create(_)
                    | EventKind::Remove(_)
                    | EventKind::Modify(ModifyKind::Name(_)) => list_changed = true,
                    EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                        let uris = e.paths.iter().filter_map(|p| uri_path(&root, p));
                        updated.extend(uris.map(|u| format!("{prefix}{u}")));
                    }
                    _ => {}
                }
            }
            if list_changed {
                forget();
                changes.resources_changed();
            }
            for uri in updated {
                changes.resource_updated(uri);
            }
        }
    });
    Ok(Watching { _watcher: watcher })
}
