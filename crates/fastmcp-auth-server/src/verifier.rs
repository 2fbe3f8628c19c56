//! The server's own access tokens, verified where it runs: [`LocalVerifier`] checks the
//! signature against the signing keys (no JWKS fetch), the issuer, the expiry, the audience
//! (one of the server's resources) and that the grant family has not been revoked (a
//! replayed code, a reused refresh token, a revocation request): so a revoked token stops
//! working at once, on every replica that shares the store.

use fastmcp_auth::{auth_info_from_claims, AuthInfo, BoxFuture, TokenVerifier, VerifyError};

use crate::server::AuthorizationServer;

impl AuthorizationServer {
    /// The identity of `token`, an access token this server issued for one of `audience`
    /// (any audience when `None`).
    pub async fn verify_access_token(
        &self,
        token: &str,
        audience: Option<&[String]>,
    ) -> Result<AuthInfo, VerifyError> {
        let i = &self.0;
        let claims = i
            .issuer
            .keys
            .verify(token, &i.issuer.issuer, audience)
            .map_err(VerifyError::Invalid)?;
        let Some(fam) = claims.get("fam").and_then(|v| v.as_str()) else {
            return Err(VerifyError::Invalid("not an access token".into()));
        };
        match i.grants.family_revoked(fam).await {
            Ok(false) => Ok(auth_info_from_claims(claims)),
            Ok(true) => Err(VerifyError::Invalid("the token's grant is revoked".into())),
            Err(e) => Err(VerifyError::Unavailable(e.message().to_owned())),
        }
    }

    /// A [`TokenVerifier`] of this server's access tokens for its resources, for the
    /// resource server in the same process (`ResourceServer::new(.., verifier)`).
    pub fn verifier(&self) -> LocalVerifier {
        LocalVerifier(self.clone())
    }
}

/// See [`AuthorizationServer::verifier`].
#[derive(Clone)]
pub struct LocalVerifier(AuthorizationServer);

impl TokenVerifier for LocalVerifier {
    fn verify<'a>(&'a self, token: &'a str) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(async move {
            let resources = &self.0 .0.policy.resources;
            let aud = (!resources.is_empty()).then_some(resources.as_slice());
            self.0.verify_access_token(token, aud).await
        })
    }
}
