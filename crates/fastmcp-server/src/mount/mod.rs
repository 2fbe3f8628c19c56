//! Composition: one server built out of several.
//!
//! [`Server::mount`] mounts a server live: it starts and stops with its parent, its
//! components (whatever its own providers and transforms make of them, changes included)
//! are the parent's under a namespace, every use of them runs through its own middleware,
//! and its list_changed and resource updates reach the parent's clients.
//! [`Server::import_server`] copies a server's own components once, namespaced, into the
//! parent: they then run as the parent's own (the parent's middleware and state, no
//! lifespan of their own).
//!
//! Names in the parent: tools and prompts `ns_name`, resources and templates
//! `scheme://ns/path` (see [`Namespace`]). When two sources offer one name, the first
//! wins: the parent's own components, then providers and mounted servers in the order
//! they were added; an imported component follows the parent's
//! [`crate::OnDuplicate`] policy like any registration.
//!
//! ```
//! use fastmcp_core::{Context, FnTool};
//! use fastmcp_server::Server;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct City { city: String }
//!
//! let weather = Server::new("weather", "1.0.0").tool(FnTool::typed(
//!     "forecast", "Tomorrow's weather.", |_: Context, a: City| async move {
//!         format!("Sunny in {}", a.city)
//!     },
//! ));
//! // Clients of `app` see the tool `weather_forecast`.
//! let app = Server::new("app", "1.0.0").mount(weather, "weather");
//! # let _ = app;
//! ```

mod child;
mod namespace;
pub(crate) mod renamed;
mod transform;
mod via;

use std::sync::Arc;

use fastmcp_core::AnyResource;

pub use namespace::Namespace;
pub use transform::NamespaceTransform;

use crate::builder::Server;
use crate::provider::{LocalProvider, RegistrationError};
use crate::transform::Transformed;
use child::{ChildServer, ChildState};
use renamed::{RenamedPrompt, RenamedResource, RenamedTemplate, RenamedTool};

/// The namespace `namespace` stands for (`None` for `""`), or why it cannot be one.
fn namespace_of(namespace: &str) -> Result<Option<Namespace>, RegistrationError> {
    if namespace.is_empty() {
        return Ok(None);
    }
    let ns = Namespace::new(namespace);
    match ns.check() {
        Ok(()) => Ok(Some(ns)),
        Err(reason) => Err(RegistrationError::InvalidNamespace {
            namespace: namespace.to_owned(),
            reason,
        }),
    }
}

impl Server {
    /// Mount `child` live under `namespace` (`""`: no namespace). See the module docs of
    /// `fastmcp_server::mount`.
    ///
    /// The child starts when this server starts (its startup and lifespan hooks run then;
    /// a child that fails to start fails this server's start) and shuts down with it.
    /// Its tools, resources, templates and prompts are this server's, namespaced; a call
    /// runs through the child's own middleware and access rules, on this server's request
    /// (progress, logs, elicitation and sampling reach this server's client); its
    /// list_changed and resource updates reach this server's sessions. Its settings for
    /// sessions and transports (limits, timeouts, instructions) are this server's.
    pub fn mount(self, child: Server, namespace: &str) -> Self {
        let ns = match namespace_of(namespace) {
            Ok(ns) => ns,
            Err(e) => return self.registration_error(e),
        };
        let state = ChildState::new(ns.clone());
        let (start, stop) = (state.clone(), state.clone());
        let label = match namespace {
            "" => format!("the mounted server {:?}", child.config().info.name),
            ns => format!("the server mounted as {ns:?}"),
        };
        let this = self
            .on_startup(move || async move {
                let running = child.start().await.map_err(|e| {
                    fastmcp_core::Error::internal(format!("{label}: {}", e.message()))
                })?;
                let _ = start.running.set(running);
                Ok(())
            })
            .on_shutdown(move || async move {
                match stop.running.get() {
                    Some(running) => running.shutdown().await,
                    None => Ok(()),
                }
            });
        let provider = ChildServer(state);
        match ns {
            Some(ns) => this.provider(Transformed::new(provider).with(ns.transform())),
            None => this.provider(provider),
        }
    }

    /// Copy `child`'s own components (those registered on it, not its providers) into
    /// this server under `namespace` (`""`: no namespace), once, now. They run as this
    /// server's own: this server's middleware, state and access rules; the child's
    /// middleware, lifespan and hooks are not used (mount it with [`Server::mount`] for
    /// those). The child's registration problems become this server's.
    pub fn import_server(self, child: Server, namespace: &str) -> Self {
        let ns = match namespace_of(namespace) {
            Ok(ns) => ns,
            Err(e) => return self.registration_error(e),
        };
        let (snapshot, errors) = child.into_local();
        let mut this = self;
        for e in errors {
            this = this.registration_error(e);
        }
        let errors = copy_into(this.local(), snapshot, ns.as_ref());
        errors
            .into_iter()
            .fold(this, |s, e| s.registration_error(e))
    }
}

/// Register every component of `snapshot` into `local`, renamed into `ns`.
fn copy_into(
    local: &LocalProvider,
    snapshot: crate::provider::Snapshot,
    ns: Option<&Namespace>,
) -> Vec<RegistrationError> {
    let mut errors = vec![];
    let mut keep = |r: Result<(), RegistrationError>| errors.extend(r.err());
    for t in snapshot.tools {
        let t = match ns {
            Some(ns) => Arc::new(RenamedTool::new(t.clone(), ns.name(&t.tool().name))),
            None => t,
        };
        keep(local.add_tool(t));
    }
    for r in snapshot.resources {
        let r = match (ns, r) {
            (None, r) => r,
            (Some(ns), AnyResource::Static(h)) => {
                let uri = ns.uri(&h.resource().uri);
                AnyResource::Static(Arc::new(RenamedResource::new(h, uri)))
            }
            (Some(ns), AnyResource::Template(h)) => {
                AnyResource::Template(Arc::new(RenamedTemplate::new(h, ns.clone())))
            }
        };
        keep(local.add_resource(r));
    }
    for p in snapshot.prompts {
        let p = match ns {
            Some(ns) => Arc::new(RenamedPrompt::new(p.clone(), ns.name(&p.prompt().name))),
            None => p,
        };
        keep(local.add_prompt(p));
    }
    errors
}
