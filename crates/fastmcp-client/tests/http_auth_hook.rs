//! The `HttpAuth` hook of the HTTP client transports, with an `HttpAuth` of the test's
//! own against a server that refuses everything: the header is sent, the challenge carries
//! the `WWW-Authenticate` header and the URL, and a refused request is sent once more at
//! most.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use fastmcp_client::Client;
use fastmcp_transport::http_auth::{AuthFuture, Challenge, HttpAuth};
use fastmcp_transport::http_client::StreamableHttp;

#[derive(Default)]
struct Counting {
    headers: AtomicUsize,
    challenges: Mutex<Vec<Challenge>>,
}

impl HttpAuth for Counting {
    fn header(&self) -> AuthFuture<'_, Option<String>> {
        let n = self.headers.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move { Some(format!("Bearer t{n}")) })
    }
    fn challenge<'a>(&'a self, c: &'a Challenge) -> AuthFuture<'a, bool> {
        self.challenges.lock().unwrap().push(c.clone());
        Box::pin(async { true }) // always "got a new token"
    }
}

async fn refusing_server() -> (String, Arc<Mutex<Vec<Option<String>>>>) {
    let seen: Arc<Mutex<Vec<Option<String>>>> = Arc::default();
    let s = seen.clone();
    let app = Router::new().route(
        "/mcp",
        post(move |h: HeaderMap| async move {
            let auth = h
                .get(header::AUTHORIZATION)
                .map(|v| v.to_str().unwrap().to_owned());
            s.lock().unwrap().push(auth);
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#)],
            )
                .into_response()
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", l.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, seen)
}

#[tokio::test]
async fn a_refused_request_is_sent_once_more_with_the_new_header() {
    let (url, seen) = refusing_server().await;
    let auth = Arc::new(Counting::default());
    let r = Client::connect(StreamableHttp::new(&url).auth(auth.clone())).await;
    assert!(r.is_err(), "the server refuses everything");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [Some("Bearer t0".to_owned()), Some("Bearer t1".to_owned())],
        "one retry, with the header asked for again"
    );
    let c = auth.challenges.lock().unwrap().clone();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].status, 401);
    assert_eq!(c[0].url, url);
    assert_eq!(c[0].sent.as_deref(), Some("Bearer t0"));
    assert_eq!(
        c[0].www_authenticate.as_deref(),
        Some(r#"Bearer error="invalid_token""#)
    );
}

#[tokio::test]
async fn without_auth_no_authorization_header_is_sent() {
    let (url, seen) = refusing_server().await;
    assert!(Client::connect(StreamableHttp::new(&url)).await.is_err());
    assert_eq!(seen.lock().unwrap().clone(), [None]);
}
