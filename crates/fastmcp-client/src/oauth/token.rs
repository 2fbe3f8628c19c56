//! The token endpoint: the authorization code, refresh token and client credentials
//! grants, with the client authentication methods `none`, `client_secret_basic`,
//! `client_secret_post` and `private_key_jwt`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::Value;

use super::credentials::SigningKey;
use super::error::OAuthError;
use super::fetch::send;
use super::metadata::{parse_url, ServerMetadata};
use super::pkce::random_token;
use super::registration::short;
use super::store::{RegisteredClient, Tokens};

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Seconds since the Unix epoch.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// One grant's form (without client authentication).
pub(crate) enum Grant<'a> {
    Code {
        code: &'a str,
        verifier: &'a str,
        redirect_uri: &'a str,
    },
    Refresh {
        refresh_token: &'a str,
    },
    ClientCredentials {
        scope: Option<&'a str>,
    },
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<Value>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// Ask the token endpoint of `meta` for tokens.
pub(crate) async fn request(
    http: &reqwest::Client,
    meta: &ServerMetadata,
    client: &RegisteredClient,
    key: Option<&SigningKey>,
    grant: Grant<'_>,
    resource: &str,
) -> Result<Tokens, OAuthError> {
    let url = parse_url(&meta.token_endpoint)?;
    let refresh_kept = match &grant {
        Grant::Refresh { refresh_token } => Some((*refresh_token).to_owned()),
        _ => None,
    };
    let mut form = grant_form(grant);
    form.push(("resource", resource.into()));
    let rb = http
        .post(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    let rb = authenticate(rb, &mut form, client, key, &meta.issuer)?;
    let rb = rb.body(form_body(&form)).header(
        reqwest::header::CONTENT_TYPE,
        "application/x-www-form-urlencoded",
    );
    let a = send(rb, &url).await?;
    if !a.status.is_success() {
        let error = serde_json::from_slice::<Value>(&a.body)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(short));
        return Err(OAuthError::TokenEndpoint {
            status: a.status.as_u16(),
            error,
        });
    }
    tokens(&a.body, refresh_kept)
}

/// The form fields of a grant.
fn grant_form(grant: Grant<'_>) -> Vec<(&'static str, String)> {
    match grant {
        Grant::Code {
            code,
            verifier,
            redirect_uri,
        } => vec![
            ("grant_type", "authorization_code".into()),
            ("code", code.into()),
            ("code_verifier", verifier.into()),
            ("redirect_uri", redirect_uri.into()),
        ],
        Grant::Refresh { refresh_token } => vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token.into()),
        ],
        Grant::ClientCredentials { scope } => {
            let mut f = vec![("grant_type", "client_credentials".into())];
            if let Some(s) = scope {
                f.push(("scope", s.into()));
            }
            f
        }
    }
}

/// Client authentication by the registration's method: a Basic header, or form fields.
fn authenticate(
    rb: reqwest::RequestBuilder,
    form: &mut Vec<(&'static str, String)>,
    client: &RegisteredClient,
    key: Option<&SigningKey>,
    issuer: &str,
) -> Result<reqwest::RequestBuilder, OAuthError> {
    match client.auth_method.as_str() {
        "client_secret_basic" => {
            let secret = client.client_secret.as_deref().unwrap_or_default();
            let pair = format!("{}:{}", form_encode(&client.client_id), form_encode(secret));
            let mut v =
                reqwest::header::HeaderValue::from_str(&format!("Basic {}", STANDARD.encode(pair)))
                    .map_err(|_| {
                        OAuthError::Unsupported("client credentials unusable in a header".into())
                    })?;
            v.set_sensitive(true);
            return Ok(rb.header(reqwest::header::AUTHORIZATION, v));
        }
        "client_secret_post" => {
            form.push(("client_id", client.client_id.clone()));
            form.push((
                "client_secret",
                client.client_secret.clone().unwrap_or_default(),
            ));
        }
        "private_key_jwt" => {
            let key = key.ok_or_else(|| {
                OAuthError::Assertion("private_key_jwt needs a private key".into())
            })?;
            form.push(("client_id", client.client_id.clone()));
            form.push(("client_assertion_type", ASSERTION_TYPE.into()));
            form.push((
                "client_assertion",
                assertion(key, &client.client_id, issuer)?,
            ));
        }
        _ => form.push(("client_id", client.client_id.clone())),
    }
    Ok(rb)
}

/// The tokens of a successful token response (Bearer only).
fn tokens(body: &[u8], refresh_kept: Option<String>) -> Result<Tokens, OAuthError> {
    let r: TokenResponse = serde_json::from_slice(body)
        .map_err(|_| OAuthError::TokenResponse("not a JSON token response".into()))?;
    if r.access_token.is_empty() {
        return Err(OAuthError::TokenResponse("an empty access_token".into()));
    }
    match r.token_type.as_deref() {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(t) => {
            return Err(OAuthError::TokenResponse(format!(
                "token_type {:?} (only Bearer is supported)",
                short(t)
            )))
        }
        None => return Err(OAuthError::TokenResponse("no token_type".into())),
    }
    let expires_in = r.expires_in.as_ref().and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    });
    Ok(Tokens {
        access_token: r.access_token,
        // RFC 6749 section 6: a refresh that returns no new refresh token keeps the old one.
        refresh_token: r.refresh_token.or(refresh_kept),
        expires_at: expires_in.map(|s| now().saturating_add(s)),
        scope: r.scope,
    })
}

/// A `private_key_jwt` client assertion (RFC 7523 section 3), audience the issuer.
fn assertion(key: &SigningKey, client_id: &str, issuer: &str) -> Result<String, OAuthError> {
    let t = now();
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": issuer,
        "iat": t,
        "exp": t + 300,
        "jti": random_token(16),
    });
    jsonwebtoken::encode(&jsonwebtoken::Header::new(key.alg), &claims, &key.key)
        .map_err(|e| OAuthError::Assertion(e.to_string()))
}

/// `application/x-www-form-urlencoded` encoding of one value.
pub(crate) fn form_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form_body(form: &[(&str, String)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_escapes_everything_but_unreserved() {
        assert_eq!(form_encode("a b:c/d~é"), "a+b%3Ac%2Fd%7E%C3%A9");
        assert_eq!(
            form_body(&[("k", "v=1".into()), ("x", "".into())]),
            "k=v%3D1&x="
        );
    }
}
