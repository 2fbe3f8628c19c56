//! Dynamic client registration (RFC 7591): a client sends its metadata, the server checks
//! it (redirect URIs by the same rules as authorization requests, bounded sizes, known
//! grant types and auth methods), asks the application's policy hook, and answers with a
//! client id (and a secret for a confidential client).

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::grants::{digest, now, RegisteredClient};
use crate::redirect;
use crate::server::METHODS;
use crate::token::new_secret;

/// The metadata a client registers with (the fields this server uses).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ClientMetadata {
    /// `redirect_uris`.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// `client_name`.
    #[serde(default)]
    pub client_name: Option<String>,
    /// `grant_types` (default `authorization_code`, `refresh_token`).
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
    /// `response_types` (only `code`).
    #[serde(default)]
    pub response_types: Option<Vec<String>>,
    /// `token_endpoint_auth_method` (`none`, `client_secret_basic`, `client_secret_post`;
    /// default `client_secret_basic` as RFC 7591 says).
    #[serde(default)]
    pub token_endpoint_auth_method: Option<String>,
    /// `scope`, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
    /// `client_uri`.
    #[serde(default)]
    pub client_uri: Option<String>,
}

type Hook = dyn Fn(&ClientMetadata) -> Result<(), String> + Send + Sync;

/// What registration accepts: limits, and a hook the application decides with.
#[derive(Clone)]
pub struct RegistrationPolicy {
    pub(crate) max_redirect_uris: usize,
    pub(crate) hook: Option<Arc<Hook>>,
    pub(crate) confidential: bool,
    pub(crate) limit_scopes: bool,
}

impl Default for RegistrationPolicy {
    fn default() -> Self {
        Self {
            max_redirect_uris: 10,
            hook: None,
            confidential: true,
            limit_scopes: false,
        }
    }
}

impl RegistrationPolicy {
    /// Ask `hook` about each registration: `Err(why)` refuses it (`invalid_client_metadata`).
    ///
    /// ```
    /// use fastmcp_auth_server::RegistrationPolicy;
    /// let only_loopback = RegistrationPolicy::default().check(|m| {
    ///     if m.redirect_uris.iter().all(|u| u.starts_with("http://127.0.0.1")) { Ok(()) }
    ///     else { Err("only loopback redirect URIs are accepted here".into()) }
    /// });
    /// # let _ = only_loopback;
    /// ```
    pub fn check(
        mut self,
        hook: impl Fn(&ClientMetadata) -> Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.hook = Some(Arc::new(hook));
        self
    }

    /// At most `n` redirect URIs per client (10 by default).
    pub fn max_redirect_uris(mut self, n: usize) -> Self {
        self.max_redirect_uris = n;
        self
    }

    /// Hold each client to the `scope` it registered with (RFC 7591's reading). Off by
    /// default: MCP clients register with the scopes of their first challenge and ask for
    /// more on a step-up, which a limit would refuse; the consent page still shows every
    /// scope asked for.
    pub fn limit_to_registered_scopes(mut self) -> Self {
        self.limit_scopes = true;
        self
    }

    /// Only public clients (no secrets issued).
    pub fn public_only(mut self) -> Self {
        self.confidential = false;
        self
    }
}

/// A refusal: the RFC 7591 error code and description.
pub type Refused = (&'static str, String);

fn meta(why: impl Into<String>) -> Refused {
    ("invalid_client_metadata", why.into())
}

const GRANTS: [&str; 3] = ["authorization_code", "refresh_token", "client_credentials"];

/// What checked metadata settles: the auth method, the grant types, the scopes.
type Settled = (String, Vec<String>, Vec<String>);

/// Check `m` against the rules and the policy.
fn check(
    policy: &RegistrationPolicy,
    offered_scopes: &[String],
    m: &ClientMetadata,
) -> Result<Settled, Refused> {
    let method = m
        .token_endpoint_auth_method
        .clone()
        .unwrap_or_else(|| "client_secret_basic".into());
    if !METHODS.contains(&method.as_str()) {
        return Err(meta(format!(
            "token_endpoint_auth_method {method:?} is not supported"
        )));
    }
    if method != "none" && !policy.confidential {
        return Err(meta(
            "only public clients (token_endpoint_auth_method none) may register",
        ));
    }
    let grant_types = m
        .grant_types
        .clone()
        .unwrap_or_else(|| vec!["authorization_code".into(), "refresh_token".into()]);
    if let Some(g) = grant_types.iter().find(|g| !GRANTS.contains(&g.as_str())) {
        return Err(meta(format!("grant type {g:?} is not supported")));
    }
    if grant_types.iter().any(|g| g == "client_credentials") && method == "none" {
        return Err(meta("client_credentials needs a confidential client"));
    }
    if let Some(r) = m.response_types.iter().flatten().find(|r| *r != "code") {
        return Err(meta(format!("response type {r:?} is not supported")));
    }
    let wants_code = grant_types.iter().any(|g| g == "authorization_code");
    if wants_code && m.redirect_uris.is_empty() {
        return Err(("invalid_redirect_uri", "redirect_uris is required".into()));
    }
    if m.redirect_uris.len() > policy.max_redirect_uris {
        return Err((
            "invalid_redirect_uri",
            format!("at most {} redirect URIs", policy.max_redirect_uris),
        ));
    }
    for u in &m.redirect_uris {
        if u.len() > 2000 {
            return Err(("invalid_redirect_uri", "a redirect URI is too long".into()));
        }
        redirect::check_registered(u).map_err(|e| ("invalid_redirect_uri", e.to_string()))?;
    }
    if m.client_name
        .as_ref()
        .is_some_and(|n| n.chars().count() > 200)
    {
        return Err(meta("client_name is longer than 200 characters"));
    }
    let scopes: Vec<String> = m
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    if let Some(s) = scopes.iter().find(|s| !offered_scopes.contains(s)) {
        return Err((
            "invalid_client_metadata",
            format!("scope {s:?} is not offered"),
        ));
    }
    if let Some(hook) = &policy.hook {
        hook(m).map_err(meta)?;
    }
    Ok((method, grant_types, scopes))
}

/// Check `m` and make the client: the record to keep and the response's body (with the
/// secret, shown once).
pub(crate) fn register(
    policy: &RegistrationPolicy,
    offered_scopes: &[String],
    m: &ClientMetadata,
) -> Result<(RegisteredClient, Value), Refused> {
    let (method, grant_types, scopes) = check(policy, offered_scopes, m)?;
    let client_id = new_secret();
    let secret = (method != "none").then(new_secret);
    let client = RegisteredClient {
        client_id: client_id.clone(),
        secret_digest: secret.as_deref().map(digest),
        redirect_uris: m.redirect_uris.clone(),
        scopes: if policy.limit_scopes {
            scopes.clone()
        } else {
            vec![]
        },
        name: m.client_name.clone(),
        grant_types: grant_types.clone(),
        token_endpoint_auth_method: method.clone(),
    };
    let mut body = json!({
        "client_id": client_id,
        "client_id_issued_at": now(),
        "redirect_uris": m.redirect_uris,
        "grant_types": grant_types,
        "response_types": ["code"],
        "token_endpoint_auth_method": method,
    });
    if let Some(s) = secret {
        body["client_secret"] = s.into();
        body["client_secret_expires_at"] = 0.into();
    }
    if let Some(n) = &m.client_name {
        body["client_name"] = n.clone().into();
    }
    if !scopes.is_empty() {
        body["scope"] = scopes.join(" ").into();
    }
    Ok((client, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(redirects: &[&str]) -> ClientMetadata {
        ClientMetadata {
            redirect_uris: redirects.iter().map(|s| s.to_string()).collect(),
            token_endpoint_auth_method: Some("none".into()),
            ..Default::default()
        }
    }

    #[test]
    fn good_metadata_registers_and_bad_metadata_is_refused_with_its_code() {
        let p = RegistrationPolicy::default();
        let offered = vec!["notes:read".to_owned()];
        let (c, body) = register(&p, &offered, &m(&["http://127.0.0.1:3000/cb"])).unwrap();
        assert_eq!(body["client_id"], c.client_id.as_str());
        assert!(body.get("client_secret").is_none(), "a public client");
        let conf = ClientMetadata {
            token_endpoint_auth_method: None,
            ..m(&["https://app.example/cb"])
        };
        let (c, body) = register(&p, &offered, &conf).unwrap();
        assert_eq!(
            c.secret_digest.as_deref(),
            Some(digest(body["client_secret"].as_str().unwrap()).as_str())
        );
        for (bad, code) in [
            (m(&[]), "invalid_redirect_uri"),
            (m(&["http://evil.example/cb"]), "invalid_redirect_uri"),
            (m(&["https://app.example/cb#x"]), "invalid_redirect_uri"),
            (m(&["https://u@app.example/cb"]), "invalid_redirect_uri"),
            (
                ClientMetadata {
                    scope: Some("admin".into()),
                    ..m(&["https://a.example/cb"])
                },
                "invalid_client_metadata",
            ),
            (
                ClientMetadata {
                    grant_types: Some(vec!["implicit".into()]),
                    ..m(&["https://a.example/cb"])
                },
                "invalid_client_metadata",
            ),
            (
                ClientMetadata {
                    response_types: Some(vec!["token".into()]),
                    ..m(&["https://a.example/cb"])
                },
                "invalid_client_metadata",
            ),
            (
                ClientMetadata {
                    grant_types: Some(vec!["client_credentials".into()]),
                    ..m(&[])
                },
                "invalid_client_metadata",
            ),
        ] {
            assert_eq!(register(&p, &offered, &bad).unwrap_err().0, code, "{bad:?}");
        }
        let scoped = ClientMetadata {
            scope: Some("notes:read".into()),
            ..m(&["https://a.example/cb"])
        };
        let (c, body) = register(&p, &offered, &scoped).unwrap();
        assert!(c.scopes.is_empty(), "not limited by default");
        assert_eq!(body["scope"], "notes:read");
        let limited = p.clone().limit_to_registered_scopes();
        assert_eq!(
            register(&limited, &offered, &scoped).unwrap().0.scopes,
            ["notes:read"]
        );
        let many: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        let many = ClientMetadata {
            redirect_uris: many,
            ..m(&[])
        };
        assert_eq!(
            register(&p, &offered, &many).unwrap_err().0,
            "invalid_redirect_uri"
        );
        let hooked = p.check(|m| match m.client_name.as_deref() {
            Some("evil") => Err("no".into()),
            _ => Ok(()),
        });
        let evil = ClientMetadata {
            client_name: Some("evil".into()),
            ..m(&["https://a.example/cb"])
        };
        assert_eq!(
            register(&hooked, &offered, &evil).unwrap_err(),
            ("invalid_client_metadata", "no".into())
        );
    }
}
