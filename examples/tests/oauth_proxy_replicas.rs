//! Two processes of the OAuth proxy example (`oauth_proxy`) share one real `redis-server`,
//! with oidc-provider (npm) as the upstream identity provider: a login started on one
//! replica finishes on the other, a token issued by one is accepted by the other, and a
//! restart of either loses nothing. `FASTMCP_SKIP_INTEROP=1` skips it (it needs Node).

#[path = "../../conformance/tests/auth_common/mod.rs"]
mod auth_common;
#[path = "../../conformance/tests/interop/mod.rs"]
mod interop;
mod procs;
#[path = "../../crates/fastmcp/tests/support/redis.rs"]
#[allow(dead_code)]
mod redis_support;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use auth_common::Provider;
use base64::Engine;
use procs::free_port;
use redis_support::RedisServer;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://127.0.0.1:4567/callback";

/// One replica: the example's process, killed on drop.
struct Replica {
    child: Child,
    port: u16,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

struct Setup {
    public: String,
    upstream: String,
    client: (String, String),
    redis: String,
    key_file: std::path::PathBuf,
}

impl Setup {
    fn start(&self, port: u16) -> Replica {
        let child = Command::new(env!("CARGO_BIN_EXE_oauth_proxy"))
            .env("ADDR", format!("127.0.0.1:{port}"))
            .env("PUBLIC_URL", &self.public)
            .env("UPSTREAM", &self.upstream)
            .env("UPSTREAM_CLIENT_ID", &self.client.0)
            .env("UPSTREAM_CLIENT_SECRET", &self.client.1)
            .env("UPSTREAM_SCOPES", "openid offline_access")
            .env(
                "PROXY_SECRET",
                "the replicas' shared secret, 32 bytes or more",
            )
            .env("SIGNING_KEY_FILE", &self.key_file)
            .env("REDIS_URL", &self.redis)
            .env("INSECURE_HTTP", "1")
            .env("RUST_LOG", "warn")
            .env("FASTMCP_NO_BANNER", "1")
            .stdin(Stdio::null())
            .spawn()
            .expect("start the oauth_proxy example");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the replica on {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Replica { child, port }
    }
}

fn origin(port: u16) -> String {
    format!("http://127.0.0.1:{port}")
}

/// The location a redirect sends to, made absolute against `base`.
fn location(r: &reqwest::Response, base: &str) -> String {
    let loc = r.headers()["location"].to_str().unwrap().to_owned();
    if loc.starts_with('/') {
        format!("{base}{loc}")
    } else {
        loc
    }
}

fn hidden(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name} in {html}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].replace("&amp;", "&")
}

/// POST to `/mcp` of a replica an `initialize` with this bearer token: the status.
async fn mcp_status(port: u16, token: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/mcp", origin(port)))
        .bearer_auth(token)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn token(port: u16, form: &[(&str, &str)]) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/token", origin(port)))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "token at {port}");
    r.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_proxy_processes_share_one_login_through_redis() {
    if interop::skipped() {
        eprintln!("FASTMCP_SKIP_INTEROP is set: skipping the OAuth proxy replicas test");
        return;
    }
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (port_a, port_b) = (free_port(), free_port());
    let public = origin(port_a); // the public URL (a load balancer's, in production)
    let provider = tokio::task::spawn_blocking({
        let api = format!("{public}/upstream-api");
        move || Provider::start(&api, 3600)
    })
    .await
    .unwrap();
    let reg: Value = reqwest::Client::new()
        .post(format!("{}/reg", provider.issuer))
        .json(&json!({"redirect_uris": [format!("{public}/upstream/callback")], "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"], "response_types": ["code"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("fastmcp-proxy-replicas-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let setup = Setup {
        public: public.clone(),
        upstream: provider.issuer.clone(),
        client: (
            reg["client_id"].as_str().unwrap().into(),
            reg["client_secret"].as_str().unwrap().into(),
        ),
        redis: redis.url(),
        key_file: dir.join("key.pem"),
    };
    let mut a = setup.start(port_a);
    let b = setup.start(port_b);

    // An MCP client registers at B.
    let client: Value = reqwest::Client::new()
        .post(format!("{}/register", origin(b.port)))
        .json(&json!({"redirect_uris": [CALLBACK], "token_endpoint_auth_method": "none", "client_name": "replicas test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = client["client_id"].as_str().unwrap().to_owned();

    // The login starts at B, signs in upstream, comes back to A, consents on B's page,
    // posts the consent to A.
    let verifier = test_verifier();
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(verifier.as_bytes()));
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut url = reqwest::Url::parse_with_params(
        &format!("{}/authorize", origin(b.port)),
        &[
            ("response_type", "code"),
            ("client_id", &client_id),
            ("redirect_uri", CALLBACK),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
            ("scope", "notes:read"),
            ("state", "s1"),
        ],
    )
    .unwrap()
    .to_string();
    let consent_page = loop {
        let r = browser.get(&url).send().await.unwrap();
        if r.status() == 200 {
            break r.text().await.unwrap();
        }
        assert!(r.status().is_redirection(), "{url}: {}", r.status());
        let base = url.split('/').take(3).collect::<Vec<_>>().join("/");
        let next = location(&r, &base);
        // Back from the upstream provider at A: send the rest of the login to B.
        url = if base == public && next.starts_with(&format!("{public}/authorize?")) {
            next.replacen(&public, &origin(b.port), 1)
        } else {
            next
        };
    };
    let r = browser
        .post(format!("{public}/consent"))
        .form(&[
            ("txn", hidden(&consent_page, "txn")),
            ("csrf", hidden(&consent_page, "csrf")),
            ("decision", "allow".into()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "the consent of B's page, posted to A");
    let back = location(&r, &public);
    assert!(back.starts_with(CALLBACK), "{back}");
    let code = reqwest::Url::parse(&back)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");

    // The code is exchanged at B; A accepts the token.
    let t = token(
        b.port,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client_id),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    let access = t["access_token"].as_str().unwrap().to_owned();
    assert_eq!(mcp_status(a.port, &access).await, 200);
    assert_eq!(mcp_status(b.port, &access).await, 200);
    assert_eq!(mcp_status(a.port, "forged").await, 401);

    // A restarts: nothing lost (the refresh token works there, the token is accepted).
    drop(a);
    a = setup.start(port_a);
    assert_eq!(mcp_status(a.port, &access).await, 200);
    let t2 = token(
        a.port,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", t["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    // B restarts too; the rotated token is known to it.
    drop(b);
    let b = setup.start(port_b);
    assert_eq!(
        mcp_status(b.port, t2["access_token"].as_str().unwrap()).await,
        200
    );
    let t3 = token(
        b.port,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client_id),
            ("refresh_token", t2["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(
        mcp_status(a.port, t3["access_token"].as_str().unwrap()).await,
        200
    );
    assert_eq!(
        provider.grants("authorization_code"),
        1,
        "one upstream sign-in in all"
    );
    drop((a, b));
    std::fs::remove_dir_all(&dir).ok();
}

/// A PKCE verifier: unpredictable enough for a test (SHA-256 of the time and the pid).
fn test_verifier() -> String {
    let seed = Sha256::digest(format!("{:?}{}", Instant::now(), std::process::id()).as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(seed)
}
