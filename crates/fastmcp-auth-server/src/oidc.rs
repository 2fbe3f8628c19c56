//! OpenID Connect (A5): the ID token of a grant with the `openid` scope (`nonce` carried
//! from the authorization request), the user's claims released by scope (`profile`,
//! `email`), as the ID token and the UserInfo endpoint give them.

use serde_json::{Map, Value};

use crate::grants::now;
use crate::token::Issuer;

/// The claims each standard scope releases (OpenID Connect Core §5.4).
const BY_SCOPE: &[(&str, &[&str])] = &[
    (
        "profile",
        &[
            "name",
            "family_name",
            "given_name",
            "middle_name",
            "nickname",
            "preferred_username",
            "profile",
            "picture",
            "website",
            "gender",
            "birthdate",
            "zoneinfo",
            "locale",
            "updated_at",
        ],
    ),
    ("email", &["email", "email_verified"]),
    ("address", &["address"]),
    ("phone", &["phone_number", "phone_number_verified"]),
];

/// Every claim a scope can release.
pub fn claims_supported() -> Vec<&'static str> {
    let mut all = vec!["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce"];
    all.extend(BY_SCOPE.iter().flat_map(|(_, c)| c.iter().copied()));
    all
}

/// The claims of `user` that `scopes` release (with `sub`).
///
/// ```
/// use fastmcp_auth_server::oidc::released;
/// let user = serde_json::json!({"email": "a@example.com", "name": "Alice", "salary": 1})
///     .as_object().unwrap().clone();
/// let c = released("alice", Some(&user), &["openid".into(), "email".into()]);
/// assert_eq!(c["sub"], "alice");
/// assert_eq!(c["email"], "a@example.com");
/// assert!(!c.contains_key("name") && !c.contains_key("salary"));
/// ```
pub fn released(
    subject: &str,
    user: Option<&Map<String, Value>>,
    scopes: &[String],
) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("sub".into(), subject.into());
    let Some(user) = user else { return out };
    for (scope, claims) in BY_SCOPE {
        if !scopes.iter().any(|s| s == scope) {
            continue;
        }
        for c in *claims {
            if let Some(v) = user.get(*c) {
                out.insert((*c).into(), v.clone());
            }
        }
    }
    out
}

/// An ID token to sign.
pub(crate) struct IdToken<'a> {
    pub client_id: &'a str,
    pub subject: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time: u64,
    pub scopes: &'a [String],
    pub user: Option<&'a Map<String, Value>>,
}

impl IdToken<'_> {
    /// Signed with the issuer's newest key (`typ` `JWT`), valid as long as an access token.
    pub fn sign(&self, issuer: &Issuer) -> Result<String, String> {
        let t = now();
        let mut claims = released(self.subject, self.user, self.scopes);
        claims.insert("iss".into(), issuer.issuer.clone().into());
        claims.insert("aud".into(), self.client_id.into());
        claims.insert("azp".into(), self.client_id.into());
        claims.insert("iat".into(), t.into());
        claims.insert("exp".into(), (t + issuer.access_ttl).into());
        if self.auth_time > 0 {
            claims.insert("auth_time".into(), self.auth_time.into());
        }
        if let Some(n) = self.nonce {
            claims.insert("nonce".into(), n.into());
        }
        issuer
            .keys
            .sign_typed(&claims, "JWT")
            .map_err(|e| e.to_string())
    }
}
