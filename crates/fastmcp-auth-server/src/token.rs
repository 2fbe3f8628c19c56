//! The token endpoint's grants, as functions of the records and the keys: an
//! authorization code exchanged once (a replay revokes every token of its grant), refresh
//! tokens rotated with reuse detection (a reused one revokes its whole family), client
//! credentials. Access tokens are JWTs (RFC 9068: `iss`, `sub`, `aud` = the bound
//! resource, `client_id`, `scope`, `iat`, `exp`, `jti`, and `fam`, the grant family a
//! revocation names); with the `openid` scope an ID token comes too.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;

use crate::grants::{now, CodeGrant, Grants, RefreshGrant, Used};
use crate::keys::SigningKeys;
use crate::oidc;
use crate::pkce;

/// A random secret: 32 bytes from the OS's generator, base64url.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A new grant family's id (16 random bytes, base64url).
pub fn new_family() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// A single-use value (a code, a refresh token) of `family`.
pub fn new_value(family: &str) -> String {
    format!("{family}.{}", new_secret())
}

/// How tokens are issued.
#[derive(Clone)]
pub struct Issuer {
    /// The `iss` of every token (the authorization server's issuer URL).
    pub issuer: String,
    /// The keys that sign access tokens.
    pub keys: SigningKeys,
    /// How long an access token lives, in seconds.
    pub access_ttl: u64,
    /// How long a refresh token (and its family) lives, in seconds.
    pub refresh_ttl: u64,
    /// The audience of a grant bound to no resource.
    pub default_audience: String,
}

/// A token response (RFC 6749 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tokens {
    /// The access token (a JWT).
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: u64,
    /// The refresh token (rotated on every use).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The scopes granted, space-separated.
    pub scope: String,
    /// The OpenID Connect ID token, when `openid` was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// Why a token request is refused (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// A malformed request.
    InvalidRequest(String),
    /// The client could not be authenticated (answered 401).
    InvalidClient(String),
    /// The grant is unknown, expired, used, revoked or not the client's.
    InvalidGrant(String),
    /// The client may not use this grant type.
    UnauthorizedClient(String),
    /// A grant type the server does not offer.
    UnsupportedGrantType(String),
    /// The resource is not the grant's (RFC 8707).
    InvalidTarget(String),
    /// A scope beyond what was granted.
    InvalidScope(String),
    /// The store failed.
    Server(String),
}

impl TokenError {
    /// The `error` code.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidRequest(_) => "invalid_request",
            TokenError::InvalidClient(_) => "invalid_client",
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::UnauthorizedClient(_) => "unauthorized_client",
            TokenError::UnsupportedGrantType(_) => "unsupported_grant_type",
            TokenError::InvalidTarget(_) => "invalid_target",
            TokenError::InvalidScope(_) => "invalid_scope",
            TokenError::Server(_) => "server_error",
        }
    }

    /// The `error_description`.
    pub fn description(&self) -> &str {
        match self {
            TokenError::InvalidRequest(d)
            | TokenError::InvalidClient(d)
            | TokenError::InvalidGrant(d)
            | TokenError::UnauthorizedClient(d)
            | TokenError::UnsupportedGrantType(d)
            | TokenError::InvalidTarget(d)
            | TokenError::InvalidScope(d)
            | TokenError::Server(d) => d,
        }
    }
}

fn grant(why: &str) -> TokenError {
    TokenError::InvalidGrant(why.into())
}

pub(crate) fn store_error(e: fastmcp_core::Error) -> TokenError {
    TokenError::Server(e.message().to_owned())
}

#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    client_id: &'a str,
    scope: String,
    iat: u64,
    exp: u64,
    jti: String,
    fam: &'a str,
}

/// What one issuance is for.
pub(crate) struct Pair<'a> {
    pub client_id: &'a str,
    pub subject: &'a str,
    pub scopes: &'a [String],
    pub resource: Option<&'a str>,
    pub family: &'a str,
    /// Whether a refresh token comes too.
    pub refresh: bool,
    /// The OpenID Connect parts, when `openid` was granted: nonce and sign-in time.
    pub oidc: Option<(Option<&'a str>, u64)>,
}

pub(crate) async fn issue(
    grants: &Grants,
    issuer: &Issuer,
    p: Pair<'_>,
) -> Result<Tokens, TokenError> {
    let t = now();
    let scope = p.scopes.join(" ");
    let claims = AccessClaims {
        iss: &issuer.issuer,
        sub: p.subject,
        aud: p.resource.unwrap_or(&issuer.default_audience),
        client_id: p.client_id,
        scope: scope.clone(),
        iat: t,
        exp: t + issuer.access_ttl,
        jti: new_secret(),
        fam: p.family,
    };
    let access_token = issuer
        .keys
        .sign(&claims)
        .map_err(|e| TokenError::Server(e.to_string()))?;
    let mut refresh_token = None;
    if p.refresh {
        let refresh = new_value(p.family);
        let record = RefreshGrant {
            client_id: p.client_id.to_owned(),
            subject: p.subject.to_owned(),
            scopes: p.scopes.to_vec(),
            resource: p.resource.map(str::to_owned),
            expires_at: t + issuer.refresh_ttl,
        };
        grants
            .put_refresh(&refresh, &record)
            .await
            .map_err(store_error)?;
        refresh_token = Some(refresh);
    }
    let id_token = match p.oidc {
        Some((nonce, auth_time)) if p.scopes.iter().any(|s| s == "openid") => {
            let user = grants.user(p.subject).await.map_err(store_error)?;
            let id = oidc::IdToken {
                client_id: p.client_id,
                subject: p.subject,
                nonce,
                auth_time,
                scopes: p.scopes,
                user: user.as_ref(),
            };
            Some(id.sign(issuer).map_err(TokenError::Server)?)
        }
        _ => None,
    };
    Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: issuer.access_ttl,
        refresh_token,
        scope,
        id_token,
    })
}

/// A token request of the authorization code grant.
#[derive(Debug, Clone, Copy)]
pub struct CodeExchange<'a> {
    /// The authenticated client.
    pub client_id: &'a str,
    /// The code.
    pub code: &'a str,
    /// The redirect URI (the authorization request's).
    pub redirect_uri: &'a str,
    /// The PKCE verifier.
    pub verifier: &'a str,
    /// The resource asked for (RFC 8707), if any: it must be the grant's.
    pub resource: Option<&'a str>,
}

async fn revoke(grants: &Grants, issuer: &Issuer, family: &str) -> Result<(), TokenError> {
    grants
        .revoke_family(family, issuer.refresh_ttl.max(issuer.access_ttl))
        .await
        .map_err(store_error)
}

/// Exchange an authorization code for tokens, once: a second use of the code is refused
/// and revokes every token the first use issued.
pub async fn exchange_code(
    grants: &Grants,
    issuer: &Issuer,
    req: CodeExchange<'_>,
) -> Result<Tokens, TokenError> {
    let used = grants
        .take_code(req.code, issuer.refresh_ttl)
        .await
        .map_err(store_error)?;
    let g: CodeGrant = match used {
        Used::First(g) => g,
        Used::Replayed { family } => {
            revoke(grants, issuer, &family).await?;
            return Err(grant(
                "the code was used before: every token it issued is revoked",
            ));
        }
        Used::Unknown => return Err(grant("unknown or expired code")),
    };
    if g.client_id != req.client_id {
        return Err(grant("the code was issued to another client"));
    }
    if g.redirect_uri != req.redirect_uri {
        return Err(grant(
            "redirect_uri differs from the authorization request's",
        ));
    }
    pkce::verify(req.verifier, &g.challenge).map_err(|e| grant(&e.to_string()))?;
    if req.resource.is_some() && req.resource != g.resource.as_deref() {
        return Err(TokenError::InvalidTarget(
            "the resource is not the grant's".into(),
        ));
    }
    let family = crate::grants::family_of(req.code).unwrap_or_default();
    let pair = Pair {
        client_id: &g.client_id,
        subject: &g.subject,
        scopes: &g.scopes,
        resource: g.resource.as_deref(),
        family,
        refresh: true,
        oidc: Some((g.nonce.as_deref(), g.auth_time)),
    };
    issue(grants, issuer, pair).await
}

/// Rotate a refresh token: new tokens, the old one spent. A reused refresh token (or one
/// presented by another client) revokes its whole family. `scope`, if given, must be
/// within the grant's (down-scoping).
pub async fn refresh(
    grants: &Grants,
    issuer: &Issuer,
    client_id: &str,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<Tokens, TokenError> {
    let used = grants
        .take_refresh(refresh_token, issuer.refresh_ttl)
        .await
        .map_err(store_error)?;
    let family = crate::grants::family_of(refresh_token).unwrap_or_default();
    let g = match used {
        Used::First(g) => g,
        Used::Replayed { family } => {
            revoke(grants, issuer, &family).await?;
            return Err(grant(
                "the refresh token was used before: its grant is revoked",
            ));
        }
        Used::Unknown => return Err(grant("unknown or expired refresh token")),
    };
    if g.client_id != client_id {
        revoke(grants, issuer, family).await?;
        return Err(grant("the refresh token was issued to another client"));
    }
    let scopes: Vec<String> = match scope {
        None => g.scopes.clone(),
        Some(s) => {
            let asked: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|a| !g.scopes.contains(a)) {
                return Err(TokenError::InvalidScope(format!("{extra} was not granted")));
            }
            asked
        }
    };
    let pair = Pair {
        client_id: &g.client_id,
        subject: &g.subject,
        scopes: &scopes,
        resource: g.resource.as_deref(),
        family,
        refresh: true,
        oidc: None,
    };
    issue(grants, issuer, pair).await
}

/// The client credentials grant: an access token for the client itself (its `sub` is
/// the client id), no refresh token. The caller has authenticated the client and checked
/// that it may use this grant; `scopes` are what it asked for, already checked.
pub async fn client_credentials(
    grants: &Grants,
    issuer: &Issuer,
    client_id: &str,
    scopes: &[String],
    resource: Option<&str>,
) -> Result<Tokens, TokenError> {
    let family = new_family();
    let pair = Pair {
        client_id,
        subject: client_id,
        scopes,
        resource,
        family: &family,
        refresh: false,
        oidc: None,
    };
    issue(grants, issuer, pair).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use fastmcp_auth::{JwtKey, JwtVerifier, TokenVerifier};
    use std::sync::Arc;

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn issuer() -> Issuer {
        let keys = SigningKeys::new();
        keys.add_pem(
            "k1",
            "RS256",
            include_bytes!("../tests/fixtures/rsa.key.pem"),
        )
        .unwrap();
        Issuer {
            issuer: "https://as.example".into(),
            keys,
            access_ttl: 300,
            refresh_ttl: 3600,
            default_audience: "https://mcp.example".into(),
        }
    }

    async fn with_code(store: &Grants, code: &str) {
        let g = CodeGrant {
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1:5000/cb".into(),
            challenge: CHALLENGE.into(),
            resource: Some("https://mcp.example/notes".into()),
            scopes: vec!["notes:read".into(), "notes:write".into()],
            subject: "alice".into(),
            expires_at: now() + 60,
            nonce: None,
            auth_time: 0,
        };
        store.put_code(code, &g).await.unwrap();
    }

    fn exchange(code: &str) -> CodeExchange<'_> {
        CodeExchange {
            client_id: "app",
            code,
            redirect_uri: "http://127.0.0.1:5000/cb",
            verifier: VERIFIER,
            resource: Some("https://mcp.example/notes"),
        }
    }

    #[tokio::test]
    async fn a_code_becomes_tokens_bound_to_its_resource() {
        let (store, iss) = (Grants::new(Arc::new(MemoryStore::new())), issuer());
        with_code(&store, "fam1.c1").await;
        let t = exchange_code(&store, &iss, exchange("fam1.c1"))
            .await
            .unwrap();
        assert_eq!((t.token_type, t.expires_in), ("Bearer", 300));
        assert_eq!(t.scope, "notes:read notes:write");
        let jwk = serde_json::to_value(iss.keys.jwks()).unwrap()["keys"][0].to_string();
        let v = JwtVerifier::builder()
            .key(JwtKey::jwk(&jwk).unwrap())
            .algorithms([jsonwebtoken::Algorithm::RS256])
            .issuer("https://as.example")
            .audience("https://mcp.example/notes")
            .build()
            .unwrap();
        let who = v.verify(&t.access_token).await.unwrap();
        assert_eq!(who.subject.as_deref(), Some("alice"));
        assert_eq!(who.client_id.as_deref(), Some("app"));
        assert_eq!(who.scopes, ["notes:read", "notes:write"]);
        assert_eq!(who.claims["fam"], "fam1");
    }

    #[tokio::test]
    async fn a_replayed_code_is_refused_and_revokes_what_it_issued() {
        let (store, iss) = (Grants::new(Arc::new(MemoryStore::new())), issuer());
        with_code(&store, "fam1.c1").await;
        let first = exchange_code(&store, &iss, exchange("fam1.c1"))
            .await
            .unwrap();
        let e = exchange_code(&store, &iss, exchange("fam1.c1"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_grant");
        assert!(store.family_revoked("fam1").await.unwrap());
        let r = refresh(
            &store,
            &iss,
            "app",
            first.refresh_token.as_deref().unwrap(),
            None,
        )
        .await;
        assert_eq!(
            r.unwrap_err().code(),
            "invalid_grant",
            "the first exchange's refresh token is dead"
        );
    }

    #[tokio::test]
    async fn a_code_needs_its_client_redirect_verifier_and_resource() {
        let (store, iss) = (Grants::new(Arc::new(MemoryStore::new())), issuer());
        let cases: [(&str, CodeExchange<'_>, &str); 5] = [
            (
                "f.a",
                CodeExchange {
                    client_id: "other",
                    ..exchange("f.a")
                },
                "invalid_grant",
            ),
            (
                "f.b",
                CodeExchange {
                    redirect_uri: "http://127.0.0.1:5000/cb/",
                    ..exchange("f.b")
                },
                "invalid_grant",
            ),
            (
                "f.c",
                CodeExchange {
                    verifier: &VERIFIER.replace('d', "e"),
                    ..exchange("f.c")
                },
                "invalid_grant",
            ),
            (
                "f.d",
                CodeExchange {
                    resource: Some("https://evil.example"),
                    ..exchange("f.d")
                },
                "invalid_target",
            ),
            (
                "x.never-issued",
                exchange("x.never-issued"),
                "invalid_grant",
            ),
        ];
        for (code, req, want) in cases {
            if code != "x.never-issued" {
                with_code(&store, code).await;
            }
            let e = exchange_code(&store, &iss, req).await.unwrap_err();
            assert_eq!(e.code(), want, "{code}: {e:?}");
        }
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family() {
        let (store, iss) = (Grants::new(Arc::new(MemoryStore::new())), issuer());
        with_code(&store, "fam1.c1").await;
        let t1 = exchange_code(&store, &iss, exchange("fam1.c1"))
            .await
            .unwrap();
        let r1 = t1.refresh_token.unwrap();
        let t2 = refresh(&store, &iss, "app", &r1, Some("notes:read"))
            .await
            .unwrap();
        assert_eq!(t2.scope, "notes:read", "down-scoped");
        let e = refresh(&store, &iss, "app", &r1, None).await.unwrap_err();
        assert_eq!(e.code(), "invalid_grant", "r1 was rotated");
        let r2 = t2.refresh_token.unwrap();
        let e = refresh(&store, &iss, "app", &r2, None).await.unwrap_err();
        assert_eq!(
            e.code(),
            "invalid_grant",
            "the reuse revoked r2's family too"
        );
        // More scopes than granted, and another client's token.
        with_code(&store, "fam2.c2").await;
        let t = exchange_code(&store, &iss, exchange("fam2.c2"))
            .await
            .unwrap();
        let r = t.refresh_token.unwrap();
        let e = refresh(&store, &iss, "app", &r, Some("admin"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_scope");
        with_code(&store, "fam3.c3").await;
        let t = exchange_code(&store, &iss, exchange("fam3.c3"))
            .await
            .unwrap();
        let e = refresh(
            &store,
            &iss,
            "thief",
            t.refresh_token.as_deref().unwrap(),
            None,
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), "invalid_grant");
        assert!(store.family_revoked("fam3").await.unwrap());
    }
}
