//! The server-rendered pages (consent, login, errors): escaped text, no script, and headers
//! against clickjacking (`X-Frame-Options: DENY`, `frame-ancestors 'none'`) and caching.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `s`, safe inside HTML text and attribute values.
///
/// ```
/// assert_eq!(fastmcp_auth_server::html::escape("<a href='x'>&\"</a>"),
///     "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}\
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem}input{font-size:1rem;padding:.3rem;width:100%;margin:.2rem 0 .8rem}\
code{background:#eee;padding:0 .2rem}";

/// A page with this title and (already escaped) body, with the protective headers.
pub fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{t}</title><style>{STYLE}</style></head><body><h1>{t}</h1>{body}</body></html>",
        t = escape(title)
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// An error page: the request cannot go back to the client.
pub fn error(status: StatusCode, message: &str) -> Response {
    page(
        status,
        "Authorization failed",
        &format!("<p>{}</p>", escape(message)),
    )
}

/// What the consent page shows.
pub struct Consent<'a> {
    /// Where the form posts.
    pub action: &'a str,
    /// The pending sign-in's id.
    pub txn: &'a str,
    /// Its CSRF token.
    pub csrf: &'a str,
    /// The client's name (or id).
    pub client: &'a str,
    /// Where the code will go.
    pub redirect_uri: &'a str,
    /// The scopes asked for.
    pub scopes: &'a [String],
    /// The resource the tokens are for.
    pub resource: Option<&'a str>,
    /// Who is signed in.
    pub user: &'a str,
}

/// The consent page: who asks for what, to be sent where; allow or deny.
pub fn consent(c: &Consent<'_>) -> Response {
    let scopes = if c.scopes.is_empty() {
        "<li>basic access</li>".to_owned()
    } else {
        c.scopes
            .iter()
            .map(|s| format!("<li><code>{}</code></li>", escape(s)))
            .collect()
    };
    let resource = c
        .resource
        .map(|r| format!("<p>For: <code>{}</code></p>", escape(r)))
        .unwrap_or_default();
    let body = format!(
        "<p>Signed in as <b>{user}</b>.</p>\
         <p><b>{client}</b> asks for:</p><ul>{scopes}</ul>{resource}\
         <p>It will be sent back to <code>{redirect}</code>.</p>\
         <form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"txn\" value=\"{txn}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button name=\"decision\" value=\"allow\">Allow</button>\
         <button name=\"decision\" value=\"deny\">Deny</button></form>",
        user = escape(c.user),
        client = escape(c.client),
        redirect = escape(c.redirect_uri),
        action = escape(c.action),
        txn = escape(c.txn),
        csrf = escape(c.csrf),
    );
    page(StatusCode::OK, "Allow access?", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_consent_page_escapes_what_clients_chose_and_cannot_be_framed() {
        let r = consent(&Consent {
            action: "/consent",
            txn: "t",
            csrf: "c",
            client: "<script>alert(1)</script>",
            redirect_uri: "http://127.0.0.1/cb?a=\"x\"",
            scopes: &["notes:read".into()],
            resource: None,
            user: "alice",
        });
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        assert!(r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'"));
        assert_eq!(r.headers()["cache-control"], "no-store");
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{body}"
        );
        assert!(!body.contains("<script>"));
        assert!(body.contains("cb?a=&quot;x&quot;"));
    }
}
