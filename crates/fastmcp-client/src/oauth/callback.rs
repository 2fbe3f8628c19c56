//! Where the authorization response comes back: a one-shot HTTP server on a random port of
//! 127.0.0.1, and the two ways to get the user agent there (open a browser through a hook,
//! or, headless, fetch the authorization URL and follow its redirects).

use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::authorize::Callback;
use super::error::OAuthError;

/// The largest request head read by the callback server.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection to the callback server may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How the user agent is brought to the authorization URL.
#[derive(Clone)]
pub enum Redirect {
    /// Give the URL to this hook (which opens a browser, or prints it), then wait for the
    /// redirect to the loopback callback.
    Browser(Arc<dyn Fn(&str) + Send + Sync>),
    /// Fetch the URL with an HTTP client that follows redirects up to the callback: for
    /// tests and for authorization servers that approve without a user.
    Headless,
}

impl std::fmt::Debug for Redirect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Redirect::Browser(_) => "Browser",
            Redirect::Headless => "Headless",
        })
    }
}

/// The loopback callback server, bound before the authorization request is made.
pub(crate) struct Loopback {
    listener: TcpListener,
    pub(crate) redirect_uri: String,
}

impl Loopback {
    pub(crate) async fn bind() -> Result<Self, OAuthError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| OAuthError::Callback(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| OAuthError::Callback(e.to_string()))?
            .port();
        Ok(Loopback {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}/callback"),
        })
    }

    /// Bring the user agent to `auth_url` as `how` says and wait (up to `timeout`) for the
    /// callback.
    pub(crate) async fn run(
        self,
        how: &Redirect,
        auth_url: &Url,
        timeout: Duration,
    ) -> Result<Callback, OAuthError> {
        let wait = tokio::time::timeout(timeout, self.accept());
        match how {
            Redirect::Browser(open) => {
                open(auth_url.as_str());
                wait.await.unwrap_or_else(|_| {
                    Err(OAuthError::Callback(
                        "no authorization response in time".into(),
                    ))
                })
            }
            Redirect::Headless => {
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::limited(10))
                    .build()
                    .map_err(|e| OAuthError::Callback(e.to_string()))?;
                let fetch = async {
                    let r = http.get(auth_url.clone()).timeout(timeout).send().await;
                    match r {
                        Ok(r) => format!("the authorization endpoint answered HTTP {}", r.status()),
                        Err(e) if e.is_redirect() => "too many redirects".to_owned(),
                        Err(_) => "the authorization endpoint could not be fetched".to_owned(),
                    }
                };
                tokio::pin!(wait);
                tokio::select! {
                    r = &mut wait => r.unwrap_or_else(|_| {
                        Err(OAuthError::Callback("no authorization response in time".into()))
                    }),
                    what = fetch => {
                        // The fetch ends after the callback was served; give it a moment.
                        match tokio::time::timeout(Duration::from_secs(5), wait).await {
                            Ok(Ok(r)) => r,
                            _ => Err(OAuthError::Callback(format!(
                                "no redirect to the callback: {what}"
                            ))),
                        }
                    }
                }
            }
        }
    }

    async fn accept(self) -> Result<Callback, OAuthError> {
        loop {
            let (stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| OAuthError::Callback(e.to_string()))?;
            if let Some(cb) = serve(stream).await {
                return Ok(cb);
            }
        }
    }
}

/// Read one request; the callback's parameters when it was `GET /callback`.
async fn serve(mut s: TcpStream) -> Option<Callback> {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        loop {
            let n = s.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") {
                return Some(());
            }
            if head.len() > MAX_HEAD {
                return None;
            }
        }
    })
    .await;
    if !matches!(read, Ok(Some(()))) {
        return None;
    }
    let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let url = Url::parse("http://127.0.0.1").ok()?.join(target).ok();
    let cb = match (method, url) {
        ("GET", Some(u)) if u.path() == "/callback" => Some(Callback::from_url(&u)),
        _ => None,
    };
    let (status, body) = if cb.is_some() {
        (
            "200 OK",
            "<!doctype html><title>Authorized</title><p>You may close this window.</p>",
        )
    } else {
        ("404 Not Found", "not found")
    };
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\ncache-control: no-store\r\n\r\n{body}",
        body.len()
    );
    let _ = s.write_all(resp.as_bytes()).await;
    let _ = s.shutdown().await;
    cb
}
