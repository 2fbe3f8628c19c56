//! The authorization server's rules (A4, in progress): what a client registers and
//! presents is checked here, before any grant is made.
//!
//! - [`redirect`]: redirect URIs, registered and presented (exact matching; loopback
//!   redirects with any port, RFC 8252; no userinfo, backslash, dot-segment or fragment);
//! - [`authorize`]: the authorization request checked (errors shown or sent back with
//!   `state` and `iss`), the redirects, the RFC 8414 metadata;
//! - [`keys`]: the signing keys (RS256, ES256), the newest signing, all published;
//! - [`pkce`]: PKCE as the server sees it (S256 only, verifiers of 43 to 128 characters
//!   of the RFC 7636 alphabet);
//! - [`store`]: clients, single-use codes and refresh tokens (kept by digest, replays
//!   recognized), revoked families, behind [`store::GrantStore`];
//! - [`token`]: the authorization code and refresh token grants (replays revoke their
//!   family), access tokens as signed JWTs.

pub mod authorize;
pub mod keys;
pub mod pkce;
pub mod redirect;
pub mod store;
pub mod token;
