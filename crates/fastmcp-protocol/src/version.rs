//! Protocol versions and the two eras they belong to.

use std::fmt;

/// A protocol version this crate speaks.
///
/// ```
/// use fastmcp_protocol::{ProtocolVersion, Era};
/// let v: ProtocolVersion = "2025-06-18".parse().unwrap();
/// assert_eq!(v.era(), Era::Handshake);
/// assert_eq!(ProtocolVersion::LATEST.as_str(), "2026-07-28");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// 2024-11-05, the first published version.
    V2024_11_05,
    /// 2025-03-26: Streamable HTTP, audio, tool annotations, batches.
    V2025_03_26,
    /// 2025-06-18: structured output, elicitation, no batches.
    V2025_06_18,
    /// 2025-11-25: tasks, URL elicitation, sampling with tools, icons.
    V2025_11_25,
    /// 2026-07-28: the stateless era (no handshake, `_meta` per request, MRTR).
    V2026_07_28,
}

/// Which of the two protocol eras a version belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Era {
    /// `initialize` + `notifications/initialized`, one negotiation per session.
    Handshake,
    /// No handshake; every request carries its version in `_meta`.
    Stateless,
}

impl ProtocolVersion {
    /// Every version, oldest first.
    pub const ALL: [ProtocolVersion; 5] = [
        Self::V2024_11_05,
        Self::V2025_03_26,
        Self::V2025_06_18,
        Self::V2025_11_25,
        Self::V2026_07_28,
    ];
    /// The newest version.
    pub const LATEST: ProtocolVersion = Self::V2026_07_28;
    /// The newest version of the handshake era.
    pub const LATEST_HANDSHAKE: ProtocolVersion = Self::V2025_11_25;

    /// The version string as written on the wire.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// The era of this version.
    pub const fn era(self) -> Era {
        match self {
            Self::V2026_07_28 => Era::Stateless,
            _ => Era::Handshake,
        }
    }

    /// Whether JSON-RPC batches (arrays) are part of this version (2025-03-26 only).
    pub const fn allows_batches(self) -> bool {
        matches!(self, Self::V2025_03_26)
    }

    /// The version strings of every supported version, oldest first.
    pub fn all_strings() -> Vec<String> {
        Self::ALL.iter().map(|v| v.as_str().to_owned()).collect()
    }

    /// The answer to an `initialize` request that asked for `requested`: the same version
    /// when it is a handshake version we speak, otherwise the newest handshake version.
    pub fn negotiate_handshake(requested: &str) -> ProtocolVersion {
        match requested.parse::<ProtocolVersion>() {
            Ok(v) if v.era() == Era::Handshake => v,
            _ => Self::LATEST_HANDSHAKE,
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown version string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVersion(pub String);

impl fmt::Display for UnknownVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unsupported protocol version {:?}", self.0)
    }
}

impl std::error::Error for UnknownVersion {}

impl std::str::FromStr for ProtocolVersion {
    type Err = UnknownVersion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| UnknownVersion(s.to_owned()))
    }
}

impl serde::Serialize for ProtocolVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_falls_back_to_latest_handshake() {
        assert_eq!(
            ProtocolVersion::negotiate_handshake("2025-03-26"),
            ProtocolVersion::V2025_03_26
        );
        assert_eq!(
            ProtocolVersion::negotiate_handshake("1999-01-01"),
            ProtocolVersion::V2025_11_25
        );
        assert_eq!(
            ProtocolVersion::negotiate_handshake("2026-07-28"),
            ProtocolVersion::V2025_11_25
        );
    }

    #[test]
    fn round_trips_every_string() {
        for v in ProtocolVersion::ALL {
            assert_eq!(v.as_str().parse::<ProtocolVersion>().unwrap(), v);
        }
        assert!("2025-01-01".parse::<ProtocolVersion>().is_err());
    }
}
