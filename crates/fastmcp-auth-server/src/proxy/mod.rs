//! The OAuth proxy (A6): an authorization server to MCP clients (dynamic registration and
//! Client ID Metadata Documents, PKCE, consent, its own tokens) whose users sign in with an
//! upstream OAuth 2.0 or OpenID provider that supports neither (GitHub, Google, Entra...).
//!
//! It is the [`crate::AuthorizationServer`] with an [`UpstreamLogin`] as its authenticator:
//! the consent page (the proxy asks the user for each MCP client, even when the upstream
//! provider remembers its own consent for the proxy's single client) is what stops a
//! confused deputy. Upstream tokens never reach the MCP client: they are kept encrypted
//! (AES-256-GCM) in the store, and the server reads them with
//! [`UpstreamLogin::upstream_token`].

mod crypto;
mod login;
mod upstream;

pub use login::UpstreamLogin;
pub use upstream::{Upstream, UpstreamAuth};
