//! Bounded HTTP to the authorization side: every answer is read up to a size limit, every
//! request has a timeout, and errors name the URL but never a body's secrets.

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode, Url};
use serde::de::DeserializeOwned;

use super::error::OAuthError;

/// The largest metadata, registration or token response read (64 KiB).
pub(crate) const MAX_BODY: usize = 64 * 1024;
/// The timeout of one request to a metadata, registration or token endpoint.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// An answer: status, media type and the (bounded) body.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    pub(crate) fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T, String> {
        serde_json::from_slice(&self.body).map_err(|e| format!("{what} is not valid JSON: {e}"))
    }
}

/// Send `rb` and read its body up to [`MAX_BODY`] bytes.
pub(crate) async fn send(rb: RequestBuilder, url: &Url) -> Result<Answer, OAuthError> {
    let fut = async {
        let mut resp = rb
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| OAuthError::Http(format!("{url}: {}", describe(&e))))?;
        let status = resp.status();
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| OAuthError::Http(format!("{url}: {}", describe(&e))))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(OAuthError::Http(format!(
                    "{url}: the answer is larger than {MAX_BODY} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, body })
    };
    tokio::time::timeout(TIMEOUT, fut)
        .await
        .unwrap_or_else(|_| Err(OAuthError::Http(format!("{url}: timed out"))))
}

/// A reqwest error without its URL's query (which may hold a code) and without bodies.
fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else if e.is_decode() || e.is_body() {
        "broken body"
    } else {
        "request failed"
    };
    let mut s = kind.to_owned();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// The HTTP client of the authorization side: no redirects (a redirect of a metadata or
/// token endpoint is not followed), `TCP_NODELAY`.
pub(crate) fn client() -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tcp_nodelay(true)
        .build()
        .map_err(|e| OAuthError::Http(format!("cannot build the HTTP client: {e}")))
}
