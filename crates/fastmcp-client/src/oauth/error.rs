//! What can go wrong while authorizing: a typed error whose messages never carry a token,
//! a secret or an authorization code.

use std::fmt;

/// Why OAuth authorization failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthError {
    /// A URL could not be parsed or built.
    InvalidUrl(String),
    /// An HTTP request to a metadata, registration or token endpoint failed (network,
    /// timeout, or a body larger than the limit).
    Http(String),
    /// No protected resource metadata (RFC 9728) was found, and no fallback applied.
    NoResourceMetadata(String),
    /// The protected resource metadata names another resource than the server's URL.
    ResourceMismatch {
        /// The `resource` of the metadata.
        published: String,
        /// The server's URL.
        server: String,
    },
    /// No authorization server metadata (RFC 8414 or OpenID discovery) was found.
    NoServerMetadata(String),
    /// The authorization server metadata's `issuer` differs from the issuer its URL was
    /// built from (RFC 8414 section 3.3).
    IssuerMismatch {
        /// The issuer the metadata URL was built from.
        expected: String,
        /// The `issuer` in the document.
        found: String,
    },
    /// The authorization server does not list `S256` in `code_challenge_methods_supported`.
    PkceUnsupported,
    /// No way to get a client id: no pre-registered credentials, no Client ID Metadata
    /// Document support, no registration endpoint.
    NoRegistration(String),
    /// Dynamic client registration was refused.
    Registration(String),
    /// The authorization response was refused: wrong `state`, `iss` mismatch or missing,
    /// no code, or the authorization server's `error` (with its code).
    AuthorizationResponse(String),
    /// The user did not complete the authorization in time, or the callback failed.
    Callback(String),
    /// The token endpoint refused the request (its `error` code, never the body verbatim).
    TokenEndpoint {
        /// The HTTP status.
        status: u16,
        /// The OAuth `error` code, when the body had one.
        error: Option<String>,
    },
    /// The token endpoint's answer was not a usable token response.
    TokenResponse(String),
    /// A client assertion (private_key_jwt) could not be signed.
    Assertion(String),
    /// Step-up or re-authorization was tried too often without success.
    RetryLimit(u32),
    /// The token store failed.
    Store(String),
    /// The server asked for something this client is not configured for.
    Unsupported(String),
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OAuthError::InvalidUrl(m) => write!(f, "invalid URL: {m}"),
            OAuthError::Http(m) => write!(f, "OAuth HTTP request failed: {m}"),
            OAuthError::NoResourceMetadata(m) => {
                write!(f, "no protected resource metadata found: {m}")
            }
            OAuthError::ResourceMismatch { published, server } => write!(
                f,
                "the protected resource metadata is for {published}, not for the server at {server}"
            ),
            OAuthError::NoServerMetadata(m) => {
                write!(f, "no authorization server metadata found: {m}")
            }
            OAuthError::IssuerMismatch { expected, found } => write!(
                f,
                "the authorization server metadata's issuer {found:?} is not {expected:?}"
            ),
            OAuthError::PkceUnsupported => f.write_str(
                "the authorization server does not support PKCE with S256 \
                 (code_challenge_methods_supported)",
            ),
            OAuthError::NoRegistration(m) => write!(f, "no way to register the client: {m}"),
            OAuthError::Registration(m) => write!(f, "client registration failed: {m}"),
            OAuthError::AuthorizationResponse(m) => {
                write!(f, "authorization response refused: {m}")
            }
            OAuthError::Callback(m) => write!(f, "authorization callback: {m}"),
            OAuthError::TokenEndpoint { status, error } => match error {
                Some(e) => write!(f, "the token endpoint answered HTTP {status} ({e})"),
                None => write!(f, "the token endpoint answered HTTP {status}"),
            },
            OAuthError::TokenResponse(m) => write!(f, "unusable token response: {m}"),
            OAuthError::Assertion(m) => write!(f, "cannot sign the client assertion: {m}"),
            OAuthError::RetryLimit(n) => {
                write!(f, "gave up authorizing after {n} attempts without success")
            }
            OAuthError::Store(m) => write!(f, "token store: {m}"),
            OAuthError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for OAuthError {}
