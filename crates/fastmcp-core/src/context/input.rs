//! Input from the client: elicitation (form and URL mode) and roots, as real requests in the
//! handshake era or multi-round-trip input rounds in the stateless era.

use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    ElicitRequestUrlParams, ElicitResult, ListRootsResult, ProtocolVersion, Root,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::Context;
use crate::elicit::{elicitation_schema, Elicited};
use crate::{Error, ErrorKind};

impl Context {
    pub(super) async fn ask(
        &self,
        key: Option<&str>,
        kind: &str,
        method: &str,
        params: Value,
    ) -> Result<Value, Error> {
        if let Some(rounds) = &self.inner.rounds {
            let request = json!({ "method": method, "params": params });
            return match key {
                Some(k) => rounds.ask_keyed(k.to_owned(), request),
                None => rounds.ask(kind, request),
            };
        }
        let raw = self.inner.peer.request(method, to_raw(&params)).await?;
        serde_json::from_str(raw.get())
            .map_err(|e| Error::internal(format!("bad {method} result: {e}")))
    }

    pub(super) fn require(&self, present: bool, capability: Value) -> Result<(), Error> {
        if present {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::MissingClientCapability,
            format!("the client does not support {capability}"),
        )
        .with_data(json!({ "requiredCapabilities": capability })))
    }

    /// The client requests of this context under a key chosen by the handler: in the
    /// stateless era the input request appears as `inputRequests[key]` (instead of an
    /// automatic key such as `elicit-0`); in the handshake era the key is not used.
    ///
    /// ```
    /// # async fn f(ctx: fastmcp_core::Context) -> Result<(), fastmcp_core::Error> {
    /// let answer = ctx
    ///     .keyed("user_name")
    ///     .elicit_raw("Your name?", serde_json::json!({
    ///         "type": "object", "properties": {"name": {"type": "string"}}
    ///     }))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn keyed<'a>(&'a self, key: &'a str) -> Keyed<'a> {
        Keyed { ctx: self, key }
    }

    /// Ask the user for input with a form (`requestedSchema` is a flat object schema).
    pub async fn elicit_raw(
        &self,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        self.elicit_raw_with(None, message, requested_schema).await
    }

    pub(super) async fn elicit_raw_with(
        &self,
        key: Option<&str>,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        let caps = self.client_capabilities();
        self.require(caps.elicitation.is_some(), json!({ "elicitation": {} }))?;
        let params =
            json!({ "mode": "form", "message": message, "requestedSchema": requested_schema });
        let params = if self.protocol_version() < Some(ProtocolVersion::V2025_11_25) {
            json!({ "message": message, "requestedSchema": params["requestedSchema"] })
        } else {
            params
        };
        let v = self
            .ask(key, "elicit", "elicitation/create", params)
            .await?;
        serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad elicitation result: {e}")))
    }

    /// Ask the user for a value of type `T` (a struct of primitive fields); the form's schema
    /// is generated from `T`.
    pub async fn elicit<T>(&self, message: &str) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.elicit_with(None, message).await
    }

    pub(super) async fn elicit_with<T>(
        &self,
        key: Option<&str>,
        message: &str,
    ) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        let result = self
            .elicit_raw_with(key, message, elicitation_schema::<T>())
            .await?;
        Elicited::from_result(result)
    }

    /// Ask the user to visit a URL (URL-mode elicitation, 2025-11-25 and later).
    pub async fn elicit_url(
        &self,
        message: &str,
        url: &str,
        elicitation_id: &str,
    ) -> Result<ElicitResult, Error> {
        let caps = self.client_capabilities();
        let url_ok = caps.elicitation.as_ref().is_some_and(|e| e.url.is_some());
        self.require(url_ok, json!({ "elicitation": { "url": {} } }))?;
        let params = json!({ "mode": "url", "message": message, "url": url, "elicitationId": elicitation_id });
        let v = self
            .ask(None, "elicit", "elicitation/create", params)
            .await?;
        serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad elicitation result: {e}")))
    }

    /// The error that fails this request with -32042 (URL elicitation required): the
    /// user must complete `elicitations` out of band, then the client may retry. When the
    /// client did not declare URL-mode elicitation, the error is -32021 (missing client
    /// capability) instead: servers must not send URL elicitations to such clients.
    ///
    /// ```
    /// use fastmcp_core::{Context, Error};
    /// use fastmcp_protocol::ElicitRequestUrlParams;
    /// async fn connect(ctx: Context) -> Result<String, Error> {
    ///     let token: Option<String> = ctx.get_state("token");
    ///     match token {
    ///         Some(t) => Ok(t),
    ///         None => Err(ctx.url_elicitation_required(vec![ElicitRequestUrlParams::new(
    ///             "Sign in to the calendar",
    ///             "https://example.com/oauth/start",
    ///             "calendar-1",
    ///         )])),
    ///     }
    /// }
    /// ```
    pub fn url_elicitation_required(&self, elicitations: Vec<ElicitRequestUrlParams>) -> Error {
        let caps = self.client_capabilities();
        let url_ok = caps.elicitation.as_ref().is_some_and(|e| e.url.is_some());
        match self.require(url_ok, json!({ "elicitation": { "url": {} } })) {
            Ok(()) => Error::url_elicitation_required(elicitations),
            Err(e) => e,
        }
    }

    /// Send the client a request received from elsewhere, as it is: `elicitation/create`
    /// (form or URL mode), `sampling/createMessage` or `roots/list`; for servers that relay
    /// another server's requests (a proxy). The client must have declared the capability
    /// the request needs; in the stateless era the request becomes an input request of
    /// this one, like [`Context::elicit`]. A form elicitation loses its `mode` for a client
    /// older than 2025-11-25.
    ///
    /// ```
    /// # async fn f(ctx: fastmcp_core::Context) -> Result<(), fastmcp_core::Error> {
    /// let roots = ctx.relay_request("roots/list", serde_json::json!({})).await?;
    /// # Ok(()) }
    /// ```
    pub async fn relay_request(&self, method: &str, mut params: Value) -> Result<Value, Error> {
        let caps = self.client_capabilities();
        let (kind, ok, needed) = match method {
            "elicitation/create" if params.get("mode").and_then(Value::as_str) == Some("url") => {
                let ok = caps.elicitation.as_ref().is_some_and(|e| e.url.is_some());
                ("elicit", ok, json!({ "elicitation": { "url": {} } }))
            }
            "elicitation/create" => {
                if self.protocol_version() < Some(ProtocolVersion::V2025_11_25) {
                    if let Some(o) = params.as_object_mut() {
                        o.remove("mode");
                    }
                }
                (
                    "elicit",
                    caps.elicitation.is_some(),
                    json!({ "elicitation": {} }),
                )
            }
            "sampling/createMessage" => {
                ("sample", caps.sampling.is_some(), json!({ "sampling": {} }))
            }
            "roots/list" => ("roots", caps.roots.is_some(), json!({ "roots": {} })),
            other => return Err(Error::method_not_found(other)),
        };
        self.require(ok, needed)?;
        self.ask(None, kind, method, params).await
    }

    /// The client's roots.
    pub async fn list_roots(&self) -> Result<Vec<Root>, Error> {
        self.list_roots_with(None).await
    }

    pub(super) async fn list_roots_with(&self, key: Option<&str>) -> Result<Vec<Root>, Error> {
        let caps = self.client_capabilities();
        self.require(caps.roots.is_some(), json!({ "roots": {} }))?;
        let v = self.ask(key, "roots", "roots/list", json!({})).await?;
        let r: ListRootsResult = serde_json::from_value(v)
            .map_err(|e| Error::internal(format!("bad roots result: {e}")))?;
        Ok(r.roots)
    }
}

/// Client requests under a handler-chosen input key; see [`Context::keyed`].
#[derive(Debug, Clone, Copy)]
pub struct Keyed<'a> {
    pub(super) ctx: &'a Context,
    pub(super) key: &'a str,
}

impl Keyed<'_> {
    /// [`Context::elicit_raw`] under this key.
    pub async fn elicit_raw(
        &self,
        message: &str,
        requested_schema: Value,
    ) -> Result<ElicitResult, Error> {
        self.ctx
            .elicit_raw_with(Some(self.key), message, requested_schema)
            .await
    }

    /// [`Context::elicit`] under this key.
    pub async fn elicit<T>(&self, message: &str) -> Result<Elicited<T>, Error>
    where
        T: schemars::JsonSchema + DeserializeOwned,
    {
        self.ctx.elicit_with(Some(self.key), message).await
    }

    /// [`Context::list_roots`] under this key.
    pub async fn list_roots(&self) -> Result<Vec<Root>, Error> {
        self.ctx.list_roots_with(Some(self.key)).await
    }
}
