//! Auth of FastMCP for Rust, the server's side: token verifiers and the rules of a
//! protected resource.
//!
//! A [`TokenVerifier`] turns a bearer token into the [`AuthInfo`] of who holds it, or says
//! why it cannot: the token is invalid ([`VerifyError::Invalid`], answered with 401), or
//! it cannot be checked now ([`VerifyError::Unavailable`], the key set or the
//! introspection endpoint is unreachable: answered with 503, the client may retry).
//!
//! ```
//! use fastmcp_auth::{StaticTokens, TokenVerifier, VerifyError};
//! use fastmcp_core::AuthInfo;
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let tokens = StaticTokens::new()
//!     .token("dev-token", AuthInfo::new().with_subject("alice").with_scopes(["notes:read"]));
//! let who = tokens.verify("dev-token").await.unwrap();
//! assert_eq!(who.subject.as_deref(), Some("alice"));
//! assert!(matches!(tokens.verify("other").await, Err(VerifyError::Invalid(_))));
//! # }
//! ```
//!
//! The verifiers:
//!
//! - [`StaticTokens`] and [`FnVerifier`]: fixed tokens, a closure.
//! - [`JwtVerifier`]: JWTs checked locally with a static [`JwtKey`] or the keys of a JWKS
//!   URL ([`JwksOptions`]: cached, refreshed once for an unknown `kid` within a cool-down,
//!   backing off while the endpoint fails). An allow-list of [`Algorithm`]s that fit the
//!   key and an audience are required.
//! - [`IntrospectionVerifier`]: opaque tokens checked by an RFC 7662 endpoint, the answers
//!   cached by the token's SHA-256.
//! - [`Verifiers`]: several of them tried in order.
//! - [`Cached`]: remembers the tokens another verifier accepted (by digest, up to a TTL).
//!
//! [`ResourceServer`] is the protected resource itself (RFC 9728 metadata, RFC 6750
//! challenges, the RFC 8707 audience), which the server's HTTP transports apply.
//!
//! Tokens never appear in logs, errors or `Debug` output.
#![warn(missing_docs)]

mod cached;
mod claims;
mod fetch;
mod introspection;
mod jwks;
mod jwt;
mod key;
mod resource;
mod token_cache;
mod verifier;

pub use cached::Cached;
pub use claims::auth_info as auth_info_from_claims;
pub use fastmcp_core::{AuthInfo, BoxFuture};
pub use introspection::{ClientAuth, IntrospectionBuilder, IntrospectionVerifier};
/// The JWT signature algorithms (there is no `none`).
pub use jsonwebtoken::Algorithm;
pub use jwks::JwksOptions;
pub use jwt::{JwtVerifier, JwtVerifierBuilder};
pub use key::{ConfigError, JwtKey};
pub use resource::{Refusal, ResourceServer, WELL_KNOWN};
pub use verifier::{FnVerifier, StaticTokens, TokenVerifier, Verifiers, VerifyError};
