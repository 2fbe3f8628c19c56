//! The token endpoint's grants, as functions of the store and the keys: an authorization
//! code exchanged once (a replay revokes every token of its grant), refresh tokens rotated
//! with reuse detection (a reused one revokes its whole family). Access tokens are JWTs
//! (`iss`, `sub`, `aud` = the bound resource, `client_id`, `scope`, `iat`, `exp`, `jti`,
//! and `fam`, the grant family a revocation names).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde::Serialize;

use super::keys::SigningKeys;
use super::pkce;
use super::store::{digest, now, CodeGrant, GrantStore, RefreshGrant, Used};

/// A random secret: 32 bytes from the OS's generator, base64url.
pub fn new_secret() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
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
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// A refresh token, single use.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// Why a token request is refused, with its RFC 6749 §5.2 error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// `invalid_grant`: the code or refresh token is unknown, expired, replayed, or not
    /// this client's; the PKCE verifier or redirect URI does not match.
    InvalidGrant(String),
    /// `invalid_target`: the resource is not the grant's (RFC 8707).
    InvalidTarget(String),
    /// `invalid_scope`: more scopes than granted.
    InvalidScope(String),
    /// `server_error`.
    Server(String),
}

impl TokenError {
    /// The `error` code of the response.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::InvalidGrant(_) => "invalid_grant",
            TokenError::InvalidTarget(_) => "invalid_target",
            TokenError::InvalidScope(_) => "invalid_scope",
            TokenError::Server(_) => "server_error",
        }
    }

    /// The `error_description` of the response.
    pub fn description(&self) -> &str {
        match self {
            TokenError::InvalidGrant(d)
            | TokenError::InvalidTarget(d)
            | TokenError::InvalidScope(d)
            | TokenError::Server(d) => d,
        }
    }
}

fn grant(why: &str) -> TokenError {
    TokenError::InvalidGrant(why.into())
}

fn store_error(e: fastmcp_core::Error) -> TokenError {
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

/// What a new pair of tokens is made from.
struct Pair<'a> {
    client_id: &'a str,
    subject: &'a str,
    scopes: &'a [String],
    resource: Option<&'a str>,
    family: &'a str,
}

async fn issue(store: &dyn GrantStore, issuer: &Issuer, p: Pair<'_>) -> Result<Tokens, TokenError> {
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
    let refresh = new_secret();
    let record = RefreshGrant {
        client_id: p.client_id.to_owned(),
        subject: p.subject.to_owned(),
        scopes: p.scopes.to_vec(),
        resource: p.resource.map(str::to_owned),
        expires_at: t + issuer.refresh_ttl,
        family: p.family.to_owned(),
    };
    store
        .put_refresh(digest(&refresh), record)
        .await
        .map_err(store_error)?;
    Ok(Tokens {
        access_token,
        token_type: "Bearer",
        expires_in: issuer.access_ttl,
        refresh_token: Some(refresh),
        scope,
    })
}

/// A token request of the authorization code grant (the client already authenticated).
#[derive(Debug, Clone, Copy)]
pub struct CodeExchange<'a> {
    /// The client making the request.
    pub client_id: &'a str,
    /// The code.
    pub code: &'a str,
    /// The redirect URI of the authorization request.
    pub redirect_uri: &'a str,
    /// The PKCE verifier.
    pub verifier: &'a str,
    /// The resource asked for, if any.
    pub resource: Option<&'a str>,
}

/// Exchange an authorization code for tokens. A code used before is refused and the
/// tokens its first use issued are revoked.
pub async fn exchange_code(
    store: &dyn GrantStore,
    issuer: &Issuer,
    req: CodeExchange<'_>,
) -> Result<Tokens, TokenError> {
    let g: CodeGrant = match store
        .take_code(&digest(req.code))
        .await
        .map_err(store_error)?
    {
        Used::First(g) => g,
        Used::Replayed { family } => {
            let until = now() + issuer.refresh_ttl;
            store
                .revoke_family(family, until)
                .await
                .map_err(store_error)?;
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
    let pair = Pair {
        client_id: &g.client_id,
        subject: &g.subject,
        scopes: &g.scopes,
        resource: g.resource.as_deref(),
        family: &g.family,
    };
    issue(store, issuer, pair).await
}

/// Exchange a refresh token for new tokens (and a new refresh token of the same family),
/// optionally with fewer scopes. A refresh token used before is refused and its whole
/// family revoked.
pub async fn refresh(
    store: &dyn GrantStore,
    issuer: &Issuer,
    client_id: &str,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<Tokens, TokenError> {
    let g = match store
        .take_refresh(&digest(refresh_token))
        .await
        .map_err(store_error)?
    {
        Used::First(g) => g,
        Used::Replayed { family } => {
            let until = now() + issuer.refresh_ttl;
            store
                .revoke_family(family, until)
                .await
                .map_err(store_error)?;
            return Err(grant(
                "the refresh token was used before: its grant is revoked",
            ));
        }
        Used::Unknown => return Err(grant("unknown or expired refresh token")),
    };
    if g.client_id != client_id {
        // Not this client's: the token is burnt for its holder too.
        store
            .revoke_family(g.family.clone(), g.expires_at)
            .await
            .map_err(store_error)?;
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
        family: &g.family,
    };
    issue(store, issuer, pair).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::MemoryStore;
    use crate::{JwtKey, JwtVerifier, TokenVerifier};

    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn issuer() -> Issuer {
        let keys = SigningKeys::new();
        keys.add_pem(
            "k1",
            "RS256",
            include_bytes!("../../tests/fixtures/rsa.key.pem"),
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

    async fn with_code(store: &MemoryStore, code: &str, family: &str) {
        let g = CodeGrant {
            client_id: "app".into(),
            redirect_uri: "http://127.0.0.1:5000/cb".into(),
            challenge: CHALLENGE.into(),
            resource: Some("https://mcp.example/notes".into()),
            scopes: vec!["notes:read".into(), "notes:write".into()],
            subject: "alice".into(),
            expires_at: now() + 60,
            family: family.into(),
        };
        store.put_code(digest(code), g).await.unwrap();
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
        let (store, iss) = (MemoryStore::new(), issuer());
        with_code(&store, "c1", "fam1").await;
        let t = exchange_code(&store, &iss, exchange("c1")).await.unwrap();
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
        let (store, iss) = (MemoryStore::new(), issuer());
        with_code(&store, "c1", "fam1").await;
        let first = exchange_code(&store, &iss, exchange("c1")).await.unwrap();
        let e = exchange_code(&store, &iss, exchange("c1"))
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
        let (store, iss) = (MemoryStore::new(), issuer());
        let cases: [(&str, CodeExchange<'_>, &str); 5] = [
            (
                "a",
                CodeExchange {
                    client_id: "other",
                    ..exchange("a")
                },
                "invalid_grant",
            ),
            (
                "b",
                CodeExchange {
                    redirect_uri: "http://127.0.0.1:5000/cb/",
                    ..exchange("b")
                },
                "invalid_grant",
            ),
            (
                "c",
                CodeExchange {
                    verifier: &VERIFIER.replace('d', "e"),
                    ..exchange("c")
                },
                "invalid_grant",
            ),
            (
                "d",
                CodeExchange {
                    resource: Some("https://evil.example"),
                    ..exchange("d")
                },
                "invalid_target",
            ),
            ("e", exchange("never-issued"), "invalid_grant"),
        ];
        for (code, req, want) in cases {
            with_code(&store, code, &format!("fam-{code}")).await;
            let e = exchange_code(&store, &iss, req).await.unwrap_err();
            assert_eq!(e.code(), want, "{code}: {e:?}");
        }
    }

    #[tokio::test]
    async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family() {
        let (store, iss) = (MemoryStore::new(), issuer());
        with_code(&store, "c1", "fam1").await;
        let t1 = exchange_code(&store, &iss, exchange("c1")).await.unwrap();
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
        with_code(&store, "c2", "fam2").await;
        let t = exchange_code(&store, &iss, exchange("c2")).await.unwrap();
        let r = t.refresh_token.unwrap();
        let e = refresh(&store, &iss, "app", &r, Some("admin"))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_scope");
        with_code(&store, "c3", "fam3").await;
        let t = exchange_code(&store, &iss, exchange("c3")).await.unwrap();
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
