//! What a request's `_meta` decides before it is dispatched: in the stateless era
//! (2026-07-28) its session is built from `_meta` (protocol version, client info and
//! capabilities, log level); in the handshake era it belongs to its connection's session.

use std::sync::Arc;

use fastmcp_core::{Error, ErrorKind, Session};
use fastmcp_protocol::{
    ClientCapabilities, Era, Implementation, LoggingLevel, ProgressToken, ProtocolVersion,
    META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_LOG_LEVEL, META_PROGRESS_TOKEN,
    META_PROTOCOL_VERSION,
};
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

/// `_meta` as far as dispatch reads it.
#[derive(Deserialize, Default)]
struct MetaProbe {
    #[serde(rename = "_meta", default)]
    meta: Option<RequestMeta>,
}

#[derive(Deserialize, Default)]
struct RequestMeta {
    #[serde(rename = "io.modelcontextprotocol/protocolVersion", default)]
    protocol_version: Option<String>,
    #[serde(rename = "io.modelcontextprotocol/clientInfo", default)]
    client_info: Option<Implementation>,
    #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default)]
    client_capabilities: Option<ClientCapabilities>,
    #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
    log_level: Option<LoggingLevel>,
    #[serde(rename = "progressToken", default)]
    progress_token: Option<ProgressToken>,
}

// The serde renames above must stay the protocol's key names.
const _: () = {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    assert!(same(
        META_PROTOCOL_VERSION,
        "io.modelcontextprotocol/protocolVersion"
    ));
    assert!(same(META_CLIENT_INFO, "io.modelcontextprotocol/clientInfo"));
    assert!(same(
        META_CLIENT_CAPABILITIES,
        "io.modelcontextprotocol/clientCapabilities"
    ));
    assert!(same(META_LOG_LEVEL, "io.modelcontextprotocol/logLevel"));
    assert!(same(META_PROGRESS_TOKEN, "progressToken"));
};

/// Whether params may carry `_meta`: whether `"_meta"` is in their text (a fast scan
/// before parsing them for it). Found from its underscore, a byte most texts have few of
/// (`memchr`): for short params, several times cheaper than a substring search's set-up.
pub(crate) fn has_meta(params: &RawValue) -> bool {
    let text = params.get().as_bytes();
    memchr::memchr_iter(b'_', text)
        .any(|at| at > 0 && text[at - 1] == b'"' && text.get(at + 1..at + 6) == Some(b"meta\""))
}

/// What a request's `_meta` decides: which session serves it and its progress token.
pub(crate) struct Prepared {
    pub(crate) session: Arc<Session>,
    pub(crate) progress_token: Option<ProgressToken>,
}

/// Choose the session of a request: a request whose `_meta` names a protocol version is a
/// stateless-era request with a session of its own; any other belongs to the connection's
/// handshake session.
pub(crate) fn prepare(
    conn_session: &Arc<Session>,
    params: Option<&RawValue>,
) -> Result<Prepared, Error> {
    let meta = match params {
        Some(p) if has_meta(p) => serde_json::from_str::<MetaProbe>(p.get())
            .map_err(|e| Error::invalid_params(format!("Invalid _meta: {e}")))?
            .meta
            .unwrap_or_default(),
        _ => RequestMeta::default(),
    };
    let Some(requested) = meta.protocol_version else {
        return Ok(Prepared {
            session: conn_session.clone(),
            progress_token: meta.progress_token,
        });
    };
    let version = match requested.parse::<ProtocolVersion>() {
        Ok(v) if v.era() == Era::Stateless => v,
        _ => {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("Unsupported protocol version: {requested}"),
            )
            .with_data(json!({
                "requested": requested,
                "supported": supported_stateless(),
            })))
        }
    };
    let Some(capabilities) = meta.client_capabilities else {
        return Err(Error::invalid_params(
            "Invalid params: _meta must carry io.modelcontextprotocol/clientCapabilities",
        ));
    };
    let session = Session::stateless(version, meta.client_info, capabilities, meta.log_level);
    if let Some(addr) = conn_session.remote_addr() {
        session.set_remote_addr(addr);
    }
    Ok(Prepared {
        session,
        progress_token: meta.progress_token,
    })
}

/// Check that a stateless-era request's `_meta` has what it must (before dispatch, so that
/// HTTP can answer 400).
pub(crate) fn check_stateless_meta(params: Option<&RawValue>) -> Result<(), Error> {
    prepare(&Session::handshake(None), params).map(|_| ())
}

/// The protocol versions of the stateless era.
pub(crate) fn supported_stateless() -> Vec<String> {
    ProtocolVersion::ALL
        .iter()
        .filter(|v| v.era() == Era::Stateless)
        .map(|v| v.as_str().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_meta_member_by_its_quoted_name() {
        let has = |text: &str| has_meta(&RawValue::from_string(text.to_owned()).unwrap());
        assert!(has(r#"{"_meta":{}}"#));
        assert!(has(r#"{"a_b":1,"x":{"_meta":{"progressToken":1}}}"#));
        assert!(has(r#"{"name":"x","arguments":{"s":"_meta"},"_meta" :{}}"#));
        for text in [
            r#"{"name":"snake_case","arguments":{"_met":1,"_metadata":2,"x_meta":3}}"#,
            r#"{"_meta_":{}}"#,
            r#"{"a":"_"}"#,
            r#"{}"#,
        ] {
            assert!(!has(text), "{text}");
        }
    }
}
