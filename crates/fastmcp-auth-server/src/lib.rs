//! The OAuth 2.1 authorization server of FastMCP for Rust (A4), with OpenID Connect (A5).
//!
//! [`AuthorizationServer`] is built once ([`AuthorizationServer::builder`]) and mounted
//! next to the MCP endpoint in the same axum app ([`AuthorizationServer::router`]); its
//! [`AuthorizationServer::verifier`] is the token verifier of that MCP endpoint's resource
//! server. It offers:
//!
//! - RFC 8414 metadata (with `authorization_response_iss_parameter_supported` and
//!   `client_id_metadata_document_supported`) and, with [`Builder::openid`], OpenID
//!   discovery, ID tokens (`nonce` carried) and UserInfo;
//! - authorize: PKCE S256 required ([`pkce`]), exact redirect URI matching with any port
//!   on loopback ([`redirect`]), `state` carried, `iss` in every response (RFC 9207),
//!   `resource` bound to the grant (RFC 8707); the user authenticated by the application
//!   ([`Authenticator`]; [`PasswordLogin`] is a ready one) and asked on a consent page
//!   (CSRF token, `X-Frame-Options` and `frame-ancestors` against clickjacking);
//! - token: authorization code (single use: a replay revokes what the first use issued),
//!   refresh tokens (rotated; a reuse revokes the family), client credentials; client
//!   authentication `none`, `client_secret_basic`, `client_secret_post`; access tokens as
//!   RS256 or ES256 JWTs ([`keys`]: rotation, all keys published at the JWKS endpoint);
//! - revocation (RFC 7009), dynamic registration (RFC 7591) with a policy hook
//!   ([`RegistrationPolicy`]), Client ID Metadata Documents fetched with SSRF guards
//!   ([`cimd`]);
//! - state in an [`AuthStore`]: memory ([`MemoryStore`]) or Redis (`RedisStore`, feature
//!   `redis`: replicas share one login), with a time to live on every record.
#![warn(missing_docs)]

pub mod authorize;
pub mod cimd;
mod clients;
mod endpoints;
mod error;
pub mod grants;
pub mod html;
pub mod keys;
mod login;
pub mod oidc;
pub mod pkce;
pub mod proxy;
pub mod redirect;
#[cfg(feature = "redis")]
mod redis_store;
pub mod register;
mod server;
mod session;
mod store;
pub mod token;
mod user;
mod verifier;

pub use cimd::CimdOptions;
pub use error::ConfigError;
pub use grants::RegisteredClient;
pub use login::PasswordLogin;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;
pub use register::{ClientMetadata, RegistrationPolicy};
pub use server::{AuthorizationServer, Builder};
pub use store::{AuthStore, MemoryStore};
pub use user::{Authenticator, FnAuthenticator, Mount, SignIn, User};
pub use verifier::LocalVerifier;
