//! Getting a client id for an authorization server: pre-registered credentials, a Client
//! ID Metadata Document URL, or dynamic client registration (RFC 7591), in that order.

use serde::Deserialize;
use serde_json::{json, Value};

use super::credentials::Credentials;
use super::error::OAuthError;
use super::fetch::send;
use super::metadata::{parse_url, ServerMetadata};
use super::store::RegisteredClient;

/// What the client says about itself when registering.
#[derive(Debug, Clone)]
pub(crate) struct ClientInfo {
    pub(crate) name: String,
    pub(crate) metadata_url: Option<String>,
    pub(crate) application_type: String,
}

/// The token endpoint authentication method of pre-registered credentials.
pub(crate) fn preregistered(c: &Credentials, meta: &ServerMetadata) -> RegisteredClient {
    let method = if c.key.is_some() {
        "private_key_jwt"
    } else if c.secret.is_some() {
        if !meta.supports_auth_method("client_secret_basic")
            && meta.supports_auth_method("client_secret_post")
        {
            "client_secret_post"
        } else {
            "client_secret_basic"
        }
    } else {
        "none"
    };
    RegisteredClient {
        issuer: meta.issuer.clone(),
        client_id: c.client_id.clone(),
        client_secret: c.secret.clone(),
        auth_method: method.to_owned(),
    }
}

/// The client id of a Client ID Metadata Document, when the server takes them.
pub(crate) fn metadata_document(
    info: &ClientInfo,
    meta: &ServerMetadata,
) -> Option<RegisteredClient> {
    let url = info.metadata_url.as_ref()?;
    meta.client_id_metadata_document_supported
        .then(|| RegisteredClient {
            issuer: meta.issuer.clone(),
            client_id: url.clone(),
            client_secret: None,
            auth_method: "none".into(),
        })
}

#[derive(Deserialize)]
struct Registered {
    client_id: String,
    #[serde(default)]
    client_secret: Option<String>,
    #[serde(default)]
    token_endpoint_auth_method: Option<String>,
}

/// Register dynamically (RFC 7591) with `redirect_uri` (none for the client credentials
/// grant).
pub(crate) async fn register(
    http: &reqwest::Client,
    info: &ClientInfo,
    meta: &ServerMetadata,
    redirect_uri: Option<&str>,
    client_credentials: bool,
) -> Result<RegisteredClient, OAuthError> {
    let Some(endpoint) = &meta.registration_endpoint else {
        return Err(OAuthError::NoRegistration(format!(
            "the authorization server {} has no registration endpoint, does not take client \
             metadata documents, and no credentials were given",
            meta.issuer
        )));
    };
    let url = parse_url(endpoint)?;
    let method = ["none", "client_secret_basic", "client_secret_post"]
        .into_iter()
        .filter(|m| !(client_credentials && *m == "none"))
        .find(|m| meta.supports_auth_method(m))
        .unwrap_or(if client_credentials {
            "client_secret_basic"
        } else {
            "none"
        });
    let mut body = json!({
        "client_name": info.name,
        "token_endpoint_auth_method": method,
        "application_type": info.application_type,
    });
    if client_credentials {
        body["grant_types"] = json!(["client_credentials"]);
    } else {
        body["grant_types"] = json!(["authorization_code", "refresh_token"]);
        body["response_types"] = json!(["code"]);
        body["redirect_uris"] = json!([redirect_uri.unwrap_or_default()]);
    }
    let rb = http
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body.to_string());
    let a = send(rb, &url).await?;
    if !a.status.is_success() {
        let error = serde_json::from_slice::<Value>(&a.body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(short));
        return Err(OAuthError::Registration(format!(
            "HTTP {}{}",
            a.status,
            error.map(|e| format!(" ({e})")).unwrap_or_default()
        )));
    }
    let r: Registered = a
        .json("the registration response")
        .map_err(OAuthError::Registration)?;
    let auth_method = r.token_endpoint_auth_method.unwrap_or_else(|| {
        if r.client_secret.is_some() && method == "none" {
            "client_secret_basic".into()
        } else {
            method.into()
        }
    });
    Ok(RegisteredClient {
        issuer: meta.issuer.clone(),
        client_id: r.client_id,
        client_secret: r.client_secret,
        auth_method,
    })
}

/// An OAuth error code, cut short and kept to visible ASCII.
pub(crate) fn short(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}
