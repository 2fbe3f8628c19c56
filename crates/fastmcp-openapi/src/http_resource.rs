//! [`HttpResource`]: a resource whose contents are fetched from a URL when it is read.

use std::sync::Arc;
use std::time::Duration;

use fastmcp_core::{AnyResource, BoxFuture, Context, Error, IntoResource, ResourceHandler};
use fastmcp_protocol::{ReadResourceResult, Resource};

use crate::call::{read, resource_result};

/// A resource fetched with `GET` from a fixed URL each time it is read: its contents are
/// the answer's body with the answer's type (text when it is UTF-8, else a blob); a
/// status other than 2xx is an error (404: resource not found). The URL is the server's,
/// never a client's.
///
/// ```
/// use fastmcp_openapi::HttpResource;
/// use fastmcp_server::Server;
///
/// let status = HttpResource::new("status://upstream", "https://status.example.com/api.json")
///     .description("The upstream service's status page.")
///     .header("accept", "application/json");
/// let server = Server::new("ops", "1.0.0").resource(status);
/// # let _ = server;
/// ```
pub struct HttpResource {
    def: Resource,
    url: String,
    headers: Vec<(String, String)>,
    timeout: Duration,
    max: usize,
    client: std::sync::OnceLock<reqwest::Client>,
}

impl HttpResource {
    /// The resource `uri`, read from `url`.
    pub fn new(uri: impl Into<String>, url: impl Into<String>) -> Self {
        let uri = uri.into();
        HttpResource {
            def: Resource::new(uri.clone(), uri),
            url: url.into(),
            headers: vec![],
            timeout: Duration::from_secs(30),
            max: crate::DEFAULT_MAX_RESPONSE,
            client: std::sync::OnceLock::new(),
        }
    }

    /// Set the description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.def.description = Some(text.into());
        self
    }

    /// The MIME type listed (reads carry the answer's own).
    pub fn mime_type(mut self, mime: impl Into<String>) -> Self {
        self.def.mime_type = Some(mime.into());
        self
    }

    /// A header sent with every fetch.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long a fetch may take (default 30 seconds).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The largest body read (default 16 MiB).
    pub fn max_size(mut self, bytes: usize) -> Self {
        self.max = bytes;
        self
    }
}

impl ResourceHandler for HttpResource {
    fn resource(&self) -> &Resource {
        &self.def
    }

    fn read(
        self: Arc<Self>,
        _ctx: Context,
        uri: String,
    ) -> BoxFuture<'static, Result<ReadResourceResult, Error>> {
        Box::pin(async move {
            let client = match self.client.get() {
                Some(c) => c.clone(),
                None => {
                    let c = reqwest::Client::builder()
                        .timeout(self.timeout)
                        .build()
                        .map_err(|e| Error::internal(e.to_string()))?;
                    self.client.get_or_init(|| c).clone()
                }
            };
            let mut req = client.get(&self.url);
            for (k, v) in &self.headers {
                req = req.header(k, v);
            }
            let resp = req
                .send()
                .await
                .map_err(|e| Error::internal(format!("GET {}: {e}", self.url)))?;
            let answer = read(resp, self.max, self.url.clone())
                .await
                .map_err(|e| Error::internal(e.message().to_owned()))?;
            resource_result(&uri, answer)
        })
    }
}

impl IntoResource for HttpResource {
    fn into_resource(self) -> AnyResource {
        AnyResource::Static(Arc::new(self))
    }
}
