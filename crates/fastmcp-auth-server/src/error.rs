//! [`ConfigError`]: settings the authorization server cannot run with.

use std::fmt;

/// The authorization server's settings were refused (no signing key, a key that cannot be
/// read, an issuer that is not an `https` URL...), with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub(crate) String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad authorization server configuration: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}
