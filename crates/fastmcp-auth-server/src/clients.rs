//! Where a client id is looked up: the clients given by configuration, then a Client ID
//! Metadata Document (when the id is a URL and documents are accepted), then the store
//! (dynamically registered clients).

use fastmcp_core::BoxFuture;

use crate::authorize::ClientSource;
use crate::cimd;
use crate::grants::RegisteredClient;
use crate::server::Inner;

impl ClientSource for Inner {
    fn client<'a>(
        &'a self,
        client_id: &'a str,
    ) -> BoxFuture<'a, Result<Option<RegisteredClient>, String>> {
        Box::pin(async move {
            if let Some(c) = self.static_clients.get(client_id) {
                return Ok(Some(c.clone()));
            }
            if cimd::is_document_url(client_id) {
                return match &self.cimd {
                    Some(r) => r.resolve(client_id).await.map(Some),
                    None => Ok(None),
                };
            }
            ClientSource::client(&self.grants, client_id).await
        })
    }
}
