//! Redirect URIs (OAuth 2.1 and RFC 9700 §4.1): a client registers them, and an
//! authorization request must present one of them exactly, so that no code is ever sent
//! where the client did not say. The only latitude is RFC 8252's: a loopback redirect
//! (`http://127.0.0.1`, `http://[::1]`, `http://localhost`) matches with any port, since
//! native apps listen on the port they get.
//!
//! A redirect URI, registered or presented, must be absolute, without a fragment, userinfo,
//! backslash or dot-segment; `https`, or `http` on a loopback host, or a private-use scheme
//! of a native app (with a dot, `com.example.app:/callback`).

/// Why a redirect URI is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectError {
    /// Not an absolute URI.
    NotAbsolute,
    /// It has a fragment.
    Fragment,
    /// It has userinfo (`user@host`).
    Userinfo,
    /// It holds a backslash.
    Backslash,
    /// Its path has a `.` or `..` segment (plain or percent-encoded).
    DotSegment,
    /// The scheme is not allowed (plain `http` off loopback, say).
    Scheme(String),
    /// It is not one of the client's registered redirect URIs.
    NotRegistered,
}

impl std::fmt::Display for RedirectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let why = match self {
            RedirectError::NotAbsolute => "is not an absolute URI".to_owned(),
            RedirectError::Fragment => "has a fragment".into(),
            RedirectError::Userinfo => "has userinfo".into(),
            RedirectError::Backslash => "holds a backslash".into(),
            RedirectError::DotSegment => "has a dot-segment".into(),
            RedirectError::Scheme(s) => format!("has the scheme {s:?}, which is not allowed"),
            RedirectError::NotRegistered => "is not a registered redirect URI of the client".into(),
        };
        write!(f, "redirect_uri {why}")
    }
}

impl std::error::Error for RedirectError {}

fn is_loopback(host: &str) -> bool {
    matches!(host, "127.0.0.1" | "[::1]" | "localhost")
}

/// The parts of a redirect URI that matching compares (the port is not one: it matters
/// only off loopback, where the whole URI is compared).
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    rest: &'a str,
}

/// Split and check `uri`.
fn parts(uri: &str) -> Result<Parts<'_>, RedirectError> {
    if uri.contains('\\') {
        return Err(RedirectError::Backslash);
    }
    if uri.contains('#') {
        return Err(RedirectError::Fragment);
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(RedirectError::NotAbsolute);
    }
    let (scheme, after) = uri.split_once(':').ok_or(RedirectError::NotAbsolute)?;
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return Err(RedirectError::NotAbsolute);
    }
    let (authority, rest) = match after.strip_prefix("//") {
        Some(a) => match a.find(['/', '?']) {
            Some(i) => (&a[..i], &a[i..]),
            None => (a, ""),
        },
        None => ("", after),
    };
    if authority.contains('@') {
        return Err(RedirectError::Userinfo);
    }
    let path = rest.split('?').next().unwrap_or_default();
    let dot = path.split('/').any(|seg| {
        let s = seg.to_ascii_lowercase().replace("%2e", ".");
        s == "." || s == ".."
    });
    if dot {
        return Err(RedirectError::DotSegment);
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !p.contains(']') => (h, Some(p)),
        _ => (authority, None),
    };
    let scheme_lc = scheme.to_ascii_lowercase();
    let allowed = match scheme_lc.as_str() {
        "https" => !host.is_empty(),
        "http" => is_loopback(&host.to_ascii_lowercase()),
        // A native app's private-use scheme: reverse-DNS, with a dot (RFC 8252 §7.1).
        s => s.contains('.') && authority.is_empty(),
    };
    if !allowed {
        return Err(RedirectError::Scheme(scheme.to_owned()));
    }
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return Err(RedirectError::NotAbsolute);
    }
    Ok(Parts { scheme, host, rest })
}

/// Check a redirect URI a client registers.
///
/// ```
/// use fastmcp_auth_server::redirect::check_registered;
/// assert!(check_registered("https://app.example.com/callback").is_ok());
/// assert!(check_registered("http://127.0.0.1/callback").is_ok());
/// assert!(check_registered("http://app.example.com/callback").is_err());
/// ```
pub fn check_registered(uri: &str) -> Result<(), RedirectError> {
    parts(uri).map(|_| ())
}

/// Whether `presented` is one of `registered` (exactly; a loopback one with any port).
///
/// ```
/// use fastmcp_auth_server::redirect::matches;
/// let registered = ["http://127.0.0.1/cb".to_owned(), "https://app.example.com/cb".to_owned()];
/// assert!(matches(&registered, "http://127.0.0.1:53124/cb").is_ok());
/// assert!(matches(&registered, "https://app.example.com/cb/").is_err());
/// ```
pub fn matches(registered: &[String], presented: &str) -> Result<(), RedirectError> {
    let p = parts(presented)?;
    for r in registered {
        if r == presented {
            return Ok(());
        }
        let Ok(r) = parts(r) else { continue };
        let loopback_http =
            r.scheme.eq_ignore_ascii_case("http") && is_loopback(&r.host.to_ascii_lowercase());
        if loopback_http
            && p.scheme.eq_ignore_ascii_case("http")
            && p.host.eq_ignore_ascii_case(r.host)
            && p.rest == r.rest
        {
            return Ok(()); // any port on loopback (RFC 8252 §7.3)
        }
    }
    Err(RedirectError::NotRegistered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_uris_are_checked() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?x=1",
            "http://127.0.0.1/cb",
            "http://[::1]:8080/cb",
            "http://localhost/cb",
            "com.example.app:/oauth2redirect",
        ] {
            assert_eq!(check_registered(ok), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("/callback", RedirectError::NotAbsolute),
            ("https://app.example.com/cb#x", RedirectError::Fragment),
            (
                "https://user:pw@app.example.com/cb",
                RedirectError::Userinfo,
            ),
            (
                "https://app.example.com\\@evil.com/cb",
                RedirectError::Backslash,
            ),
            ("https://app.example.com/a/../cb", RedirectError::DotSegment),
            (
                "https://app.example.com/a/%2E%2E/cb",
                RedirectError::DotSegment,
            ),
            ("https://app.example.com/./cb", RedirectError::DotSegment),
            (
                "http://app.example.com/cb",
                RedirectError::Scheme("http".into()),
            ),
            (
                "javascript:alert(1)",
                RedirectError::Scheme("javascript".into()),
            ),
            ("myapp:/cb", RedirectError::Scheme("myapp".into())),
            ("https://app.example.com:x/cb", RedirectError::NotAbsolute),
        ] {
            assert_eq!(check_registered(bad), Err(why), "{bad}");
        }
    }

    #[test]
    fn presented_uris_match_exactly_but_for_a_loopback_port() {
        let reg = [
            "https://app.example.com/cb".to_owned(),
            "http://127.0.0.1:8000/cb".to_owned(),
        ];
        assert!(matches(&reg, "https://app.example.com/cb").is_ok());
        assert!(
            matches(&reg, "http://127.0.0.1:51000/cb").is_ok(),
            "any loopback port"
        );
        assert!(matches(&reg, "http://127.0.0.1/cb").is_ok());
        for bad in [
            "https://app.example.com/cb/",                      // path differs
            "https://app.example.com/cb2",                      // path differs
            "https://app.example.com:444/cb",                   // port differs, not loopback
            "https://app.example.com/cb?next=https://evil.com", // query differs: no open redirect
            "https://evil.com/cb",                              // another host
            "http://127.0.0.1:51000/other",                     // loopback, other path
            "http://localhost:51000/cb",                        // loopback, other host name
        ] {
            assert_eq!(
                matches(&reg, bad),
                Err(RedirectError::NotRegistered),
                "{bad}"
            );
        }
        assert_eq!(
            matches(&reg, "https://x@app.example.com/cb"),
            Err(RedirectError::Userinfo)
        );
        assert_eq!(
            matches(&reg, "https://app.example.com/a/../cb"),
            Err(RedirectError::DotSegment)
        );
        assert_eq!(
            matches(&reg, "https://app.example.com\\cb"),
            Err(RedirectError::Backslash)
        );
    }
}
