//! [`Upstream`]: the identity provider the OAuth proxy signs users in with: its endpoints,
//! the proxy's own client there, the scopes to ask, and how the user is known (a verified
//! ID token for OpenID providers, else a user-info API such as GitHub's). Presets for the
//! common providers, and any OpenID provider by its discovery document.

use std::time::Duration;

use serde::Deserialize;

use crate::error::ConfigError;

/// How the proxy authenticates at the upstream token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpstreamAuth {
    /// `client_secret_basic` (the default).
    Basic,
    /// `client_secret_post` (GitHub, Cognito accept either; some providers only this).
    Post,
}

/// An upstream OAuth 2.0 or OpenID Connect provider, and the proxy's client there.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub(crate) name: String,
    pub(crate) authorize_url: String,
    pub(crate) token_url: String,
    pub(crate) userinfo_url: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) jwks_url: Option<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) subject_claim: String,
    pub(crate) extra: Vec<(String, String)>,
    pub(crate) auth: UpstreamAuth,
    pub(crate) timeout: Duration,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    #[serde(default)]
    userinfo_endpoint: Option<String>,
    #[serde(default)]
    jwks_uri: Option<String>,
}

impl Upstream {
    /// A provider by its endpoints (plain OAuth 2.0: the user is read from
    /// `userinfo_url`'s `sub`; set [`Upstream::subject_claim`] for another field).
    pub fn new(
        name: &str,
        authorize_url: &str,
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Self {
        Self {
            name: name.into(),
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            userinfo_url: None,
            issuer: None,
            jwks_url: None,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: vec![],
            subject_claim: "sub".into(),
            extra: vec![],
            auth: UpstreamAuth::Basic,
            timeout: Duration::from_secs(10),
        }
    }

    fn oidc(name: &str, issuer: &str, paths: [&str; 4], id: &str, secret: &str) -> Self {
        let [authorize, token, userinfo, jwks] = paths;
        Self {
            userinfo_url: Some(userinfo.into()),
            issuer: Some(issuer.into()),
            jwks_url: Some(jwks.into()),
            scopes: vec!["openid".into(), "email".into(), "profile".into()],
            ..Self::new(name, authorize, token, id, secret)
        }
    }

    /// Any OpenID provider, by its issuer's discovery document
    /// (`{issuer}/.well-known/openid-configuration`, fetched now).
    pub async fn discover(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<Self, ConfigError> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let bad = |e: String| ConfigError(format!("discovery at {url}: {e}"));
        let d: Discovery = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| bad(e.to_string()))?
            .get(&url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(|e| bad(e.to_string()))?
            .json()
            .await
            .map_err(|e| bad(e.to_string()))?;
        if d.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
            return Err(bad(format!("the document's issuer is {}", d.issuer)));
        }
        let mut u = Self::new(
            "OpenID provider",
            &d.authorization_endpoint,
            &d.token_endpoint,
            client_id,
            client_secret,
        );
        u.userinfo_url = d.userinfo_endpoint;
        u.issuer = Some(d.issuer);
        u.jwks_url = d.jwks_uri;
        u.scopes = vec!["openid".into(), "email".into(), "profile".into()];
        Ok(u)
    }

    /// GitHub (OAuth apps and GitHub apps): the user is the numeric `id` of
    /// `api.github.com/user`.
    pub fn github(client_id: &str, client_secret: &str) -> Self {
        Self {
            userinfo_url: Some("https://api.github.com/user".into()),
            scopes: vec!["read:user".into(), "user:email".into()],
            subject_claim: "id".into(),
            auth: UpstreamAuth::Post,
            ..Self::new(
                "GitHub",
                "https://github.com/login/oauth/authorize",
                "https://github.com/login/oauth/access_token",
                client_id,
                client_secret,
            )
        }
    }

    /// Google: OpenID, with a refresh token (`access_type=offline`).
    pub fn google(client_id: &str, client_secret: &str) -> Self {
        let mut u = Self::oidc(
            "Google",
            "https://accounts.google.com",
            [
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo",
                "https://www.googleapis.com/oauth2/v3/certs",
            ],
            client_id,
            client_secret,
        );
        u.extra = vec![
            ("access_type".into(), "offline".into()),
            ("prompt".into(), "consent".into()),
        ];
        u
    }

    /// Microsoft Entra ID (Azure AD) of `tenant` (a tenant id, or `organizations`).
    pub fn azure(tenant: &str, client_id: &str, client_secret: &str) -> Self {
        let base = format!("https://login.microsoftonline.com/{tenant}");
        let mut u = Self::oidc(
            "Microsoft Entra ID",
            &format!("{base}/v2.0"),
            [
                &format!("{base}/oauth2/v2.0/authorize"),
                &format!("{base}/oauth2/v2.0/token"),
                "https://graph.microsoft.com/oidc/userinfo",
                &format!("{base}/discovery/v2.0/keys"),
            ],
            client_id,
            client_secret,
        );
        u.scopes.push("offline_access".into());
        u
    }

    /// Auth0, at the tenant's `domain` (`example.us.auth0.com`).
    pub fn auth0(domain: &str, client_id: &str, client_secret: &str) -> Self {
        let b = format!("https://{domain}");
        let mut u = Self::oidc(
            "Auth0",
            &format!("{b}/"),
            [
                &format!("{b}/authorize"),
                &format!("{b}/oauth/token"),
                &format!("{b}/userinfo"),
                &format!("{b}/.well-known/jwks.json"),
            ],
            client_id,
            client_secret,
        );
        u.scopes.push("offline_access".into());
        u
    }

    /// WorkOS AuthKit, at its `domain` (`example.authkit.app`).
    pub fn workos(domain: &str, client_id: &str, client_secret: &str) -> Self {
        let b = format!("https://{domain}");
        Self::oidc(
            "WorkOS",
            &b,
            [
                &format!("{b}/oauth2/authorize"),
                &format!("{b}/oauth2/token"),
                &format!("{b}/oauth2/userinfo"),
                &format!("{b}/oauth2/jwks"),
            ],
            client_id,
            client_secret,
        )
    }

    /// Keycloak: `realm` of the server at `base_url` (`https://sso.example.com`).
    pub fn keycloak(base_url: &str, realm: &str, client_id: &str, client_secret: &str) -> Self {
        let r = format!("{}/realms/{realm}", base_url.trim_end_matches('/'));
        let p = format!("{r}/protocol/openid-connect");
        Self::oidc(
            "Keycloak",
            &r,
            [
                &format!("{p}/auth"),
                &format!("{p}/token"),
                &format!("{p}/userinfo"),
                &format!("{p}/certs"),
            ],
            client_id,
            client_secret,
        )
    }

    /// Okta: the `default` authorization server of the org at `domain`.
    pub fn okta(domain: &str, client_id: &str, client_secret: &str) -> Self {
        let b = format!("https://{domain}/oauth2/default");
        let mut u = Self::oidc(
            "Okta",
            &b,
            [
                &format!("{b}/v1/authorize"),
                &format!("{b}/v1/token"),
                &format!("{b}/v1/userinfo"),
                &format!("{b}/v1/keys"),
            ],
            client_id,
            client_secret,
        );
        u.scopes.push("offline_access".into());
        u
    }

    /// Amazon Cognito: the user pool `pool_id` in `region`, its hosted UI at `domain`
    /// (`example.auth.eu-west-1.amazoncognito.com`).
    pub fn cognito(
        domain: &str,
        region: &str,
        pool_id: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Self {
        let iss = format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}");
        let b = format!("https://{domain}");
        Self::oidc(
            "Amazon Cognito",
            &iss,
            [
                &format!("{b}/oauth2/authorize"),
                &format!("{b}/oauth2/token"),
                &format!("{b}/oauth2/userInfo"),
                &format!("{iss}/.well-known/jwks.json"),
            ],
            client_id,
            client_secret,
        )
    }

    /// Ask for these scopes upstream (instead of the preset's).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Read the user's id from this field of the user-info answer (`sub` by default).
    pub fn subject_claim(mut self, claim: &str) -> Self {
        self.subject_claim = claim.into();
        self
    }

    /// The user-info endpoint.
    pub fn userinfo_url(mut self, url: &str) -> Self {
        self.userinfo_url = Some(url.into());
        self
    }

    /// Add this parameter to the upstream authorization request.
    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// How the proxy authenticates at the upstream token endpoint.
    pub fn token_auth(mut self, auth: UpstreamAuth) -> Self {
        self.auth = auth;
        self
    }

    /// The provider's name (shown on pages).
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_name_their_endpoints() {
        let all = [
            Upstream::github("i", "s"),
            Upstream::google("i", "s"),
            Upstream::azure("common", "i", "s"),
            Upstream::auth0("t.auth0.com", "i", "s"),
            Upstream::workos("x.authkit.app", "i", "s"),
            Upstream::keycloak("https://sso.example.com/", "main", "i", "s"),
            Upstream::okta("x.okta.com", "i", "s"),
            Upstream::cognito(
                "x.auth.eu-west-1.amazoncognito.com",
                "eu-west-1",
                "pool",
                "i",
                "s",
            ),
        ];
        for u in &all {
            assert!(u.authorize_url.starts_with("https://"), "{}", u.name);
            assert!(u.token_url.starts_with("https://"), "{}", u.name);
            assert!(
                u.userinfo_url.is_some() || u.jwks_url.is_some(),
                "{}: no way to know the user",
                u.name
            );
        }
        assert_eq!(all[0].subject_claim, "id");
        assert_eq!(
            all[5].token_url,
            "https://sso.example.com/realms/main/protocol/openid-connect/token"
        );
        assert_eq!(
            all[1].jwks_url.as_deref(),
            Some("https://www.googleapis.com/oauth2/v3/certs")
        );
    }
}
