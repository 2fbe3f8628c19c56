//! What the client set on its session (the log level, resource subscriptions), kept so a
//! new session after an expired one (HTTP 404, handshake era) is set up the same way.

use std::collections::BTreeSet;
use std::sync::PoisonError;

use fastmcp_protocol::LoggingLevel;
use serde_json::json;

use crate::client::Client;

/// The session's settings.
#[derive(Debug, Default, Clone)]
pub(crate) struct Settings {
    pub(crate) log_level: Option<LoggingLevel>,
    pub(crate) subscriptions: BTreeSet<String>,
}

impl Client {
    fn settings(&self) -> std::sync::MutexGuard<'_, Settings> {
        self.inner
            .settings
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn remember_log_level(&self, level: LoggingLevel) {
        self.settings().log_level = Some(level);
    }

    pub(crate) fn remember_subscription(&self, uri: &str, on: bool) {
        let mut s = self.settings();
        if on {
            s.subscriptions.insert(uri.to_owned());
        } else {
            s.subscriptions.remove(uri);
        }
    }

    /// Take `settings` as this session's and set them on it (a new connection made to
    /// replace another: see [`Client::restore_settings`]).
    pub(crate) async fn adopt_settings(&self, settings: Settings) {
        *self.settings() = settings;
        self.restore_settings().await;
    }

    /// Set the log level and subscriptions again on a new session (one round each, no
    /// re-initializing: this runs inside one). The stateless era keeps no session state.
    /// A failure is logged: the session itself is usable.
    pub(crate) async fn restore_settings(&self) {
        if self.era() != fastmcp_protocol::Era::Handshake {
            return;
        }
        let Settings {
            log_level: level,
            subscriptions: subs,
        } = self.settings().clone();
        let timeout = self.inner.timeouts.idle;
        if let Some(l) = level {
            let params = json!({ "level": l });
            if let Err(e) = self.round("logging/setLevel", &params, timeout).await {
                tracing::warn!("restoring the log level: {}", e.message());
            }
        }
        for uri in subs {
            let params = json!({ "uri": uri });
            if let Err(e) = self.round("resources/subscribe", &params, timeout).await {
                tracing::warn!("restoring the subscription to {uri}: {}", e.message());
            }
        }
    }
}
