//! Sending one HTTP request through an optional [`HttpAuth`]: its `Authorization` header
//! added, and on 401 or 403 the challenge handed to it and the request sent once more when
//! it obtained a new token.

use std::sync::Arc;

use reqwest::header::{HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::{RequestBuilder, Response};

use crate::http_auth::{Challenge, HttpAuth};

/// The `Authorization` header, marked sensitive (left out of `Debug` output).
fn with_header(rb: RequestBuilder, value: Option<&str>) -> RequestBuilder {
    match value.and_then(|v| HeaderValue::from_str(v).ok()) {
        Some(mut v) => {
            v.set_sensitive(true);
            rb.header(AUTHORIZATION, v)
        }
        None => rb,
    }
}

fn refused(resp: &Response) -> bool {
    matches!(resp.status().as_u16(), 401 | 403)
}

/// Send `rb`, authorized by `auth` when there is one.
pub(crate) async fn send(
    auth: Option<&Arc<dyn HttpAuth>>,
    rb: RequestBuilder,
) -> reqwest::Result<Response> {
    let Some(auth) = auth else {
        return rb.send().await;
    };
    let again = rb.try_clone();
    let sent = auth.header().await;
    let resp = with_header(rb, sent.as_deref()).send().await?;
    if !refused(&resp) {
        if sent.is_some() {
            auth.accepted();
        }
        return Ok(resp);
    }
    let Some(again) = again else {
        return Ok(resp); // a streamed body cannot be sent twice
    };
    let www: Vec<&str> = resp
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let mut challenge =
        Challenge::new(resp.status().as_u16(), resp.url().as_str()).sent(sent.clone());
    if !www.is_empty() {
        challenge = challenge.www_authenticate(www.join(", "));
    }
    if !auth.challenge(&challenge).await {
        return Ok(resp);
    }
    drop(resp);
    let now = auth.header().await;
    let resp = with_header(again, now.as_deref()).send().await?;
    if now.is_some() && !refused(&resp) {
        auth.accepted();
    }
    Ok(resp)
}
