//! The authorization request (PKCE S256, `state`, `resource`, `scope`) and the checks of
//! its response: `iss` (RFC 9207, by simple string comparison), `state`, `error`, `code`.

use reqwest::Url;

use super::error::OAuthError;
use super::metadata::{parse_url, ServerMetadata};
use super::registration::short;

/// The query of the redirect back to the client.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Callback {
    pub(crate) code: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) iss: Option<String>,
    pub(crate) error: Option<String>,
}

impl Callback {
    /// The parameters of a callback URL's query.
    pub(crate) fn from_url(url: &Url) -> Self {
        let mut c = Callback::default();
        for (k, v) in url.query_pairs() {
            let slot = match k.as_ref() {
                "code" => &mut c.code,
                "state" => &mut c.state,
                "iss" => &mut c.iss,
                "error" => &mut c.error,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(v.into_owned());
            }
        }
        c
    }
}

/// The fields of one authorization request.
pub(crate) struct Request<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) scope: Option<&'a str>,
    pub(crate) resource: &'a str,
    pub(crate) challenge: &'a str,
    pub(crate) state: &'a str,
}

/// The URL the user agent is sent to.
pub(crate) fn url(meta: &ServerMetadata, r: &Request<'_>) -> Result<Url, OAuthError> {
    let endpoint = meta.authorization_endpoint.as_deref().ok_or_else(|| {
        OAuthError::Unsupported(format!(
            "the authorization server {} has no authorization endpoint",
            meta.issuer
        ))
    })?;
    let mut url = parse_url(endpoint)?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("response_type", "code")
            .append_pair("client_id", r.client_id)
            .append_pair("redirect_uri", r.redirect_uri)
            .append_pair("code_challenge", r.challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", r.state)
            .append_pair("resource", r.resource);
        if let Some(s) = r.scope {
            q.append_pair("scope", s);
        }
    }
    Ok(url)
}

/// The code of a valid authorization response. `issuer` is the one recorded from the
/// validated metadata before redirecting.
pub(crate) fn check(
    cb: &Callback,
    state: &str,
    meta: &ServerMetadata,
) -> Result<String, OAuthError> {
    // RFC 9207 section 2.4, as the MCP specification's table applies it; no normalization.
    match &cb.iss {
        Some(iss) if iss != &meta.issuer => {
            return Err(OAuthError::AuthorizationResponse(format!(
                "its iss {:?} is not the issuer {:?}",
                short(iss),
                meta.issuer
            )))
        }
        None if meta.authorization_response_iss_parameter_supported => {
            return Err(OAuthError::AuthorizationResponse(
                "no iss, though the authorization server advertises it".into(),
            ))
        }
        _ => {}
    }
    if cb.state.as_deref() != Some(state) {
        return Err(OAuthError::AuthorizationResponse(
            "its state is not the request's".into(),
        ));
    }
    if let Some(e) = &cb.error {
        return Err(OAuthError::AuthorizationResponse(format!(
            "the authorization server answered {}",
            short(e)
        )));
    }
    match &cb.code {
        Some(c) if !c.is_empty() => Ok(c.clone()),
        _ => Err(OAuthError::AuthorizationResponse("no code".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(iss_supported: bool) -> ServerMetadata {
        let mut m = ServerMetadata::fallback(&Url::parse("http://a:1").unwrap()).unwrap();
        m.authorization_response_iss_parameter_supported = iss_supported;
        m
    }

    fn cb(iss: Option<&str>, state: &str) -> Callback {
        Callback {
            code: Some("c".into()),
            state: Some(state.into()),
            iss: iss.map(Into::into),
            error: None,
        }
    }

    #[test]
    fn iss_is_compared_as_a_string_and_required_when_advertised() {
        let (yes, no) = (meta(true), meta(false));
        assert_eq!(check(&cb(Some("http://a:1"), "s"), "s", &yes).unwrap(), "c");
        assert!(check(&cb(Some("http://a:1/"), "s"), "s", &yes).is_err());
        assert!(check(&cb(Some("HTTP://a:1"), "s"), "s", &no).is_err());
        assert!(check(&cb(None, "s"), "s", &yes).is_err());
        assert_eq!(check(&cb(None, "s"), "s", &no).unwrap(), "c");
        assert!(check(&cb(None, "other"), "s", &no).is_err());
    }

    #[test]
    fn the_request_carries_pkce_state_and_resource() {
        let m = meta(false);
        let u = url(
            &m,
            &Request {
                client_id: "id",
                redirect_uri: "http://127.0.0.1:9/callback",
                scope: Some("a b"),
                resource: "http://h/mcp",
                challenge: "ch",
                state: "st",
            },
        )
        .unwrap();
        let c = Callback::from_url(&u);
        assert_eq!(c.state.as_deref(), Some("st"));
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert!(q.contains(&("code_challenge_method".into(), "S256".into())));
        assert!(q.contains(&("resource".into(), "http://h/mcp".into())));
        assert!(q.contains(&("scope".into(), "a b".into())));
    }
}
