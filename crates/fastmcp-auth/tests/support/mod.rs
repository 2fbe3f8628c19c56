//! Keys, token minting and the endpoints (a JWKS, an introspection endpoint) the tests
//! serve on 127.0.0.1, counting the requests they get.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use fastmcp_auth::{Algorithm, JwtKey};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{json, Value};

pub const AUD: &str = "https://mcp.example.com/mcp";
pub const ISS: &str = "https://idp.example.com/";
pub const SECRET: &[u8] = b"test-only hmac secret, 32+ bytes long";

pub const ALL: [Algorithm; 12] = [
    Algorithm::HS256,
    Algorithm::HS384,
    Algorithm::HS512,
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The fixture file's stem for an algorithm's key.
fn stem(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::ES256 => "ec256",
        Algorithm::ES384 => "ec384",
        Algorithm::EdDSA => "ed25519",
        _ => "rsa",
    }
}

/// The private key that signs with `alg`.
pub fn signing_key(alg: Algorithm) -> EncodingKey {
    let pem = fixture(&format!("{}.key.pem", stem(alg)));
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => EncodingKey::from_secret(SECRET),
        Algorithm::ES256 | Algorithm::ES384 => EncodingKey::from_ec_pem(&pem).unwrap(),
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    }
}

/// The key that checks `alg`'s signatures.
pub fn verifying_key(alg: Algorithm) -> JwtKey {
    let pem = fixture(&format!("{}.pub.pem", stem(alg)));
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => JwtKey::hmac(SECRET),
        Algorithm::ES256 | Algorithm::ES384 => JwtKey::ec_pem(&pem).unwrap(),
        Algorithm::EdDSA => JwtKey::ed_pem(&pem).unwrap(),
        _ => JwtKey::rsa_pem(&pem).unwrap(),
    }
}

/// The public JWK of `alg`'s key, named `kid`.
pub fn jwk(alg: Algorithm, kid: &str) -> Value {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let mut v = if alg == Algorithm::EdDSA {
        let der = fixture("ed25519.pub.der");
        json!({"kty": "OKP", "crv": "Ed25519", "x": b64(&der[der.len() - 32..])})
    } else {
        serde_json::to_value(Jwk::from_encoding_key(&signing_key(alg), alg).unwrap()).unwrap()
    };
    v["kid"] = json!(kid);
    v.as_object_mut().unwrap().remove("alg");
    v
}

/// Claims of a good token for [`AUD`] from [`ISS`], valid for 10 minutes.
pub fn claims() -> Value {
    json!({
        "sub": "alice", "azp": "notes-app", "scope": "notes:read notes:write",
        "aud": AUD, "iss": ISS, "exp": now() + 600, "iat": now(),
    })
}

pub fn mint(alg: Algorithm, kid: Option<&str>, claims: &Value) -> String {
    mint_with(alg, kid, claims, &signing_key(alg))
}

pub fn mint_with(alg: Algorithm, kid: Option<&str>, claims: &Value, key: &EncodingKey) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_owned);
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A URL where nothing listens.
pub async fn dead_url(path: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}{path}")
}

/// What the JWKS endpoint answers.
pub struct JwksReply {
    pub status: u16,
    pub body: String,
    pub cache_control: Option<String>,
    pub delay: Duration,
}

/// A JWKS endpoint on 127.0.0.1 that counts its requests.
#[derive(Clone)]
pub struct JwksServer {
    pub url: String,
    hits: Arc<AtomicUsize>,
    reply: Arc<Mutex<JwksReply>>,
}

impl JwksServer {
    pub async fn start(keys: Vec<Value>) -> Self {
        let reply = Arc::new(Mutex::new(JwksReply {
            status: 200,
            body: json!({ "keys": keys }).to_string(),
            cache_control: None,
            delay: Duration::ZERO,
        }));
        let hits = Arc::new(AtomicUsize::new(0));
        let app = Router::new()
            .route("/jwks", get(jwks))
            .with_state((hits.clone(), reply.clone()));
        let addr = serve(app).await;
        JwksServer {
            url: format!("http://{addr}/jwks"),
            hits,
            reply,
        }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn set(&self, f: impl FnOnce(&mut JwksReply)) {
        f(&mut self.reply.lock().unwrap())
    }

    pub fn set_keys(&self, keys: Vec<Value>) {
        self.set(|r| {
            r.status = 200;
            r.body = json!({ "keys": keys }).to_string();
        })
    }
}

type JwksState = (Arc<AtomicUsize>, Arc<Mutex<JwksReply>>);

async fn jwks(State((hits, reply)): State<JwksState>) -> Response {
    hits.fetch_add(1, Ordering::SeqCst);
    let (status, body, cc, delay) = {
        let r = reply.lock().unwrap();
        (r.status, r.body.clone(), r.cache_control.clone(), r.delay)
    };
    tokio::time::sleep(delay).await;
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "application/json".parse().unwrap());
    if let Some(cc) = cc {
        headers.insert("cache-control", cc.parse().unwrap());
    }
    (StatusCode::from_u16(status).unwrap(), headers, body).into_response()
}

/// What the introspection endpoint received.
#[derive(Clone, Debug, Default)]
pub struct Received {
    pub authorization: Option<String>,
    pub form: HashMap<String, String>,
}

/// An introspection endpoint on 127.0.0.1: answers from a table of tokens (an unknown
/// token is inactive), records what it received, counts its requests.
#[derive(Clone)]
pub struct Introspector {
    pub url: String,
    hits: Arc<AtomicUsize>,
    answers: Arc<Mutex<HashMap<String, Value>>>,
    /// Replaces every answer when set: a status and a body.
    broken: Arc<Mutex<Option<(u16, String)>>>,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Introspector {
    pub async fn start() -> Self {
        let me = Introspector {
            url: String::new(),
            hits: Arc::default(),
            answers: Arc::default(),
            broken: Arc::default(),
            received: Arc::default(),
        };
        let app = Router::new()
            .route("/introspect", post(introspect))
            .with_state(me.clone());
        let addr = serve(app).await;
        Introspector {
            url: format!("http://{addr}/introspect"),
            ..me
        }
    }

    pub fn answer(&self, token: &str, answer: Value) {
        self.answers.lock().unwrap().insert(token.into(), answer);
    }

    pub fn break_with(&self, reply: Option<(u16, &str)>) {
        *self.broken.lock().unwrap() = reply.map(|(s, b)| (s, b.to_owned()));
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn last(&self) -> Received {
        self.received.lock().unwrap().last().cloned().unwrap()
    }
}

async fn introspect(
    State(me): State<Introspector>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    me.hits.fetch_add(1, Ordering::SeqCst);
    let authorization = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    let token = form.get("token").cloned().unwrap_or_default();
    me.received.lock().unwrap().push(Received {
        authorization,
        form,
    });
    if let Some((status, body)) = me.broken.lock().unwrap().clone() {
        return (StatusCode::from_u16(status).unwrap(), body).into_response();
    }
    let answer = me.answers.lock().unwrap().get(&token).cloned();
    axum::Json(answer.unwrap_or_else(|| json!({"active": false}))).into_response()
}
