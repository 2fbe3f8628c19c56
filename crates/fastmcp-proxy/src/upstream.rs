//! Connections to the upstream server: made on first use, made again when one closed,
//! closed when nothing holds them (a downstream session's own ends with the session).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use fastmcp_client::{Client, ClientBuilder};
use fastmcp_core::{BoxFuture, Error};
use fastmcp_protocol::{ClientCapabilities, Era, LoggingLevel};

use crate::callers::Callers;
use crate::catalog::Catalog;
use crate::relay::Relay;

/// Makes a connection with a builder whose handler relays to the proxy's clients.
pub(crate) type Connect =
    Arc<dyn Fn(ClientBuilder) -> BoxFuture<'static, Result<Client, Error>> + Send + Sync>;

/// One upstream connection (made when first needed) and the calls in flight on it.
pub(crate) struct Upstream {
    connect: Connect,
    catalog: Arc<Catalog>,
    /// What to declare upstream (`None`: everything the proxy relays).
    capabilities: Option<ClientCapabilities>,
    pub(crate) callers: Arc<Callers>,
    client: tokio::sync::Mutex<Option<Client>>,
}

impl Upstream {
    pub(crate) fn new(
        connect: Connect,
        catalog: Arc<Catalog>,
        capabilities: Option<ClientCapabilities>,
    ) -> Self {
        Upstream {
            connect,
            catalog,
            capabilities,
            callers: Arc::default(),
            client: tokio::sync::Mutex::new(None),
        }
    }

    /// The connection, made now if there is none or the last one closed.
    pub(crate) async fn client(&self) -> Result<Client, Error> {
        let mut slot = self.client.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| !c.is_closed()) {
            return Ok(c.clone());
        }
        let relay = Relay::new(
            self.callers.clone(),
            self.catalog.clone(),
            self.capabilities.clone(),
        );
        let builder = Client::builder()
            .info("fastmcp-proxy", env!("CARGO_PKG_VERSION"))
            .log_level(LoggingLevel::Debug)
            .handler(relay);
        let client = (self.connect)(builder).await.map_err(|e| {
            let c = Error::new(e.kind(), format!("the proxied server: {}", e.message()));
            match e.data() {
                Some(d) => c.with_data(d.clone()),
                None => c,
            }
        })?;
        // Every message: the proxy's clients choose what they see with their own level.
        if client.era() == Era::Handshake && client.server_capabilities().logging.is_some() {
            let _ = client.set_log_level(LoggingLevel::Debug).await;
        }
        *slot = Some(client.clone());
        Ok(client)
    }
}

impl Upstream {
    /// The connection, if one is open now (never waits, never connects).
    pub(crate) fn connected(&self) -> Option<Client> {
        let slot = self.client.try_lock().ok()?;
        slot.as_ref().filter(|c| !c.is_closed()).cloned()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(c) = self.client.get_mut().take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    if let Err(e) = c.close().await {
                        tracing::debug!("proxy: closing an upstream connection: {}", e.message());
                    }
                });
            }
        }
    }
}

/// A downstream session's own upstream connections, one per proxy (kept in the session's
/// typed state, so they close when the session ends).
#[derive(Default)]
pub(crate) struct SessionUpstreams(Mutex<HashMap<u64, Arc<Upstream>>>);

impl SessionUpstreams {
    /// The session's connection of `proxy`, if it has one.
    pub(crate) fn get(&self, proxy: u64) -> Option<Arc<Upstream>> {
        let m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        m.get(&proxy).cloned()
    }

    pub(crate) fn get_or(&self, proxy: u64, make: impl FnOnce() -> Upstream) -> Arc<Upstream> {
        let mut m = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        m.entry(proxy).or_insert_with(|| Arc::new(make())).clone()
    }
}
