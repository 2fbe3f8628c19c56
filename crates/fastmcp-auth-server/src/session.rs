//! The signed sign-in cookie of the ready authenticators ([`crate::PasswordLogin`],
//! [`crate::proxy::UpstreamLogin`]): the user and an expiry, base64url JSON, signed with
//! HMAC-SHA256; `HttpOnly`, `SameSite=Lax`, `Secure` unless turned off for plain-HTTP
//! development. Replicas that share the key share sign-ins.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::grants::now;
use crate::user::User;

const SESSION: &str = "fastmcp_session";

/// The cookie's settings.
#[derive(Clone)]
pub(crate) struct Session {
    pub key: Vec<u8>,
    pub ttl: u64,
    pub secure: bool,
}

impl Session {
    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    /// A `Set-Cookie` value: `name=value` with the attributes.
    pub fn cookie(&self, name: &str, value: &str, path: &str, max_age: u64) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
    }

    /// Add the sign-in cookie of `user` to `r`.
    pub fn sign_in(&self, r: &mut Response, user: &User) {
        let body = serde_json::json!({"user": user, "exp": now() + self.ttl});
        let body = URL_SAFE_NO_PAD.encode(body.to_string());
        let mut m = self.mac();
        m.update(body.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(m.finalize().into_bytes());
        let c = self.cookie(SESSION, &format!("{body}.{sig}"), "/", self.ttl);
        if let Ok(v) = HeaderValue::from_str(&c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    /// The user signed in by this request's cookie, if its signature holds and it has not
    /// expired.
    pub fn user(&self, headers: &HeaderMap) -> Option<User> {
        let value = cookie(headers, SESSION)?;
        let (body, sig) = value.split_once('.')?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut m = self.mac();
        m.update(body.as_bytes());
        m.verify_slice(&sig).ok()?;
        let v: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
        if v["exp"].as_u64()? <= now() {
            return None;
        }
        serde_json::from_value(v["user"].clone()).ok()
    }
}

/// The value of cookie `name`.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_cookie_holds_its_user_and_a_forged_one_nothing() {
        let s = Session {
            key: b"k".to_vec(),
            ttl: 60,
            secure: true,
        };
        let mut r = Response::new(axum::body::Body::empty());
        s.sign_in(&mut r, &User::new("alice"));
        let set = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Lax"));
        let pair = set.split(';').next().unwrap().to_owned();
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&pair).unwrap());
        assert_eq!(s.user(&h).unwrap().subject, "alice");
        let other = Session {
            key: b"other".to_vec(),
            ..s.clone()
        };
        assert!(other.user(&h).is_none(), "another key");
        let (body, sig) = pair
            .trim_start_matches("fastmcp_session=")
            .split_once('.')
            .unwrap();
        let forged_body = URL_SAFE_NO_PAD.encode(
            String::from_utf8(URL_SAFE_NO_PAD.decode(body).unwrap())
                .unwrap()
                .replace("alice", "admin"),
        );
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("fastmcp_session={forged_body}.{sig}")).unwrap(),
        );
        assert!(s.user(&h).is_none(), "a changed user breaks the signature");
    }
}
