//! The data every method implementation reads: settings, where components come from, the
//! tasks, the shutdown signal and the way back in for nested calls.

use std::sync::{Arc, OnceLock, Weak};

use fastmcp_core::{Dispatch, StateMap};
use tokio_util::sync::CancellationToken;

use crate::changes::{ChangeNotifier, Lists, ServerEvent};
use crate::config::ServerConfig;
use crate::provider::{Kinds, LocalProvider, Provider, ProviderSet};
use crate::tasks::state::Tasks;
use crate::transform::Transformed;

/// A started server's data, shared by its sessions.
pub(crate) struct Runtime {
    pub(crate) config: ServerConfig,
    /// Every provider, seen through the server's transforms.
    pub(crate) catalog: Transformed<ProviderSet>,
    /// The server's own components (also one of the providers).
    pub(crate) local: Arc<LocalProvider>,
    pub(crate) changes: ChangeNotifier,
    /// Components enabled and disabled at run time (also the outermost transform).
    pub(crate) visibility: crate::visibility::Visibility,
    pub(crate) tasks: Tasks,
    /// Cancelled when the server shuts down (ends long-lived requests at once).
    pub(crate) shutdown: CancellationToken,
    /// The typed state handlers read (`Server::state`, `Server::lifespan`).
    pub(crate) state: Arc<StateMap>,
    /// The request pipeline, for calls a handler makes into its own server.
    nested: OnceLock<Weak<dyn Dispatch>>,
    /// The last `tools/list` answers.
    pub(crate) tool_list: crate::list_cache::ToolListCache,
}

impl Runtime {
    pub(crate) fn new(
        config: ServerConfig,
        catalog: Transformed<ProviderSet>,
        local: Arc<LocalProvider>,
        changes: ChangeNotifier,
        visibility: crate::visibility::Visibility,
        tasks: Tasks,
        state: Arc<StateMap>,
    ) -> Runtime {
        Runtime {
            config,
            catalog,
            local,
            changes,
            visibility,
            tasks,
            shutdown: CancellationToken::new(),
            state,
            nested: OnceLock::new(),
            tool_list: Default::default(),
        }
    }

    /// What the providers may offer now.
    pub(crate) fn kinds(&self) -> Kinds {
        self.catalog.kinds()
    }

    /// What stands for the changes a listener skipped (see [`crate::changes::missed`]).
    pub(crate) fn missed(&self, subscribed: Vec<String>) -> Vec<ServerEvent> {
        let k = self.kinds();
        let lists = Lists {
            tools: k.tools,
            resources: k.resources || k.templates,
            prompts: k.prompts,
        };
        crate::changes::missed(lists, subscribed)
    }

    /// Where nested calls go (set once the pipeline is built).
    pub(crate) fn set_dispatcher(&self, d: Weak<dyn Dispatch>) {
        let _ = self.nested.set(d);
    }

    /// The pipeline for nested calls, while the server lives.
    pub(crate) fn dispatcher(&self) -> Option<Arc<dyn Dispatch>> {
        self.nested.get().and_then(Weak::upgrade)
    }
}
