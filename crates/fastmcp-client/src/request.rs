//! Sending a request: `_meta` in the stateless era, the multi-round loop that answers
//! `input_required` results through the handler, expired sessions and refused versions.

use std::sync::atomic::Ordering;
use std::time::Duration;

use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::RequestId;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use crate::client::Client;
use crate::deadline::{within, Timeouts};
use crate::handshake::PROTOCOL_VERSION_KEY;
use crate::server_requests::answer;

impl Client {
    /// Send any request and decode its result. In the stateless era `_meta` is added and
    /// `input_required` results are answered through the handler and retried.
    pub async fn request<T: DeserializeOwned>(
        &self,
        method: &str,
        params: impl Serialize,
    ) -> Result<T, Error> {
        let v = self
            .request_value(method, params, self.inner.timeouts.idle)
            .await?;
        serde_json::from_value(v).map_err(|e| Error::internal(format!("bad {method} result: {e}")))
    }

    /// Like [`Client::request`], returning the raw JSON result, with this timeout instead
    /// of the client's (`None`: none). Progress notifications of the request extend it as
    /// set with [`ClientBuilder::reset_timeout_on_progress`](crate::ClientBuilder::reset_timeout_on_progress).
    pub async fn request_value(
        &self,
        method: &str,
        params: impl Serialize,
        timeout: Option<Duration>,
    ) -> Result<Value, Error> {
        let mut params =
            serde_json::to_value(params).map_err(|e| Error::invalid_params(e.to_string()))?;
        if params.is_null() {
            params = json!({});
        }
        if let Some(meta) = self.meta() {
            let slot = &mut params["_meta"];
            match slot.as_object_mut() {
                Some(m) => m.extend(meta.as_object().cloned().unwrap_or_default()),
                None => *slot = meta,
            }
        }
        let mut version_retried = false;
        for _ in 0..=self.inner.max_rounds {
            let gen = self.inner.session_gen.load(Ordering::SeqCst);
            let raw = match self.round(method, &params, timeout).await {
                Err(e) if self.should_reinitialize(method, &e) => {
                    self.reinitialize(gen).await?;
                    self.round(method, &params, timeout).await?
                }
                // Refused for its version: once per request, retry with a version the
                // server named.
                Err(e) if !version_retried && self.adopt_supported_version(&e) => {
                    version_retried = true;
                    params["_meta"][PROTOCOL_VERSION_KEY] = json!(self.protocol_version());
                    self.round(method, &params, timeout).await?
                }
                r => r?,
            };
            let v: Value =
                serde_json::from_str(raw.get()).map_err(|e| Error::internal(e.to_string()))?;
            if v.get("resultType").and_then(Value::as_str) != Some("input_required") {
                return Ok(v);
            }
            self.answer_input_requests(&v, &mut params).await?;
        }
        Err(Error::internal(format!(
            "{method}: more than {} input rounds",
            self.inner.max_rounds
        )))
    }

    /// Answer the `inputRequests` of an `input_required` result through the handler, and
    /// set the next round's `inputResponses` and `requestState` in `params`.
    async fn answer_input_requests(&self, v: &Value, params: &mut Value) -> Result<(), Error> {
        let mut responses = Map::new();
        if let Some(reqs) = v.get("inputRequests").and_then(Value::as_object) {
            for (k, r) in reqs {
                let m = r["method"].as_str().unwrap_or_default();
                let p = to_raw(r.get("params").unwrap_or(&json!({})));
                let a = answer(&*self.inner.handler, &self.inner.capabilities, m, Some(&p)).await?;
                responses.insert(
                    k.clone(),
                    serde_json::from_str(a.get()).unwrap_or(Value::Null),
                );
            }
        }
        params["inputResponses"] = Value::Object(responses);
        match v.get("requestState") {
            Some(s) => params["requestState"] = s.clone(),
            None => {
                if let Some(o) = params.as_object_mut() {
                    o.remove("requestState");
                }
            }
        }
        Ok(())
    }

    /// One request with a fresh id.
    pub(crate) async fn round(
        &self,
        method: &str,
        params: &Value,
        timeout: Option<Duration>,
    ) -> Result<Box<RawValue>, Error> {
        let wire = &self.inner.wire;
        let id = wire.next_id();
        #[cfg(feature = "otel")]
        let (span, params) = crate::otel::start(
            crate::otel::Request {
                method,
                id: &id,
                session_id: self.session_id(),
                version: self.protocol_version(),
            },
            params,
        );
        let token = params
            .pointer("/_meta/progressToken")
            .and_then(|t| serde_json::from_value::<RequestId>(t.clone()).ok());
        let ticks = token.map(|t| wire.progress_ticks(t));
        let t = Timeouts {
            idle: timeout,
            ..self.inner.timeouts
        };
        let fut = wire.request(id, method, to_raw(&params));
        let answer = within(t, ticks.as_ref().map(|(n, _)| &**n), fut);
        #[cfg(feature = "otel")]
        let answer = crate::otel::traced(span, method, answer);
        answer.await
    }
}
